#include "sim/http/server_session.hpp"

#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/http/form.hpp"

namespace maillab::http {
namespace {

// Header values a trace should not show in full: the session cookie is a password for the
// length of the session.
std::string shown_header_value(std::string_view name, std::string_view value) {
    if (iequals(name, "Cookie") || iequals(name, "Set-Cookie")) {
        // Every "name=value" pair of a Cookie header (a Set-Cookie has one, then attributes):
        // the first 6 characters of a long value stay, enough to tell two sessions apart.
        std::string out;
        std::size_t start = 0;
        bool first = true;
        while (start <= value.size()) {
            std::size_t end = value.find(';', start);
            std::string_view piece = value.substr(start, end == std::string_view::npos ? end : end - start);
            std::size_t eq = piece.find('=');
            std::string shown(piece);
            if ((first || iequals(name, "Cookie")) && eq != std::string_view::npos &&
                piece.size() - eq - 1 > 8)
                shown = std::string(piece.substr(0, eq + 1 + 6)) + "…";
            out += shown;
            first = false;
            if (end == std::string_view::npos) break;
            out += ';';
            start = end + 1;
        }
        return out;
    }
    if (iequals(name, "Authorization")) return "(hidden)";
    return std::string(value);
}

template <typename Fields>
nlohmann::json headers_json(const Fields& fields) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : fields) {
        std::string name(f.name_string());
        out.push_back({name, shown_header_value(name, f.value())});
    }
    return out;
}

std::string body_summary(std::string_view type, std::size_t size) {
    if (size == 0) return "no body";
    return fmt::format("{} octets of {}", size, type.empty() ? "data" : std::string(type));
}

}  // namespace

std::string serialize(const response& res) {
    std::ostringstream out;
    out << res;
    return out.str();
}

std::string serialize(const request& req) {
    std::ostringstream out;
    out << req;
    return out.str();
}

event request_event(const request& req, std::size_t wire_size) {
    event e;
    e.kind = event_kind::http;
    std::string method(req.method_string());
    std::string target(req.target());
    e.text = fmt::format("{} {} HTTP/{}.{}", method, target, req.version() / 10, req.version() % 10);
    // Methods a webmail sees have their own explanation; anything else shares one.
    static const std::set<std::string, std::less<>> explained = {"GET", "POST", "HEAD",
                                                                   "PUT", "DELETE", "OPTIONS"};
    e.explain = explained.contains(method) ? "http.request." + method : "http.request.other";
    std::string type(req[beast_http::field::content_type]);
    e.fields = {{"direction", "request"},
                {"method", method},
                {"target", target},
                {"path", path_of(target)},
                {"headers", headers_json(req)},
                {"body", body_summary(type, req.body().size())},
                {"size", wire_size}};
    if (!req.body().empty()) {
        form_data form = parse_form(type, req.body());
        if (form.error.empty()) {
            nlohmann::json fields = nlohmann::json::array();
            for (const auto& f : form.fields) {
                if (f.filename) {
                    fields.push_back({{"name", f.name}, {"filename", *f.filename},
                                      {"content_type", f.content_type}, {"size", f.value.size()}});
                } else if (f.name == "password") {
                    // Shown as dots: the bytes events still show it crossed the wire in clear.
                    fields.push_back({{"name", f.name}, {"value", "********"}});
                } else {
                    fields.push_back({{"name", f.name}, {"value", f.value}});
                }
            }
            e.fields["form"] = fields;
        }
    }
    std::ostringstream head;
    head << req.base();
    e.raw = head.str();
    return e;
}

event response_event(const response& res, std::size_t wire_size) {
    event e;
    e.kind = event_kind::http;
    unsigned status = res.result_int();
    e.text = fmt::format("HTTP/{}.{} {} {}", res.version() / 10, res.version() % 10, status,
                         std::string(res.reason()));
    e.explain = fmt::format("http.status.{}", status);
    std::string type(res[beast_http::field::content_type]);
    e.fields = {{"direction", "response"},
                {"status", status},
                {"headers", headers_json(res)},
                {"body", body_summary(type, res.body().size())},
                {"size", wire_size}};
    if (res.count(beast_http::field::location))
        e.fields["location"] = std::string(res[beast_http::field::location]);
    std::ostringstream head;
    head << res.base();
    e.raw = head.str();
    return e;
}

server_session::server_session(server_config config, request_handler& handler,
                               connection_tracer& tracer)
    : config_(config), handler_(handler), tracer_(tracer) {}

server_session::~server_session() { *alive_ = false; }

void server_session::receive(std::string_view bytes) {
    if (lost_ || close_after_output_) return;
    in_.append(bytes);
    parse_more();
}

void server_session::parse_more() {
    while (!busy_ && !close_after_output_ && !in_.empty()) {
        if (!parser_) {
            // RFC 9112 2.2: empty lines before a request line are ignored (some clients send a
            // CRLF after a POST body).
            std::size_t skip = 0;
            while (skip < in_.size() && (in_[skip] == '\r' || in_[skip] == '\n')) ++skip;
            in_.erase(0, skip);
            if (in_.empty()) return;
            parser_ = std::make_unique<beast_http::request_parser<beast_http::string_body>>();
            parser_->header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
            parser_->body_limit(config_.max_body_bytes);
            parser_->eager(true);
        }
        boost::beast::error_code ec;
        std::size_t used = parser_->put(boost::asio::buffer(in_.data(), in_.size()), ec);
        in_.erase(0, used);
        bytes_since_progress_ += used;
        if (!header_counted_ && parser_->is_header_done()) {
            header_counted_ = true;
            ++inputs_;
        }
        if (bytes_since_progress_ >= 64 * 1024) {
            bytes_since_progress_ = 0;
            ++inputs_;
        }
        if (ec == beast_http::error::need_more) return;
        if (ec) {
            unsigned status = ec == beast_http::error::body_limit   ? 413
                              : ec == beast_http::error::header_limit ? 431
                                                                      : 400;
            return refuse(status, ec.message());
        }
        if (!parser_->is_done()) {
            if (used == 0) return;
            continue;
        }
        request req = parser_->release();
        parser_.reset();
        ++inputs_;
        header_counted_ = false;
        bytes_since_progress_ = 0;
        dispatch(std::move(req));
    }
}

void server_session::dispatch(request req) {
    std::size_t size = serialize(req).size();
    std::uint64_t seq = tracer_.incoming(request_event(req, size));
    bool keep_alive = req.keep_alive();
    head_request_ = req.method() == beast_http::verb::head;
    busy_ = true;
    std::weak_ptr<bool> alive = alive_;
    handler_.handle(req, seq, tracer_, [this, alive, seq, keep_alive](response res) {
        if (alive.expired() || lost_) return;  // the browser went away meanwhile
        answer(std::move(res), seq, keep_alive);
    });
}

void server_session::answer(response res, std::uint64_t request_seq, bool keep_alive) {
    res.keep_alive(keep_alive);
    res.prepare_payload();
    // The answer to HEAD is the header the GET would get, without the body (RFC 9110 9.3.2).
    std::string wire;
    if (head_request_) {
        std::ostringstream head;
        head << res.base();
        wire = head.str();
    } else {
        wire = serialize(res);
    }
    event e = response_event(res, wire.size());
    e.cause = request_seq;
    tracer_.outgoing(std::move(e));
    out_ += wire;
    busy_ = false;
    if (!keep_alive) close_after_output_ = true;
    if (wake_) wake_();
    if (!close_after_output_) parse_more();
}

void server_session::refuse(unsigned status, const std::string& why) {
    tracer_.note("http.note.bad_request",
                 fmt::format("the request could not be read ({}): answered {} and closed", why,
                             status),
                 {{"status", status}, {"reason", why}}, std::nullopt);
    response res{static_cast<beast_http::status>(status), 11};
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.set(beast_http::field::connection, "close");
    res.body() = fmt::format("{} {}: {}\n", status,
                             std::string(beast_http::obsolete_reason(
                                 static_cast<beast_http::status>(status))),
                             why);
    res.prepare_payload();
    std::string wire = serialize(res);
    tracer_.outgoing(response_event(res, wire.size()));
    out_ += wire;
    close_after_output_ = true;
    in_.clear();
    parser_.reset();
}

void server_session::connection_lost() { lost_ = true; }

}  // namespace maillab::http
