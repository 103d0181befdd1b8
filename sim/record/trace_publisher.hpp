// `maillab serve --publish-trace [ADDR:]PORT`: the running trace, read-only, for the teacher's
// merged view of a class network. A listener of the trace that keeps every event it has seen as
// a recording line, and a TCP port where a subscriber that sends the right token gets the stream
// (sim/record/trace_stream.hpp): the header with the publisher's clock, every event so far (up to
// max_history bytes of them), then each new one. Nothing a subscriber sends after its token is read.
//
// Writing never blocks the servers: each subscriber is written asynchronously from the shared
// history, and one that falls more than `max_backlog` bytes behind the live end (a stopped
// viewer, a slow network) is dropped, with a note in the trace saying why. Refusals (a wrong
// token, no token in time, too many subscribers) are answered with a refusal line, closed and
// traced too. Runs on the io_context of the servers it publishes; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim/core/trace.hpp"

namespace maillab {

struct trace_publisher_options {
    std::string bind_address = "127.0.0.1";
    unsigned short port = 0;  // 0: the OS chooses
    std::string token;        // must not be empty
    std::string host_name;    // the publisher's name in the header (serve's --as or scenario)
    std::size_t max_backlog = 16 * 1024 * 1024;  // bytes a subscriber may fall behind
    std::size_t max_subscribers = 32;
    // The history kept for new subscribers; past it the oldest lines no subscriber still needs
    // are let go (said once in the trace; --record's file keeps everything).
    std::size_t max_history = 256 * 1024 * 1024;
    std::chrono::milliseconds token_timeout{10000};
    // Names this run of the trace in the header; "" draws a random one. A subscriber that comes
    // back to the same session skips what it had (merged_follow's reconnect).
    std::string session{};
};

class trace_publisher final : public trace_listener {
public:
    // Binds the port and subscribes to `t` (do it before the servers start, so the history is
    // the whole session). Throws std::runtime_error naming the address and port that cannot
    // be bound, std::invalid_argument for an empty token.
    trace_publisher(boost::asio::io_context& io, trace& t, trace_publisher_options opts);
    ~trace_publisher() override;
    trace_publisher(const trace_publisher&) = delete;
    trace_publisher& operator=(const trace_publisher&) = delete;

    void start();  // accepts subscribers
    void stop();   // closes the port and every subscriber; call on the io_context's thread

    std::string address() const;  // "ADDR:PORT" as bound (the OS's port when 0 was asked)
    const std::string& token() const { return opts_.token; }
    std::size_t subscribers() const { return subscribers_.size(); }

    void on_header(const nlohmann::json& header) override { header_ = header; }
    void on_event(const event& e) override;

    class subscriber;  // one accepted connection (trace_publisher.cpp)

private:
    friend class subscriber;
    void accept_next();
    void trace_note(std::string text, nlohmann::json fields);
    void forget(const subscriber* s);
    void trim_history();

    boost::asio::io_context& io_;
    trace& trace_;
    trace_publisher_options opts_;
    boost::asio::ip::tcp::acceptor acceptor_;
    nlohmann::json header_;
    // Every event line so far, each with its newline. A deque: its strings never move, so a
    // write in progress can point into them while new lines are appended.
    std::deque<std::string> lines_;
    std::uint64_t first_line_ = 0;   // the number of lines_.front() among all lines so far
    std::uint64_t kept_bytes_ = 0;   // the bytes in lines_
    std::uint64_t total_bytes_ = 0;  // every line's bytes so far, let go or kept
    bool said_trimmed_ = false;
    std::vector<std::shared_ptr<subscriber>> subscribers_;
    bool stopped_ = false;
    // Expires with the publisher: an accept that completes after it was destroyed (the close
    // aborts it, but its handler still runs) must not touch it.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab
