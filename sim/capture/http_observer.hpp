// Watches an HTTP/1.x conversation in a capture (RFC 9112) with Boost.Beast's parsers, the ones
// the webmail's server and the simulated browser use, and writes the http events the webmail
// writes for it (http::request_event and response_event: request line, headers with cookies
// shortened, form fields with the password hidden, body summarised). A response's cause is its
// request: HTTP/1.1 answers in order (RFC 9112 9.3.2).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

#include "sim/capture/protocol_observer.hpp"

namespace maillab::capture {

class http_observer final : public protocol_observer {
public:
    explicit http_observer(connection_tracer& tracer);
    ~http_observer() override;

    void client_bytes(std::string_view bytes) override;
    void server_bytes(std::string_view bytes) override;
    void gap(direction d) override;
    void connection_lost() override;

private:
    using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;
    using response_parser = boost::beast::http::response_parser<boost::beast::http::string_body>;
    struct sent_request {
        std::uint64_t seq;
        bool head;  // a HEAD: its response has no body (RFC 9110 9.3.2)
    };

    void read_requests();
    void read_responses();
    void finish_response();
    void stop_reading(direction d, const std::string& why);

    connection_tracer& tracer_;
    std::string client_in_;
    std::string server_in_;
    std::unique_ptr<request_parser> request_;
    std::unique_ptr<response_parser> response_;
    std::size_t request_octets_ = 0;   // of the request being read
    std::size_t response_octets_ = 0;  // of the response being read
    std::deque<sent_request> sent_;
    bool client_stopped_ = false;  // unreadable from here on (a gap, broken syntax)
    bool server_stopped_ = false;
};

}  // namespace maillab::capture
