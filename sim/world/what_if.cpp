#include "sim/world/what_if.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/view/mailbox_state.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::world {

namespace {

std::string upper_proto(const std::string& proto) { return to_upper(proto); }

// "a reply from mail.a.example to pc.alice on connection 1 (SMTP): 250 2.1.5 OK"
std::string describe_event(const event& e) {
    std::string what;
    switch (e.kind) {
        case event_kind::command: what = "a command"; break;
        case event_kind::reply: what = "a reply"; break;
        case event_kind::data: what = "a message text (sent after DATA)"; break;
        case event_kind::bytes: what = "a chunk of bytes"; break;
        case event_kind::state: what = "a state change"; break;
        case event_kind::store: what = "a store event"; break;
        case event_kind::queue: what = "a relay queue event"; break;
        case event_kind::dns: what = "a DNS event"; break;
        case event_kind::http: what = "an HTTP event"; break;
        case event_kind::tcp: what = "a TCP event"; break;
        case event_kind::tls: what = "a TLS event"; break;
        case event_kind::note: what = "a note"; break;
    }
    if (!e.from.empty()) what += " from " + e.from;
    if (!e.to.empty()) what += " to " + e.to;
    if (e.conn) what += fmt::format(" on connection {}", e.conn);
    if (!e.proto.empty()) what += " (" + upper_proto(e.proto) + ")";
    std::string text = e.text.size() > 80 ? e.text.substr(0, 77) + "..." : e.text;
    return what + ": " + text;
}

bool is_client_command(const event& e) {
    return e.kind == event_kind::command && e.raw && !e.raw->empty() && e.conn != 0;
}

// The client command closest to index `i`: the one a reply answers, else the nearest.
std::string nearest_command_hint(const std::vector<event>& events, std::size_t i) {
    const event& e = events[i];
    auto name = [](const event& c) {
        return fmt::format("seq {} ({}: {})", c.seq, c.from, c.text);
    };
    if (e.cause)
        for (const auto& c : events)
            if (c.seq == *e.cause && is_client_command(c))
                return "it answers the client command " + name(c);
    for (std::size_t d = 1; d < events.size(); ++d) {
        if (i >= d && is_client_command(events[i - d])) return "the nearest client command is " + name(events[i - d]);
        if (i + d < events.size() && is_client_command(events[i + d]))
            return "the nearest client command is " + name(events[i + d]);
    }
    return "this run has no client command to edit";
}

bool connection_open_at_end(const std::vector<event>& events, std::uint64_t conn) {
    bool connected = false;
    for (const auto& e : events) {
        if (e.conn != conn || e.kind != event_kind::tcp) continue;
        std::string action = text_field(e, "action");
        if (action == "connect") connected = true;
        if (action == "close" || action == "reset" || action == "connect_failed") return false;
    }
    return connected;
}

// The state a machine of this connection was last in ("smtp.client" -> "RCPT").
std::optional<std::string> last_state(const std::vector<event>& events, std::uint64_t conn,
                                      std::string_view side) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (it->conn != conn || it->kind != event_kind::state) continue;
        std::string machine = text_field(*it, "machine");
        if (machine.ends_with(side)) return text_field(*it, "to_state");
    }
    return std::nullopt;
}

std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> final_mail(
    const scenario_result& r) {
    view::trace_model model(r.header, r.events);
    view::mailbox_history history;
    history.update(model);
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> out;
    if (model.empty()) return out;
    for (const auto& u : history.at(model, model.size() - 1))
        for (const auto& f : u.folders) {
            auto& list = out[{u.host, u.user, f.name}];
            for (const auto& m : f.messages)
                list.push_back(fmt::format("{} {}", m.subject.empty() ? "(no subject)" : m.subject,
                                           m.message_id));
        }
    return out;
}

// What a reply answers, to pair replies across the runs: the verb of the command it answers
// ("RCPT"), "message text" for the answer to a DATA text, "" for a greeting.
std::string answered(const std::vector<event>& events, const event& reply) {
    if (!reply.cause) return "";
    auto it = std::lower_bound(events.begin(), events.end(), *reply.cause,
                               [](const event& e, std::uint64_t seq) { return e.seq < seq; });
    if (it == events.end() || it->seq != *reply.cause) return "";
    if (it->kind == event_kind::data) return "message text";
    return text_field(*it, "verb", it->text);
}

// Two lists aligned on equal keys in order (a longest common subsequence): pairs of positions,
// a position without a partner paired with nothing. Lists too long for the table are paired in
// order instead.
std::vector<std::pair<std::optional<std::size_t>, std::optional<std::size_t>>> align(
    const std::vector<std::string>& ka, const std::vector<std::string>& kb) {
    const std::size_t n = ka.size(), m = kb.size();
    std::vector<std::pair<std::optional<std::size_t>, std::optional<std::size_t>>> out;
    if ((n + 1) * (m + 1) > 8'000'000) {
        for (std::size_t k = 0; k < std::max(n, m); ++k)
            out.push_back({k < n ? std::optional(k) : std::nullopt, k < m ? std::optional(k) : std::nullopt});
        return out;
    }
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            at(i, j) = ka[i] == kb[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && ka[i] == kb[j]) out.push_back({i++, j++});
        else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) out.push_back({i++, std::nullopt});
        else out.push_back({std::nullopt, j++});
    }
    return out;
}

// The replies of both runs paired by what they answer, in order: a reply whose command the
// other run never sent stands alone.
std::vector<reply_pair> pair_replies(const std::vector<event>& a, const std::vector<std::size_t>& ra,
                                     const std::vector<event>& b, const std::vector<std::size_t>& rb) {
    std::vector<std::string> ka, kb;
    for (std::size_t i : ra) ka.push_back(answered(a, a[i]));
    for (std::size_t i : rb) kb.push_back(answered(b, b[i]));
    std::vector<reply_pair> out;
    for (const auto& [x, y] : align(ka, kb)) {
        reply_pair p;
        if (x) p.original = ra[*x];
        if (y) p.branch = rb[*y];
        p.differs = !p.original || !p.branch || a[*p.original].raw != b[*p.branch].raw;
        out.push_back(p);
    }
    return out;
}

// What an event is, for lining the two runs up: kind, connection and verb, answered verb,
// state reached or action; not its text, so a changed reply faces the original one.
std::string row_key(const std::vector<event>& events, const event& e) {
    std::string key = fmt::format("{} {} ", to_string(e.kind), e.conn);
    switch (e.kind) {
        case event_kind::command: return key + text_field(e, "verb", e.text);
        case event_kind::reply: return key + answered(events, e);
        case event_kind::state:
            return key + text_field(e, "machine") + " " + text_field(e, "to_state");
        case event_kind::note: return key + e.explain;
        default: return key + text_field(e, "action");
    }
}

}  // namespace

located_command locate_client_command(const std::vector<event>& events, std::uint64_t seq) {
    auto found = std::find_if(events.begin(), events.end(),
                              [&](const event& e) { return e.seq == seq; });
    if (found == events.end())
        throw what_if_error(fmt::format("seq {}: there is no event with that seq (the run has seq "
                                        "1..{})",
                                        seq, events.empty() ? 0 : events.back().seq));
    const std::size_t i = static_cast<std::size_t>(found - events.begin());
    const event& e = *found;
    if (!is_client_command(e)) {
        std::string why = e.kind == event_kind::http
                              ? "; what if edits SMTP, POP3 and IMAP commands, not HTTP requests"
                              : "";
        throw what_if_error(fmt::format("seq {} is {}, not a client command{}; {}", seq,
                                        describe_event(e), why, nearest_command_hint(events, i)));
    }

    located_command c;
    c.index = i;
    c.seq = e.seq;
    c.conn = e.conn;
    c.client = e.from;
    c.server = e.to;
    c.proto = e.proto;
    c.text = e.text;
    c.bytes = *e.raw;

    // Everything the client sent on this connection, in order (the tap traces the plaintext,
    // inside TLS too), and where each command and message text the server read sits in it.
    std::string stream;
    for (const auto& b : events)
        if (b.conn == e.conn && b.kind == event_kind::bytes && b.from == c.client && b.raw)
            stream += *b.raw;
    std::size_t cursor = 0;
    for (std::size_t k = 0; k <= i; ++k) {
        const event& x = events[k];
        if (x.conn != e.conn || x.from != c.client || !x.raw ||
            (x.kind != event_kind::command && x.kind != event_kind::data))
            continue;
        std::size_t at = stream.find(*x.raw, cursor);
        if (at == std::string::npos) {
            if (k == i)
                throw what_if_error(fmt::format("seq {}: its bytes are not in what {} sent on "
                                                "connection {}, so the command cannot be edited "
                                                "where it leaves the client",
                                                seq, c.client, c.conn));
            continue;
        }
        cursor = at + x.raw->size();
        if (k == i) c.offset = at;
    }
    return c;
}

std::string replacement_bytes(std::string_view text, std::string_view original) {
    std::string out(text);
    if (out.ends_with('\n')) return out;
    if (original.ends_with("\r\n")) out += "\r\n";
    else if (original.ends_with('\n')) out += "\n";
    return out;
}

std::vector<what_if_row> what_if_rows(const what_if_result& r,
                                      const std::function<bool(const event&)>& shown,
                                      std::size_t context) {
    const auto& a = r.original.events;
    const auto& b = r.branch.events;
    std::size_t start = r.divergence, seen = 0;
    while (start > 0 && seen < context)
        if (shown(a[--start])) ++seen;
    std::vector<what_if_row> rows;
    for (std::size_t i = start; i < r.divergence; ++i)
        if (shown(a[i])) rows.push_back({i, i});
    if (r.divergence < b.size()) rows.push_back({std::nullopt, r.divergence});
    std::vector<std::size_t> left, right;
    std::vector<std::string> ka, kb;
    for (std::size_t i = r.divergence; i < a.size(); ++i)
        if (shown(a[i])) {
            left.push_back(i);
            ka.push_back(row_key(a, a[i]));
        }
    for (std::size_t i = r.divergence + 1; i < b.size(); ++i)
        if (shown(b[i])) {
            right.push_back(i);
            kb.push_back(row_key(b, b[i]));
        }
    for (const auto& [x, y] : align(ka, kb))
        rows.push_back({x ? std::optional(left[*x]) : std::nullopt,
                        y ? std::optional(right[*y]) : std::nullopt});
    return rows;
}

what_if_result run_what_if(const scenario& s, const what_if_edit& edit,
                           const std::vector<trace_listener*>& branch_listeners) {
    what_if_result r;
    r.edit = edit;
    r.original = run_scenario(s);
    r.target = locate_client_command(r.original.events, edit.seq);

    client_output_edit out;
    out.conn = r.target.conn;
    out.offset = r.target.offset;
    out.original = r.target.bytes;
    if (edit.replacement) out.replacement = replacement_bytes(*edit.replacement, r.target.bytes);
    out.original_seq = r.target.seq;
    r.branch = run_scenario(s, branch_listeners, &out);

    const auto& a = r.original.events;
    const auto& b = r.branch.events;
    if (!r.branch.edit || !r.branch.edit->applied)
        throw std::logic_error(fmt::format("what if: the branch never sent seq {}'s bytes on "
                                           "connection {} (the run is not the original's)",
                                           edit.seq, r.target.conn));
    auto note = std::find_if(b.begin(), b.end(), [](const event& e) {
        return e.kind == event_kind::note && e.explain.starts_with("world.whatif.");
    });
    std::size_t note_index = static_cast<std::size_t>(note - b.begin());
    std::size_t same = 0;
    while (same < a.size() && same < b.size() && a[same] == b[same]) ++same;
    // Determinism: the branch must be the original, event for event, up to its edit.
    if (same != note_index || r.branch.edit->mismatch)
        throw std::logic_error(fmt::format("what if: the branch parted from the original at event "
                                           "{} (seq {}), before the edit at seq {}: the run is not "
                                           "deterministic",
                                           same, same < b.size() ? b[same].seq : 0, edit.seq));
    r.divergence = note_index;

    // The edited connection's replies from the divergence on, paired in order.
    auto replies_after = [&](const std::vector<event>& events) {
        std::vector<std::size_t> list;
        for (std::size_t k = r.divergence; k < events.size(); ++k)
            if (events[k].conn == r.target.conn && events[k].kind == event_kind::reply) list.push_back(k);
        return list;
    };
    r.replies = pair_replies(a, replies_after(a), b, replies_after(b));

    for (std::size_t k = 0; k < r.original.steps.size() && k < r.branch.steps.size(); ++k)
        r.steps.push_back({k, r.original.steps[k], r.branch.steps[k]});
    for (std::size_t k = 0; k < r.original.expectations.size() && k < r.branch.expectations.size(); ++k) {
        const auto& x = r.original.expectations[k];
        const auto& y = r.branch.expectations[k];
        r.expectations.push_back({x.summary, x.passed, y.passed, x.found, y.found});
    }

    auto mail_a = final_mail(r.original), mail_b = final_mail(r.branch);
    std::set<std::tuple<std::string, std::string, std::string>> folders;
    for (const auto& [k, v] : mail_a) folders.insert(k);
    for (const auto& [k, v] : mail_b) folders.insert(k);
    for (const auto& k : folders) {
        auto x = mail_a.count(k) ? mail_a[k] : std::vector<std::string>{};
        auto y = mail_b.count(k) ? mail_b[k] : std::vector<std::string>{};
        if (x != y) r.mailboxes.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), x, y});
    }

    // Why the branch ended as it did.
    std::set<std::uint64_t> conns;
    for (std::size_t k = r.divergence; k < b.size(); ++k)
        if (b[k].conn) conns.insert(b[k].conn);
    conns.insert(r.target.conn);
    for (std::uint64_t conn : conns) {
        if (!connection_open_at_end(b, conn)) continue;
        std::string client, server;
        for (const auto& e : b)
            if (e.conn == conn && e.kind == event_kind::tcp) {
                client = e.from;
                server = e.to;
                break;
            }
        auto cs = last_state(b, conn, ".client");
        auto ss = last_state(b, conn, ".server");
        std::string text = fmt::format(
            "Connection {} ({} -> {}) was still open when the world stopped: nothing was left to "
            "happen (no bytes in flight, no timer pending), so the run ended there.",
            conn, client, server);
        if (cs && ss) text += fmt::format(" The client was in state {}, the server in state {}.", *cs, *ss);
        else if (cs) text += fmt::format(" The client was in state {}.", *cs);
        else if (ss) text += fmt::format(" The server was in state {}.", *ss);
        if (conn == r.target.conn && !edit.replacement)
            text += " The client waits for the answer to the command it believes it sent; the "
                    "server never received it and waits for the next command. Neither speaks: a "
                    "real client would time out (RFC 5321 4.5.3.2 gives an SMTP client 5 minutes "
                    "for most replies).";
        else if (conn == r.target.conn)
            text += " The client and the server no longer agree on where the conversation is.";
        r.explanations.push_back(std::move(text));
    }
    auto started = [&](std::size_t index) {
        return std::any_of(b.begin(), b.end(), [&](const event& e) {
            return e.kind == event_kind::note && e.explain == "world.step" &&
                   count_field(e, "step") == index + 1;
        });
    };
    for (const auto& st : r.steps) {
        if (st.original.finished && !st.branch.finished && !started(st.index))
            r.explanations.push_back(fmt::format("Step {} never started in the branch: the script "
                                                 "runs its steps one after the other and was still "
                                                 "waiting for an earlier one.",
                                                 st.index + 1));
        else if (st.original.finished && !st.branch.finished)
            r.explanations.push_back(fmt::format("Step {} finished in the original run but never "
                                                 "finishes in the branch ({}).",
                                                 st.index + 1, s.script[st.index].where));
        else if (st.original.succeeded && st.branch.finished && !st.branch.succeeded)
            r.explanations.push_back(fmt::format("Step {} succeeded in the original run; in the "
                                                 "branch it did not: {}.",
                                                 st.index + 1, st.branch.summary));
    }
    return r;
}

}  // namespace maillab::world
