#include "sim/record/trace_subscriber.hpp"

#include <charconv>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

namespace maillab {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string trace_attach_target::address() const {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                               : fmt::format("{}:{}", host, port);
}

trace_attach_target parse_attach_target(std::string_view text, const std::string& default_token) {
    trace_attach_target t;
    std::string_view where = text;
    if (auto at = text.rfind('@'); at != std::string_view::npos) {
        t.token = std::string(text.substr(0, at));
        where = text.substr(at + 1);
        if (t.token.empty())
            throw std::invalid_argument(fmt::format("--attach {}: the token before @ is empty",
                                                    text));
    } else {
        t.token = default_token;
    }
    std::string_view port;
    if (!where.empty() && where.front() == '[') {
        auto close = where.find(']');
        if (close == std::string_view::npos || close + 1 >= where.size() || where[close + 1] != ':')
            throw std::invalid_argument(
                fmt::format("--attach {}: write an IPv6 address as [ADDRESS]:PORT", text));
        t.host = std::string(where.substr(1, close - 1));
        port = where.substr(close + 2);
    } else {
        auto colon = where.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            throw std::invalid_argument(fmt::format(
                "--attach {}: expected ADDR:PORT (the address `maillab serve --publish-trace` "
                "printed), optionally TOKEN@ADDR:PORT",
                text));
        t.host = std::string(where.substr(0, colon));
        port = where.substr(colon + 1);
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
        throw std::invalid_argument(fmt::format("--attach {}: \"{}\" is not a port number (1-65535)",
                                                text, port));
    t.port = std::to_string(value);
    if (t.token.empty())
        throw std::invalid_argument(fmt::format(
            "--attach {}: no token: give it as TOKEN@{} or with --token (serve printed it at "
            "start, or wrote it to its --trace-token-file)",
            text, where));
    return t;
}

bool looks_like_attach_address(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) return false;
    for (char c : text.substr(colon + 1))
        if (c < '0' || c > '9') return false;
    return text.find('/') == std::string_view::npos;
}

trace_subscriber::trace_subscriber(asio::io_context& io, trace_attach_target target, callbacks cb,
                                   const clock_source& clock, std::chrono::milliseconds timeout)
    : resolver_(io),
      socket_(io),
      timer_(io),
      target_(std::move(target)),
      cb_(std::move(cb)),
      clock_(clock),
      timeout_(timeout),
      reader_(target_.address()) {}

std::shared_ptr<trace_subscriber> trace_subscriber::start(asio::io_context& io,
                                                          trace_attach_target target,
                                                          callbacks cb, const clock_source& clock,
                                                          std::chrono::milliseconds timeout) {
    auto s = std::make_shared<trace_subscriber>(io, std::move(target), std::move(cb), clock,
                                                timeout);
    s->begin();
    return s;
}

void trace_subscriber::begin() {
    auto self = shared_from_this();
    // One deadline for connecting and for the header to arrive: a port that accepts and says
    // nothing is not a publisher.
    timer_.expires_after(timeout_);
    timer_.async_wait([self](const boost::system::error_code& ec) {
        if (ec || self->ended_ || self->reader_.state() != trace_stream_reader::status::want_header)
            return;
        self->finish(fmt::format("{}: no answer within {} ms (is it a `serve --publish-trace` "
                                 "port, and is that machine reachable?)",
                                 self->target_.address(), self->timeout_.count()));
    });
    resolver_.async_resolve(
        target_.host, target_.port,
        [self](const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
            if (self->ended_) return;
            if (ec)
                return self->finish(fmt::format("{}: cannot resolve {}: {}",
                                                self->target_.address(), self->target_.host,
                                                ec.message()));
            asio::async_connect(self->socket_, results,
                                [self](const boost::system::error_code& ec, const tcp::endpoint&) {
                                    if (self->ended_) return;
                                    if (ec)
                                        return self->finish(fmt::format(
                                            "{}: cannot connect: {}", self->target_.address(),
                                            ec.message()));
                                    self->send_token();
                                });
        });
}

void trace_subscriber::send_token() {
    auto self = shared_from_this();
    token_line_ = target_.token + "\n";
    sent_us_ = clock_.now_us();
    asio::async_write(socket_, asio::buffer(token_line_),
                      [self](const boost::system::error_code& ec, std::size_t) {
                          if (self->ended_) return;
                          if (ec)
                              return self->finish(fmt::format("{}: cannot send the token: {}",
                                                              self->target_.address(),
                                                              ec.message()));
                          self->read_more();
                      });
}

void trace_subscriber::read_more() {
    auto self = shared_from_this();
    socket_.async_read_some(
        asio::buffer(buffer_), [self](const boost::system::error_code& ec, std::size_t n) {
            if (self->ended_) return;
            if (n > 0) self->take(std::string_view(self->buffer_, n));
            if (self->ended_) return;
            if (ec) {
                bool before_header =
                    self->reader_.state() == trace_stream_reader::status::want_header;
                return self->finish(fmt::format(
                    "{}: {} ({}; {} events received)", self->target_.address(),
                    before_header ? "the connection closed before a header came"
                                  : "the publisher went away mid-stream",
                    ec == asio::error::eof ? "closed by the other end" : ec.message(),
                    self->events_));
            }
            self->read_more();
        });
}

void trace_subscriber::take(std::string_view bytes) {
    if (!lines_.feed(bytes)) {
        answered_no_ = true;
        return finish(fmt::format("{}: not a maillab trace stream: a line longer than {} MiB",
                                  target_.address(), max_stream_line / (1024 * 1024)));
    }
    while (auto line = lines_.next_line()) {
        auto r = reader_.take_line(*line);
        if (reader_.state() == trace_stream_reader::status::refused ||
            reader_.state() == trace_stream_reader::status::not_a_stream) {
            answered_no_ = true;
            return finish(r.problem);
        }
        if (r.header) {
            timer_.cancel();
            std::int64_t offset =
                estimate_clock_offset(sent_us_, clock_.now_us(), reader_.publisher_clock_us());
            if (cb_.header) cb_.header(*r.header, offset);
        } else if (r.ev) {
            ++events_;
            if (cb_.event) cb_.event(std::move(*r.ev));
        } else if (!r.problem.empty() && cb_.problem) {
            cb_.problem(r.problem);
        }
        if (ended_) return;
        if (!caught_up_ && reader_.state() == trace_stream_reader::status::following &&
            events_ >= reader_.history()) {
            caught_up_ = true;
            if (cb_.caught_up) cb_.caught_up();
        }
    }
}

void trace_subscriber::finish(const std::string& reason) {
    if (ended_) return;
    stop();
    if (cb_.ended) cb_.ended(reason);
}

void trace_subscriber::stop() {
    if (ended_) return;
    ended_ = true;
    boost::system::error_code ec;
    timer_.cancel();
    resolver_.cancel();
    socket_.close(ec);
}

}  // namespace maillab
