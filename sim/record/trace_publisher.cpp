#include "sim/record/trace_publisher.hpp"

#include <stdexcept>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "sim/core/event_fields.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/trace_stream.hpp"

namespace maillab {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// One write hands the kernel at most this much, so a new event never waits behind a whole
// history being copied.
constexpr std::size_t write_batch_bytes = 256 * 1024;

std::string endpoint_text(const tcp::socket& s) {
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "(unknown)";
    return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}
}  // namespace

class trace_publisher::subscriber : public std::enable_shared_from_this<subscriber> {
public:
    subscriber(trace_publisher& p, tcp::socket socket)
        : publisher_(p), socket_(std::move(socket)), timer_(p.io_), peer_(endpoint_text(socket_)) {}

    const std::string& peer() const { return peer_; }
    bool attached() const { return attached_; }
    // The number of the next line this subscriber writes; the history keeps it and every later one.
    std::uint64_t next_line() const { return cursor_; }

    // Waits for the token line, at most token_timeout.
    void start() {
        auto self = shared_from_this();
        timer_.expires_after(publisher_.opts_.token_timeout);
        timer_.async_wait([self](const boost::system::error_code& ec) {
            if (ec || self->closed_ || self->attached_) return;
            self->refuse(fmt::format("no token within {} s",
                                     self->publisher_.opts_.token_timeout.count() / 1000));
        });
        asio::async_read_until(
            socket_, asio::dynamic_buffer(token_line_, max_token_line), '\n',
            [self](const boost::system::error_code& ec, std::size_t n) { self->on_token(ec, n); });
    }

    // New lines are in the history: write them unless a write is already under way.
    void kick() { write_next(); }

    // How far this subscriber is behind the live end, counting only what was added after it
    // attached (the history it is catching up on costs no memory: it is shared).
    std::uint64_t behind() const {
        std::uint64_t done = std::max(sent_bytes_, backlog_base_);
        return publisher_.total_bytes_ > done ? publisher_.total_bytes_ - done : 0;
    }

    void drop(const std::string& reason) {
        if (closed_) return;
        publisher_.trace_note(fmt::format("trace subscriber {} dropped: {}", peer_, reason),
                              {{"action", "dropped"}, {"subscriber", peer_}, {"reason", reason}});
        close(true);
    }

    // Closes the socket; `forget`: also leave the publisher's list.
    void close(bool forget) {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        if (forget) publisher_.forget(this);
    }

    bool dropping = false;  // a drop is posted

    // Answers with the refusal line, then closes.
    void refuse(const std::string& reason) {
        if (closed_ || refusing_) return;
        refusing_ = true;
        timer_.cancel();
        publisher_.trace_note(fmt::format("trace subscriber {} refused: {}", peer_, reason),
                              {{"action", "refused"}, {"subscriber", peer_}, {"reason", reason}});
        refusal_ = refusal_line(reason);
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(refusal_),
                          [self](const boost::system::error_code&, std::size_t) {
                              self->close(true);
                          });
    }

private:
    void on_token(const boost::system::error_code& ec, std::size_t n) {
        if (closed_ || refusing_) return;  // a token after the refusal changes nothing
        if (ec == asio::error::not_found) return refuse("the token line is too long");
        if (ec) {
            // Gone before saying anything (a port scan, a client that gave up).
            timer_.cancel();
            return close(true);
        }
        std::string token = token_line_.substr(0, n - 1);
        if (!token.empty() && token.back() == '\r') token.pop_back();
        if (!tokens_match(token, publisher_.opts_.token)) return refuse("wrong token");
        timer_.cancel();
        attached_ = true;
        std::uint64_t history = publisher_.lines_.size();
        header_ = published_header_line(publisher_.header_, publisher_.opts_.host_name,
                                        publisher_.opts_.session,
                                        publisher_.trace_.clock().now_us(), history,
                                        publisher_.first_line_) +
                  "\n";
        cursor_ = publisher_.first_line_;
        sent_bytes_ = publisher_.total_bytes_ - publisher_.kept_bytes_;
        backlog_base_ = publisher_.total_bytes_;
        // The header leaves before anything else is done, so the clock in it is as close as
        // possible to the moment the subscriber receives it (the offset estimate's error).
        write_next();
        publisher_.trace_note(
            fmt::format("trace subscriber {} attached ({} events so far)", peer_, history),
            {{"action", "attached"}, {"subscriber", peer_}, {"history", history}});
        read_and_ignore();
    }

    // After the token nothing is expected; reading notices the subscriber leaving at once.
    void read_and_ignore() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(ignored_),
                                [self](const boost::system::error_code& ec, std::size_t) {
                                    if (self->closed_) return;
                                    if (!ec) return self->read_and_ignore();
                                    self->leave();
                                });
    }

    void leave() {
        if (closed_) return;
        publisher_.trace_note(fmt::format("trace subscriber {} left", peer_),
                              {{"action", "left"}, {"subscriber", peer_}});
        close(true);
    }

    void write_next() {
        if (closed_ || writing_ || !attached_) return;
        buffers_.clear();
        std::size_t bytes = 0, lines = 0;
        if (!header_sent_) buffers_.push_back(asio::buffer(header_));
        std::size_t from = cursor_ - publisher_.first_line_;  // never let go: see trim_history
        while (from + lines < publisher_.lines_.size() && bytes < write_batch_bytes) {
            const std::string& line = publisher_.lines_[from + lines];
            buffers_.push_back(asio::buffer(line));
            bytes += line.size();
            ++lines;
        }
        if (buffers_.empty()) return;
        writing_ = true;
        auto self = shared_from_this();
        asio::async_write(socket_, buffers_,
                          [self, lines, bytes](const boost::system::error_code& ec, std::size_t) {
                              self->writing_ = false;
                              if (self->closed_) return;
                              if (ec) return self->leave();
                              self->header_sent_ = true;
                              self->cursor_ += lines;
                              self->sent_bytes_ += bytes;
                              self->write_next();
                          });
    }

    trace_publisher& publisher_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::string peer_;
    std::string token_line_;
    std::string header_;
    std::string refusal_;
    std::vector<asio::const_buffer> buffers_;
    char ignored_[512];
    std::uint64_t cursor_ = 0;        // the number of the next line to write (as first_line_)
    std::uint64_t sent_bytes_ = 0;    // the bytes of every line before cursor_
    std::uint64_t backlog_base_ = 0;  // the history's size when this subscriber attached
    bool attached_ = false;
    bool header_sent_ = false;
    bool writing_ = false;
    bool refusing_ = false;
    bool closed_ = false;
};

trace_publisher::trace_publisher(asio::io_context& io, trace& t, trace_publisher_options opts)
    : io_(io), trace_(t), opts_(std::move(opts)), acceptor_(io) {
    if (opts_.token.empty()) throw std::invalid_argument("the trace token must not be empty");
    if (opts_.session.empty()) opts_.session = random_trace_token();
    boost::system::error_code ec;
    auto address = asio::ip::make_address(opts_.bind_address, ec);
    if (ec)
        throw std::runtime_error(fmt::format("--publish-trace: \"{}\" is not an IP address",
                                             opts_.bind_address));
    tcp::endpoint ep(address, opts_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error(fmt::format("--publish-trace: cannot listen on {}:{}: {}",
                                             opts_.bind_address, opts_.port, ec.message()));
    t.subscribe(*this);
}

trace_publisher::~trace_publisher() {
    stop();
    trace_.unsubscribe(*this);
}

void trace_publisher::start() { accept_next(); }

void trace_publisher::stop() {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    auto all = std::move(subscribers_);
    subscribers_.clear();
    for (auto& s : all) s->close(false);
}

std::string trace_publisher::address() const {
    boost::system::error_code ec;
    auto ep = acceptor_.local_endpoint(ec);
    if (ec) return fmt::format("{}:{}", opts_.bind_address, opts_.port);
    return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

void trace_publisher::accept_next() {
    acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](
                               const boost::system::error_code& ec, tcp::socket socket) {
        if (alive.expired() || stopped_) return;
        if (!ec) {
            auto s = std::make_shared<subscriber>(*this, std::move(socket));
            subscribers_.push_back(s);
            if (subscribers_.size() > opts_.max_subscribers)
                s->refuse(fmt::format("too many subscribers (at most {})", opts_.max_subscribers));
            else
                s->start();
        }
        accept_next();
    });
}

void trace_publisher::on_event(const event& e) {
    lines_.push_back(event_line(e) + "\n");
    total_bytes_ += lines_.back().size();
    kept_bytes_ += lines_.back().size();
    if (kept_bytes_ > opts_.max_history) trim_history();
    for (auto& s : subscribers_) {
        if (!s->attached() || s->dropping) continue;
        if (s->behind() > opts_.max_backlog) {
            // Not from inside the trace's append: the note is an event of its own.
            s->dropping = true;
            asio::post(io_, [s, max = opts_.max_backlog] {
                s->drop(fmt::format("more than {} KiB behind the live trace (a stopped viewer "
                                    "or a slow network); attach again to start over",
                                    max / 1024));
            });
            continue;
        }
        s->kick();
    }
}

void trace_publisher::trim_history() {
    // A line a subscriber has not written yet stays (a write in progress points into it too).
    std::uint64_t needed = first_line_ + lines_.size();
    for (const auto& s : subscribers_)
        if (s->attached()) needed = std::min(needed, s->next_line());
    bool trimmed = false;
    while (kept_bytes_ > opts_.max_history && lines_.size() > 1 && first_line_ < needed) {
        kept_bytes_ -= lines_.front().size();
        lines_.pop_front();
        ++first_line_;
        trimmed = true;
    }
    if (trimmed && !said_trimmed_) {
        said_trimmed_ = true;
        asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), max = opts_.max_history] {
            if (alive.expired() || stopped_) return;
            trace_note(fmt::format("the published history is over {} MiB: a new subscriber gets "
                                   "the newest events only (the whole session is in --record's "
                                   "file)",
                                   max / (1024 * 1024)),
                       {{"action", "history_trimmed"}});
        });
    }
}

void trace_publisher::trace_note(std::string text, nlohmann::json fields) {
    event e;
    e.kind = event_kind::note;
    e.proto = "trace";
    e.from = opts_.host_name;
    e.text = std::move(text);
    // Every note names what happened in "action"; the catalog explains each (trace.json).
    e.explain = "trace.note." + text_field(fields, "action");
    e.fields = std::move(fields);
    trace_.append(std::move(e));
}

void trace_publisher::forget(const subscriber* s) {
    for (auto it = subscribers_.begin(); it != subscribers_.end(); ++it)
        if (it->get() == s) {
            subscribers_.erase(it);
            return;
        }
}

}  // namespace maillab
