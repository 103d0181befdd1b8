#include "sim/net/connection_limits.hpp"

#include <utility>

#include <fmt/format.h>

namespace maillab {

struct connection_gate::counts {
    std::size_t max_total = 0;
    std::size_t max_per_address = 0;
    std::size_t total = 0;
    std::map<std::string, std::size_t> by_address;
};

connection_gate::connection_gate(std::size_t max_total, std::size_t max_per_address)
    : counts_(std::make_shared<counts>()) {
    counts_->max_total = max_total;
    counts_->max_per_address = max_per_address;
}

connection_gate::admission connection_gate::admit(const std::string& address) {
    counts& c = *counts_;
    if (c.max_total && c.total >= c.max_total)
        return {nullptr, fmt::format("too many connections ({} open, limit {})", c.total,
                                     c.max_total)};
    std::size_t& mine = c.by_address[address];
    if (c.max_per_address && mine >= c.max_per_address)
        return {nullptr, fmt::format("too many connections from {} ({} open, limit {} per "
                                     "address)",
                                     address, mine, c.max_per_address)};
    ++mine;
    ++c.total;
    // The ticket keeps the counts alive: a connection may end after its server is gone. It
    // points at them only so that it is not null (a null ticket means "refused").
    std::shared_ptr<counts> keep = counts_;
    return {ticket(static_cast<void*>(keep.get()),
                   [keep, address](void*) {
                       --keep->total;
                       auto it = keep->by_address.find(address);
                       if (it != keep->by_address.end() && --it->second == 0)
                           keep->by_address.erase(it);
                   }),
            {}};
}

std::size_t connection_gate::open_connections() const { return counts_->total; }
std::size_t connection_gate::max_total() const { return counts_->max_total; }
std::size_t connection_gate::max_per_address() const { return counts_->max_per_address; }

std::string refusal_text(const std::string& proto, const std::string& host,
                         const std::string& reason) {
    if (proto == "smtp") return fmt::format("421 4.7.0 {} {}, try again later\r\n", host, reason);
    if (proto == "pop3") return fmt::format("-ERR [SYS/TEMP] {}, try again later\r\n", reason);
    if (proto == "imap") return fmt::format("* BYE {}, try again later\r\n", reason);
    std::string body = fmt::format("503 Service Unavailable: {}, try again later\n", reason);
    return fmt::format(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: {}\r\nRetry-After: 30\r\nConnection: close\r\n\r\n{}",
        body.size(), body);
}

refusal_session::refusal_session(std::string proto, std::string host, std::string reason,
                                 connection_tracer& tracer)
    : proto_(std::move(proto)), host_(std::move(host)), reason_(std::move(reason)),
      tracer_(tracer) {}

void refusal_session::start() {
    if (started_) return;
    started_ = true;
    tracer_.note("net.note.too_many_connections",
                 fmt::format("{}: the server refuses this connection politely and closes it",
                             reason_),
                 {{"reason", reason_}}, std::nullopt);
    out_ = refusal_text(proto_, host_, reason_);
}

std::string refusal_session::take_output() { return std::exchange(out_, {}); }

}  // namespace maillab
