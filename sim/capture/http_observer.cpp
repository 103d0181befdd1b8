#include "sim/capture/http_observer.hpp"

#include <fmt/format.h>

#include "sim/http/server_session.hpp"

namespace maillab::capture {
namespace {

namespace beast_http = boost::beast::http;

// Large enough for the webmail's uploads (25 MiB) and its pages.
constexpr std::size_t max_header_octets = 64 * 1024;
constexpr std::uint64_t max_body_octets = 64 * 1024 * 1024;

template <typename Parser>
std::unique_ptr<Parser> new_parser() {
    auto p = std::make_unique<Parser>();
    p->header_limit(static_cast<std::uint32_t>(max_header_octets));
    p->body_limit(max_body_octets);
    p->eager(true);
    return p;
}

}  // namespace

http_observer::http_observer(connection_tracer& tracer) : tracer_(tracer) {}
http_observer::~http_observer() = default;

void http_observer::stop_reading(direction d, const std::string& why) {
    (d == direction::to_server ? client_stopped_ : server_stopped_) = true;
    tracer_.note("capture.note.unparsed",
                 fmt::format("the {} cannot be read further: {}",
                             d == direction::to_server ? "requests" : "responses", why),
                 {{"direction", std::string(to_string(d))}}, std::nullopt);
}

void http_observer::client_bytes(std::string_view bytes) {
    if (client_stopped_) return;
    client_in_.append(bytes);
    read_requests();
}

void http_observer::read_requests() {
    while (!client_in_.empty() && !client_stopped_) {
        if (!request_) {
            // RFC 9112 2.2: empty lines before a request line are ignored.
            std::size_t skip = client_in_.find_first_not_of("\r\n");
            client_in_.erase(0, skip == std::string::npos ? client_in_.size() : skip);
            if (client_in_.empty()) return;
            request_ = new_parser<request_parser>();
            request_octets_ = 0;
        }
        boost::beast::error_code ec;
        std::size_t used = request_->put(boost::asio::buffer(client_in_.data(), client_in_.size()), ec);
        client_in_.erase(0, used);
        request_octets_ += used;
        if (ec == beast_http::error::need_more) return;
        if (ec) return stop_reading(direction::to_server, ec.message());
        if (!request_->is_done()) {
            if (used == 0) return;
            continue;
        }
        http::request req = request_->release();
        request_.reset();
        std::uint64_t seq = tracer_.incoming(http::request_event(req, request_octets_));
        sent_.push_back({seq, req.method() == beast_http::verb::head});
    }
}

void http_observer::server_bytes(std::string_view bytes) {
    if (server_stopped_) return;
    server_in_.append(bytes);
    read_responses();
}

void http_observer::read_responses() {
    while (!server_in_.empty() && !server_stopped_) {
        if (!response_) {
            response_ = new_parser<response_parser>();
            response_octets_ = 0;
            if (!sent_.empty() && sent_.front().head) response_->skip(true);
        }
        boost::beast::error_code ec;
        std::size_t used =
            response_->put(boost::asio::buffer(server_in_.data(), server_in_.size()), ec);
        server_in_.erase(0, used);
        response_octets_ += used;
        if (ec == beast_http::error::need_more) return;
        if (ec) return stop_reading(direction::to_client, ec.message());
        if (!response_->is_done()) {
            if (used == 0) return;
            continue;
        }
        finish_response();
    }
}

void http_observer::finish_response() {
    http::response res = response_->release();
    response_.reset();
    event e = http::response_event(res, response_octets_);
    // RFC 9110 15.2: a 1xx is an interim answer; the request waits for its final one.
    bool interim = res.result_int() >= 100 && res.result_int() < 200;
    if (!sent_.empty()) {
        e.cause = sent_.front().seq;
        if (!interim) sent_.pop_front();
    }
    tracer_.outgoing(std::move(e));
}

void http_observer::gap(direction d) {
    // Without the lost octets the message boundaries are unknown: nothing after can be trusted.
    if (d == direction::to_server) {
        if (!client_stopped_) stop_reading(d, "octets are missing from the capture");
    } else if (!server_stopped_) {
        stop_reading(d, "octets are missing from the capture");
    }
}

void http_observer::connection_lost() {
    if (!response_ || server_stopped_) return;
    // RFC 9112 6.3: a body without a length ends when the connection does.
    boost::beast::error_code ec;
    response_->put_eof(ec);
    if (!ec && response_->is_done()) finish_response();
}

}  // namespace maillab::capture
