#include "sim/world/world.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/imap/client_session.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/mime/builder.hpp"
#include "sim/net/memory_pipe.hpp"
#include "sim/net/session_link.hpp"
#include "sim/net/stream_splice.hpp"
#include "sim/net/tap.hpp"
#include "sim/net/tls_context.hpp"
#include "sim/pop3/client_session.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/smtp/address.hpp"
#include "sim/smtp/client_session.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scripted_client.hpp"

namespace maillab::world {

// One self-signed certificate for every TLS host of the world, made when the world is built.
// Its bytes never reach the trace (only version and cipher do), so runs stay identical.
struct world::tls_contexts {
    boost::asio::ssl::context server;
    boost::asio::ssl::context client;
    explicit tls_contexts(const certificate_pair& pair)
        : server(make_server_tls_context(pair)), client(make_client_tls_context()) {
        // No session tickets: they would add records after the handshake for nothing.
        SSL_CTX_set_num_tickets(server.native_handle(), 0);
    }
};

struct world::connection {
    std::string client_host;
    std::string server_host;
    std::unique_ptr<memory_pipe> pipe;
    std::unique_ptr<connection_tracer> client_tracer;
    std::unique_ptr<connection_tracer> server_tracer;
    std::unique_ptr<protocol_session> client;
    std::unique_ptr<protocol_session> server;
    std::unique_ptr<session_link> client_link;
    std::unique_ptr<session_link> server_link;
    relay_environment::connection_done done;
    bool client_closed = false;
    bool server_closed = false;
    bool reported = false;
};

namespace {

std::string describe_action(const action_spec& a) {
    auto to_list = [&] {
        std::string list;
        for (const auto& r : a.to) list += (list.empty() ? "" : ", ") + r;
        return list;
    };
    auto port = [&] {
        auto info = port_by_name(a.port);
        return fmt::format("{}, port {}", a.port, info ? info->number : 0);
    };
    switch (a.kind) {
        case action_kind::send:
            return fmt::format("{} sends a mail from <{}> to {} through {} ({}{})", a.host,
                               a.mail_from, to_list(), a.server, port(),
                               a.auth ? ", with AUTH" : "");
        case action_kind::pop3:
            return fmt::format("{} fetches {}'s mail from {} with POP3 ({}; {})", a.host, a.user,
                               a.server, port(),
                               a.delete_after ? "delete after download" : "leave on the server");
        case action_kind::imap:
            return fmt::format("{} reads {}'s {} on {} with IMAP ({})", a.host, a.user, a.mailbox,
                               a.server, port());
        case action_kind::session:
            return fmt::format("{} talks to {} line by line ({}): {} step(s)", a.host, a.server,
                               port(), a.steps.size());
        case action_kind::wait:
            return a.wait_us % 1'000'000 == 0 ? fmt::format("wait {} s", a.wait_us / 1'000'000)
                                               : fmt::format("wait {} ms", a.wait_us / 1000);
        case action_kind::note: return "note";
        case action_kind::web: {
            std::string steps;
            for (const auto& st : a.web_steps)
                steps += (steps.empty() ? "" : ", ") + std::string(http::to_string(st.what));
            return fmt::format("{} uses the webmail on {} in a browser as {}: {}", a.host, a.server,
                               a.user, steps);
        }
    }
    return "?";
}

// A command for a note: without its line ending, other control bytes made visible, quoted.
std::string quoted_line(std::string_view bytes) {
    if (bytes.ends_with("\r\n")) bytes.remove_suffix(2);
    else if (bytes.ends_with("\n")) bytes.remove_suffix(1);
    return "\"" + visible_bytes(bytes) + "\"";
}

}  // namespace

world::world(const scenario& s, trace& t, scheduler& sched) : s_(s), trace_(t), sched_(sched) {
    build();
}

world::~world() = default;

std::int64_t world::now_us() const { return trace_.clock().now_us(); }

void world::after(std::int64_t delay_us, std::function<void()> action) {
    sched_.schedule_after(delay_us, std::move(action));
}

void world::build() {
    std::set<std::string> names;
    std::string dns_name = "dns";
    for (const auto& h : s_.hosts) {
        names.insert(h.name);
        if (h.roles.count(host_role::dns) && dns_name == "dns") dns_name = h.name;
    }
    dns_ = std::make_unique<dns_zone>(s_.mx, names, dns_name);
    bool any_tls = false;
    for (const auto& h : s_.hosts) any_tls |= h.tls;
    if (any_tls) tls_ = std::make_unique<tls_contexts>(make_self_signed_certificate("maillab.sim"));
    hosts_ = std::make_unique<mail_hosts>(s_, *dns_, static_cast<relay_environment&>(*this),
                                          now_us());
}

std::int64_t world::latency_between(const std::string& a, const std::string& b) const {
    for (const auto& l : s_.links)
        if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return l.latency_us;
    return s_.default_latency_us;
}

const fault_rule* world::unreachable_rule(const std::string& host) const {
    return active_fault(s_, fault_action::unreachable, host, "", now_us() - hosts_->start_us());
}

const fault_rule* world::tls_fault(const std::string& host, const std::string& proto) const {
    return active_fault(s_, fault_action::fail_tls, host, proto, now_us() - hosts_->start_us());
}

const fault_rule* world::restart_rule(const std::string& host) const {
    return active_fault(s_, fault_action::restart, host, "", now_us() - hosts_->start_us());
}

void world::schedule_restarts() {
    for (const auto& rule : s_.faults) {
        if (rule.action != fault_action::restart) continue;
        sched_.schedule_at(hosts_->start_us() + rule.from_us, [this, &rule] { host_goes_down(rule); });
        sched_.schedule_at(hosts_->start_us() + *rule.until_us, [this, &rule] {
            world_note("fault.restart_up",
                       fmt::format("scripted fault ({}): {} is back; its servers accept "
                                   "connections again, with the mail they had",
                                   describe_fault(rule), rule.host),
                       {{"rule", describe_fault(rule)}, {"action", "restart"},
                        {"host", rule.host}, {"defined_at", rule.where}});
        });
    }
}

void world::host_goes_down(const fault_rule& rule) {
    std::size_t cut = 0;
    for (const auto& c : connections_)
        if ((c->server_host == rule.host && !c->server_closed) ||
            (c->client_host == rule.host && !c->client_closed))
            ++cut;
    world_note("fault.restart_down",
               fmt::format("scripted fault ({}): {} stops; {} open connection(s) end without a "
                           "goodbye. Mail it acknowledged is on disk and survives; a transaction "
                           "not yet acknowledged is gone, and its sender must try again",
                           describe_fault(rule), rule.host, cut),
               {{"rule", describe_fault(rule)}, {"action", "restart"}, {"host", rule.host},
                {"connections_cut", cut}, {"defined_at", rule.where}});
    // Each cut connection says why in its own lane, so the student reading one connection sees
    // that its end was staged.
    auto note_cut = [&](connection_tracer& tracer) {
        tracer.note("fault.applied",
                    fmt::format("scripted fault ({}): {} stopped; this connection ends here",
                                describe_fault(rule), rule.host),
                    {{"rule", describe_fault(rule)}, {"action", "restart"},
                     {"defined_at", rule.where}},
                    std::nullopt);
    };
    for (const auto& c : connections_) {
        if (c->server_host == rule.host && !c->server_closed) {
            note_cut(*c->server_tracer);
            c->server_link->abort(rule.host + " stopped (restart)");
        }
        if (c->client_host == rule.host && !c->client_closed) {
            note_cut(*c->client_tracer);
            c->client_link->abort(rule.host + " stopped (restart)");
        }
    }
}

void world::refuse_connection(std::uint64_t id, const port_info& info, const std::string& from_host,
                              const std::string& to_host, const std::string& port,
                              std::int64_t latency, const std::string& why,
                              connection_done done) {
    // The SYN goes out and is answered with a reset one round trip later.
    auto tracer = std::make_shared<connection_tracer>(trace_, id, info.proto, from_host, to_host);
    tracer->outgoing(tap::tcp("connect",
                              fmt::format("{} connects to {} port {} ({})", from_host, to_host,
                                          info.number, port),
                              "memory"));
    sched_.schedule_after(2 * latency, [tracer, to_host, number = info.number, why, done] {
        tracer->outgoing(tap::tcp("connect_failed",
                                  fmt::format("{} refused the connection to port {}: {}", to_host,
                                              number, why),
                                  "memory"));
        done(false, nullptr);
    });
}

void world::connect(const std::string& from_host, const std::string& to_host,
                    const std::string& port, client_factory make_client, connection_done done) {
    port_info info = *port_by_name(port);
    mail_hosts::host& target = *hosts_->find(to_host);
    std::uint64_t id = trace_.new_connection_id();
    std::int64_t latency = latency_between(from_host, to_host);

    if (const fault_rule* rule = restart_rule(from_host)) {
        // A host that is down runs no clients: its relay waits for the restart.
        auto tracer = std::make_shared<connection_tracer>(trace_, id, info.proto, from_host, to_host);
        tracer->outgoing(tap::tcp("connect_failed",
                                  fmt::format("{} cannot connect to {}: it is down ({})",
                                              from_host, to_host, describe_fault(*rule)),
                                  "memory"));
        sched_.schedule_after(0, [done] { done(false, nullptr); });
        return;
    }
    if (const fault_rule* rule = restart_rule(to_host))
        // Nothing listens while the host restarts.
        return refuse_connection(id, info, from_host, to_host, port, latency,
                                 "it is restarting (" + describe_fault(*rule) + ")", done);

    if (const fault_rule* rule = unreachable_rule(to_host)) {
        // The SYN goes out and nothing comes back: the client gives up after its timeout.
        auto tracer = std::make_shared<connection_tracer>(trace_, id, info.proto, from_host, to_host);
        tracer->outgoing(tap::tcp("connect",
                                  fmt::format("{} connects to {} port {} ({})", from_host, to_host,
                                              info.number, port),
                                  "memory"));
        tracer->note("fault.applied",
                     fmt::format("scripted fault ({}): the connection attempt gets no answer",
                                 describe_fault(*rule)),
                     {{"rule", describe_fault(*rule)}, {"action", "unreachable"},
                      {"defined_at", rule->where}},
                     std::nullopt);
        sched_.schedule_after(s_.relay.connect_timeout_us, [tracer, from_host, to_host, info, done,
                                                            timeout = s_.relay.connect_timeout_us] {
            event e = tap::tcp("connect_failed",
                               fmt::format("{} gave up connecting to {} port {} after {} s (no "
                                           "answer)",
                                           from_host, to_host, info.number, timeout / 1'000'000),
                               "memory");
            tracer->outgoing(std::move(e));
            done(false, nullptr);
        });
        return;
    }

    if (!target.spec->roles.count(info.role)) {
        // Nothing listens on that port there (an implicit MX that is only a user agent, say):
        // the SYN is answered with a reset one round trip later.
        return refuse_connection(id, info, from_host, to_host, port, latency,
                                 "no server listens there", done);
    }

    auto c = std::make_unique<connection>();
    connection& conn = *c;
    connections_.push_back(std::move(c));
    conn.client_host = from_host;
    conn.server_host = to_host;
    conn.done = std::move(done);
    conn.pipe = std::make_unique<memory_pipe>(sched_, latency);
    conn.client_tracer = std::make_unique<connection_tracer>(trace_, id, info.proto, from_host, to_host);
    conn.server_tracer = std::make_unique<connection_tracer>(trace_, id, info.proto, to_host, from_host);
    conn.client = make_client(*conn.client_tracer);
    conn.server = hosts_->make_server(target, info, from_host, *conn.server_tracer, false);
    conn.client_link = std::make_unique<session_link>(conn.pipe->client_end(), *conn.client,
                                                      *conn.client_tracer);
    conn.server_link = std::make_unique<session_link>(conn.pipe->server_end(), *conn.server,
                                                      *conn.server_tracer);
    if (edit_ && edit_->conn == id) install_output_edit(conn);
    conn.client_link->on_closed = [this, &conn] {
        conn.client_closed = true;
        connection_closed(conn);
    };
    conn.server_link->on_closed = [this, &conn] {
        conn.server_closed = true;
        connection_closed(conn);
    };
    if (tls_) {
        // Clients can always speak TLS; a server only when its host offers it.
        conn.client_link->enable_tls(tls_->client.native_handle(), false);
        if (target.spec->tls) conn.server_link->enable_tls(tls_->server.native_handle(), true);
        if (const fault_rule* rule = tls_fault(to_host, info.proto)) {
            connection_tracer* tracer = conn.server_tracer.get();
            conn.server_link->fail_tls(
                "handshake_failure (scripted fault: " + describe_fault(*rule) + ")",
                [tracer, rule] {
                    tracer->note("fault.applied",
                                 fmt::format("scripted fault ({}): the server fails the TLS "
                                             "handshake",
                                             describe_fault(*rule)),
                                 {{"rule", describe_fault(*rule)}, {"action", "fail_tls"},
                                  {"defined_at", rule->where}},
                                 std::nullopt);
                });
        }
    }
    std::string detail = fmt::format("port {} ({}), in-memory link, {} ms latency", info.number,
                                     port, latency / 1000);
    bool implicit = info.implicit_tls;
    sched_.schedule_after(0, [this, &conn, detail, latency, implicit] {
        conn.client_link->trace_connect(detail);
        if (implicit) {
            // The server end waits for the ClientHello from the moment the connection exists
            // (it arrives one latency later), then greets inside TLS.
            conn.client_link->start_with_tls();
            conn.server_link->start_with_tls();
            return;
        }
        conn.client_link->start();
        sched_.schedule_after(latency, [&conn] { conn.server_link->start(); });
    });
}

void world::connection_closed(connection& c) {
    if (!c.client_closed || !c.server_closed || c.reported) return;
    c.reported = true;
    // Report from a fresh scheduler action: the links are still inside their callbacks here.
    sched_.schedule_after(0, [&c] {
        if (c.done) c.done(true, c.client.get());
    });
}

void world::install_output_edit(connection& c) {
    const client_output_edit& edit = *edit_;
    auto splice = std::make_shared<stream_splice>(edit.offset, edit.original,
                                                  edit.replacement.value_or(""));
    connection_tracer* tracer = c.client_tracer.get();
    c.client_link->rewrite_outgoing = [this, splice, tracer](std::string out) {
        bool was_started = splice->started();
        std::string sent = splice->pass(out);
        edit_status_.mismatch |= splice->mismatch();
        if (!was_started && splice->started()) {
            edit_status_.applied = true;
            // Traced before the bytes it changes, so the branch parts from the original here.
            const client_output_edit& e = *edit_;
            std::string before = quoted_line(e.original);
            nlohmann::json fields = {{"original_seq", e.original_seq}, {"original", e.original}};
            if (e.replacement) {
                fields["replacement"] = *e.replacement;
                tracer->note("world.whatif.replaced",
                             fmt::format("what if: {} sends {} instead of {}", tracer->local_host(),
                                         quoted_line(*e.replacement), before),
                             std::move(fields), std::nullopt);
            } else {
                tracer->note("world.whatif.skipped",
                             fmt::format("what if: {} does not send {} (skipped); the server "
                                         "never receives it",
                                         tracer->local_host(), before),
                             std::move(fields), std::nullopt);
            }
        }
        return sent;
    };
}

std::uint64_t world::world_note(std::string_view key, std::string text, nlohmann::json fields) {
    event e;
    e.kind = event_kind::note;
    e.proto = "world";
    e.text = std::move(text);
    e.explain = std::string(key);
    e.fields = std::move(fields);
    return trace_.append(std::move(e));
}

void world::run(std::size_t max_actions) {
    outcomes_.assign(s_.script.size(), {});
    for (std::size_t i = 0; i < outcomes_.size(); ++i) outcomes_[i].index = i;
    schedule_restarts();
    run_step(0);
    sched_.run(max_actions);
}

void world::run_step(std::size_t index) {
    if (index >= s_.script.size()) {
        script_done_ = true;
        return;
    }
    const action_spec& a = s_.script[index];
    std::int64_t start = a.at_us ? std::max(now_us(), hosts_->start_us() + *a.at_us)
                                 : now_us() + a.after_us;
    sched_.schedule_at(start, [this, index] {
        const action_spec& a = s_.script[index];
        world_note("world.step",
                   fmt::format("step {} of {}: {}", index + 1, s_.script.size(), describe_action(a)),
                   {{"step", index + 1}, {"action", std::string(to_string(a.kind))},
                    {"defined_at", a.where}});
        switch (a.kind) {
            case action_kind::wait:
                sched_.schedule_after(a.wait_us, [this, index] { step_done(index, true, "waited"); });
                return;
            case action_kind::note: {
                event e;
                e.kind = event_kind::note;
                e.proto = "world";
                e.text = a.note.en;
                e.explain = "world.teacher_note";
                e.fields = {{"text_zh", a.note.zh}};
                trace_.append(std::move(e));
                return step_done(index, true, "note");
            }
            case action_kind::send: return run_send(index, a);
            case action_kind::pop3: return run_pop3(index, a);
            case action_kind::imap: return run_imap(index, a);
            case action_kind::session: return run_session(index, a);
            case action_kind::web: return run_web(index, a);
        }
    });
}

void world::step_done(std::size_t index, bool succeeded, std::string summary) {
    outcomes_[index].finished = true;
    outcomes_[index].succeeded = succeeded;
    outcomes_[index].summary = summary;
    if (s_.script[index].kind != action_kind::wait && s_.script[index].kind != action_kind::note)
        world_note("world.step_done",
                   fmt::format("step {} {}: {}", index + 1, succeeded ? "done" : "did not succeed",
                               summary),
                   {{"step", index + 1}, {"succeeded", succeeded}});
    run_step(index + 1);
}

std::string world::password_of(const action_spec& a) const {
    if (a.password) return *a.password;
    const user_spec* u = s_.find_user(a.user);
    return u ? u->password : std::string();
}

// Users log in with their local part, as most providers let them, unless another user of the
// scenario has the same local part (then the full address, which the store always accepts).
static std::string login_name(const scenario& s, const std::string& address) {
    std::string local = address.substr(0, address.find('@'));
    int same = 0;
    for (const auto& u : s.users)
        if (u.address.substr(0, u.address.find('@')) == local) ++same;
    return same > 1 ? address : local;
}

std::string world::build_message(std::size_t index, const action_spec& a) const {
    const message_spec& m = a.message;
    if (m.raw) return *m.raw;
    mime::compose_request req;
    if (!m.from.empty()) {
        req.from = m.from;
    } else {
        const user_spec* u = s_.find_user(a.mail_from);
        req.from = u && !u->display_name.empty()
                       ? fmt::format("{} <{}>", u->display_name, a.mail_from)
                       : a.mail_from;
    }
    req.to = m.to.empty() ? a.to : m.to;
    req.cc = m.cc;
    req.subject = m.subject;
    req.text = m.text;
    req.html = m.html;
    for (const auto& att : m.attachments) {
        mime::attachment x{att.filename, att.content_type, att.bytes, att.content_id};
        (att.inline_image ? req.inline_images : req.attachments).push_back(std::move(x));
    }
    req.date = rfc5322_date(now_us());
    std::string domain = a.mail_from.empty() ? a.host : smtp::domain_of(a.mail_from);
    req.message_id = !m.message_id.empty()
                         ? m.message_id
                         : fmt::format("<{}.step{}@{}>", s_.id.empty() ? "scenario" : s_.id,
                                       index + 1, domain);
    return mime::build_message(req);
}

void world::run_send(std::size_t index, const action_spec& a) {
    smtp::client_job job;
    job.helo_name = a.host;
    job.mail_from = a.mail_from;
    job.recipients = a.to;
    try {
        job.message = build_message(index, a);
    } catch (const std::exception& err) {
        return step_done(index, false, fmt::format("the message could not be built: {}", err.what()));
    }
    if (a.auth) {
        job.user = login_name(s_, a.user);
        job.password = password_of(a);
    }
    job.use_starttls = a.tls;
    job.require_tls = a.require_tls;
    connect(a.host, a.server, a.port,
            [job](connection_tracer& t) { return std::make_unique<smtp::client_session>(job, t); },
            [this, index](bool connected, protocol_session* client) {
                auto* c = dynamic_cast<smtp::client_session*>(client);
                if (!connected || !c) return step_done(index, false, "no connection");
                const auto& r = c->result();
                std::size_t accepted = 0;
                for (const auto& rr : r.recipients) accepted += rr.code >= 200 && rr.code < 300;
                step_done(index, r.accepted,
                          r.accepted ? fmt::format("the server accepted the mail for {} of {} "
                                                   "recipient(s)",
                                                   accepted, r.recipients.size())
                                     : fmt::format("the mail was not accepted: {}", r.error));
            });
}

void world::run_web(std::size_t index, const action_spec& a) {
    http::browser_job job;
    job.site = a.server;
    job.user = a.user;
    job.password = password_of(a);
    job.lang = a.lang;
    job.steps = a.web_steps;
    // One browser keeps its cookies for a site across the script's steps, as a real one does.
    http::cookie_jar& jar = cookie_jars_[{a.host, a.server}];
    connect(a.host, a.server, "http",
            [job, &jar](connection_tracer& t) { return std::make_unique<http::browser_session>(job, jar, t); },
            [this, index, host = a.host](bool connected, protocol_session* client) {
                auto* b = dynamic_cast<http::browser_session*>(client);
                if (!connected || !b) return step_done(index, false, "no connection");
                const auto& r = b->result();
                for (const auto& d : r.downloads) downloads_.push_back({host, d});
                step_done(index, r.completed,
                          r.completed ? fmt::format("{} browser step(s) done", r.steps_done)
                                      : r.error);
            });
}

void world::run_pop3(std::size_t index, const action_spec& a) {
    pop3::client_job job;
    job.user = login_name(s_, a.user);
    job.password = password_of(a);
    job.method = a.apop ? pop3::login_method::apop : pop3::login_method::user_pass;
    job.use_stls = a.tls;
    job.require_tls = a.require_tls;
    job.delete_after_download = a.delete_after;
    connect(a.host, a.server, a.port,
            [job](connection_tracer& t) { return std::make_unique<pop3::client_session>(job, t); },
            [this, index](bool connected, protocol_session* client) {
                auto* c = dynamic_cast<pop3::client_session*>(client);
                if (!connected || !c) return step_done(index, false, "no connection");
                const auto& r = c->result();
                step_done(index, r.completed,
                          r.completed ? fmt::format("downloaded {} message(s), deleted {}",
                                                    r.messages.size(), r.deleted.size())
                                      : fmt::format("POP3 session failed: {}", r.error));
            });
}

void world::run_imap(std::size_t index, const action_spec& a) {
    imap::client_job job;
    job.user = login_name(s_, a.user);
    job.password = password_of(a);
    job.mailbox = a.mailbox;
    job.use_starttls = a.tls;
    job.fetch_sections = a.fetch;
    job.add_flags = a.flag;
    job.expunge = a.expunge;
    connect(a.host, a.server, a.port,
            [job](connection_tracer& t) { return std::make_unique<imap::client_session>(job, t); },
            [this, index](bool connected, protocol_session* client) {
                auto* c = dynamic_cast<imap::client_session*>(client);
                if (!connected || !c) return step_done(index, false, "no connection");
                const auto& r = c->result();
                step_done(index, r.completed,
                          r.completed ? fmt::format("{} message(s) in the mailbox", r.exists)
                                      : fmt::format("IMAP session failed: {}", r.error));
            });
}

void world::run_session(std::size_t index, const action_spec& a) {
    std::vector<std::string> steps = a.steps;
    std::string line_end = a.line_end;
    connect(a.host, a.server, a.port,
            [steps, line_end](connection_tracer& t) {
                return std::make_unique<scripted_client>(steps, line_end, t);
            },
            [this, index](bool connected, protocol_session* client) {
                auto* c = dynamic_cast<scripted_client*>(client);
                if (!connected || !c) return step_done(index, false, "no connection");
                step_done(index, c->completed(),
                          c->completed() ? fmt::format("all lines sent; {} line(s) read",
                                                       c->lines_read().size())
                                         : "the connection ended before the script did");
            });
}

const mail_store* world::store_for_domain(const std::string& domain) const {
    return hosts_->store_for_domain(to_lower(domain));
}

const mail_store* world::store_of_host(const std::string& host) const {
    return hosts_->store_of_host(host);
}

}  // namespace maillab::world
