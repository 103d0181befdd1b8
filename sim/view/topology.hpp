// The world of a trace as a picture: its hosts and the links between them, laid out in columns
// the way the seeds draw mail (user agents and browsers left, then webmail, the sender's
// submission server, DNS, and the receiving MX / IMAP / POP3 servers right), and which link each
// event travels on. Plain data, no GUI: gui/topology_panel.cpp draws it.
//
// Hosts come from the trace header's "world" (docs/trace-format.md), or, for a trace without
// one (the built-in demo, `maillab serve`), from the hosts seen in events, with their roles read
// from what they do. Links are the ones the trace uses: one per (client, server, protocol, port),
// plus one per host that asks DNS. The layout is deterministic: the same trace gives the same
// picture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/view/trace_model.hpp"

namespace maillab::view {

enum class link_kind {
    http,        // browser <-> webmail
    submission,  // a user agent or a webmail hands mail to its server
    relay,       // server to server, port 25, towards an MX
    retrieval,   // POP3 or IMAP: a client pulls mail
    dns,         // an MX lookup
    other,
};

std::string_view to_string(link_kind kind);

struct topology_host {
    std::string name;
    std::vector<std::string> roles;  // "user_agent", "browser", "webmail", "submission", "mx", ...
    std::string description_en, description_zh;
    bool declared = false;  // listed in the header's world (else only seen in events)
    int column = 0;         // 0 = leftmost used column
    float x = 0, y = 0;     // centre, normalised to [0, 1] in both directions
};

struct topology_link {
    std::size_t client = 0;  // host index: who connects (the asker, for DNS)
    std::size_t server = 0;  // host index: who is connected to (the DNS host)
    std::string proto;       // "http", "smtp", "pop3", "imap", "dns"
    link_kind kind = link_kind::other;
    int port = 0;       // 0 when the trace does not say (DNS)
    std::string label;  // "SMTP 587", "IMAP 143", "DNS MX"
    std::size_t first_event = 0;
    std::size_t uses = 0;      // connections, or lookups for DNS
    std::size_t failures = 0;  // connections that never got through (no answer, refused)
    // Links between the same two hosts are drawn side by side: this one's place among them.
    int parallel_index = 0;
    int parallel_count = 1;
};

// The link an event travels on, and in which direction.
struct hop {
    std::size_t link = 0;
    bool towards_server = true;  // from the link's client to its server
};

class topology {
  public:
    static topology build(const trace_model& model);

    const std::vector<topology_host>& hosts() const { return hosts_; }
    const std::vector<topology_link>& links() const { return links_; }
    int columns() const { return columns_; }
    std::optional<std::size_t> host_index(const std::string& name) const;
    // The link of the event at `event_index`: its connection's link, the DNS link for a query
    // or an answer; nothing for a local event (state, store, queue, note).
    std::optional<hop> hop_of(const trace_model& model, std::size_t event_index) const;
    // The host where a local event happened (its `from`), or the sending host of a hop.
    std::optional<std::size_t> host_of(const trace_model& model, std::size_t event_index) const;

  private:
    std::vector<topology_host> hosts_;
    std::vector<topology_link> links_;
    std::vector<std::pair<std::uint64_t, std::size_t>> conn_links_;  // sorted by conn
    int columns_ = 0;
};

// What is going on at each host at the cursor, for the badges of the picture.
struct host_activity {
    std::size_t dns_lookups = 0;  // MX queries this host (asker or DNS server) took part in
    std::size_t events_since_dns = SIZE_MAX;  // how recent the last one is (0: at the cursor)
    std::size_t queued = 0;                   // entries in its relay queue
    std::size_t retries = 0;                  // deferred deliveries so far (each waits for a retry)
    std::size_t bounces = 0;
};

// One entry per host of `topo`.
std::vector<host_activity> activity_at(const trace_model& model, const topology& topo,
                                       std::size_t cursor);

}  // namespace maillab::view
