// An HTTP/1.1 server session (RFC 9112), sans-I/O like every engine here: bytes in, bytes out.
// Boost.Beast parses the requests and writes the responses; this class adds what a teacher
// wants to see: every request (request line, headers, form fields) and every response (status
// line, headers, body summarised) as `http` events, and the answer may come later, after the
// application's own IMAP or SMTP leg (wake(), see protocol_session::set_wake).
// Persistent connections: requests are answered one at a time in order (no pipelining of
// answers); "Connection: close" or HTTP/1.0 without keep-alive closes after the answer.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"

namespace maillab::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

// The application behind the server: handles one request and calls `respond` exactly once,
// now or later. `request_seq` is the request's event, for the cause of what it sets off.
class request_handler {
public:
    virtual ~request_handler() = default;
    virtual void handle(const request& req, std::uint64_t request_seq, connection_tracer& tracer,
                        std::function<void(response)> respond) = 0;
};

struct server_config {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 25 * 1024 * 1024;  // attachments come in the body
};

class server_session final : public protocol_session {
public:
    server_session(server_config config, request_handler& handler, connection_tracer& tracer);
    ~server_session() override;

    void start() override {}
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info&) override {}
    void connection_lost() override;
    std::string take_output() override { return std::exchange(out_, {}); }
    bool wants_tls() const override { return false; }
    bool wants_close() const override { return close_after_output_ && !busy_; }
    void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }
    // Progress for the transport's idle timeout: a request's header complete, each 64 KiB of
    // its body, the request complete. A client trickling bytes makes none (slowloris).
    std::optional<std::uint64_t> completed_inputs() const override { return inputs_; }

private:
    void parse_more();
    void dispatch(request req);
    void answer(response res, std::uint64_t request_seq, bool keep_alive);
    void refuse(unsigned status, const std::string& why);

    server_config config_;
    request_handler& handler_;
    connection_tracer& tracer_;
    std::function<void()> wake_;
    std::unique_ptr<beast_http::request_parser<beast_http::string_body>> parser_;
    std::string in_;
    std::string out_;
    bool busy_ = false;                // a request is being handled
    bool head_request_ = false;        // it is a HEAD: its answer has no body
    bool close_after_output_ = false;
    bool lost_ = false;
    std::uint64_t inputs_ = 0;
    std::size_t bytes_since_progress_ = 0;
    bool header_counted_ = false;
    // Alive as long as the session: a late answer after the connection is gone is dropped.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Trace helpers shared with the browser (sim/http/browser_session): one event per request or
// response, with the headers and the body summarised.
event request_event(const request& req, std::size_t wire_size);
event response_event(const response& res, std::size_t wire_size);
std::string serialize(const response& res);
std::string serialize(const request& req);

}  // namespace maillab::http
