// The other end of `serve --publish-trace`: connects to a publisher, sends the token and reads
// the stream (sim/record/trace_stream.hpp) on an io_context, handing out the header with the
// estimated clock offset, each event, and why the stream ended. Never throws for what the
// network or the publisher does: an unreachable address, a refusal, a garbage stream or a
// publisher that goes away mid-stream each end this subscription with a reason, and nothing
// else is affected.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "sim/core/clock.hpp"
#include "sim/core/event.hpp"
#include "sim/record/trace_stream.hpp"

namespace maillab {

// What `--attach [TOKEN@]ADDR:PORT` names. An IPv6 address is written in brackets:
// [::1]:4000.
struct trace_attach_target {
    std::string host;
    std::string port;
    std::string token;
    std::string address() const;  // "ADDR:PORT" as the teacher wrote it
};

// Throws std::invalid_argument saying what is wrong with `text` (no port, a bad port, no token
// given either way).
trace_attach_target parse_attach_target(std::string_view text, const std::string& default_token);

// True when `text` is written like ADDR:PORT rather than a file's path.
bool looks_like_attach_address(std::string_view text);

class trace_subscriber : public std::enable_shared_from_this<trace_subscriber> {
public:
    struct callbacks {
        // The header, with the offset to add to the publisher's times (trace_stream.hpp).
        std::function<void(const nlohmann::json& header, std::int64_t clock_offset_us)> header;
        std::function<void(event)> event;
        // Every event that was in the publisher's history has arrived (at once if it had none).
        std::function<void()> caught_up;
        // A damaged line, skipped.
        std::function<void(const std::string&)> problem;
        // The stream ended: `reason` says why (a refusal, unreachable, the publisher closed).
        std::function<void(const std::string& reason)> ended;
    };

    static std::shared_ptr<trace_subscriber> start(boost::asio::io_context& io,
                                                   trace_attach_target target, callbacks cb,
                                                   const clock_source& clock,
                                                   std::chrono::milliseconds timeout =
                                                       std::chrono::milliseconds(5000));
    // Closes the connection; no callback is called after this.
    void stop();
    bool ended() const { return ended_; }
    // After the end: whether trying again later may work (nothing listened yet, no answer, the
    // publisher went away) rather than being the publisher's answer (a refusal, not a trace
    // stream), which the same attempt would only get again.
    bool may_come_back() const { return !answered_no_; }
    // The publisher's session id from the header ("" before it came or from an older maillab).
    const std::string& session() const { return reader_.publisher_session(); }

    trace_subscriber(boost::asio::io_context& io, trace_attach_target target, callbacks cb,
                     const clock_source& clock, std::chrono::milliseconds timeout);

private:
    void begin();
    void send_token();
    void read_more();
    void take(std::string_view bytes);
    void finish(const std::string& reason);

    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    trace_attach_target target_;
    callbacks cb_;
    const clock_source& clock_;
    std::chrono::milliseconds timeout_;
    line_splitter lines_;
    trace_stream_reader reader_;
    std::string token_line_;
    char buffer_[64 * 1024];
    std::int64_t sent_us_ = 0;
    std::uint64_t events_ = 0;
    bool caught_up_ = false;
    bool ended_ = false;
    bool answered_no_ = false;
};

}  // namespace maillab
