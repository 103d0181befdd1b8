#include "sim/world/scenario_loader.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/state_machine.hpp"
#include "sim/smtp/address.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::world {
namespace {

const std::vector<std::string> role_names = {"user_agent", "submission", "mx",    "pop3",
                                             "imap",       "dns",        "webmail", "browser"};

bilingual read_bilingual(const json_value& v) {
    if (v.is_string()) return {v.as_string(), v.as_string()};
    v.expect_keys({"en", "zh"});
    bilingual b;
    b.en = v.member("en").as_string();
    b.zh = v.has("zh") ? v.member("zh").as_string() : b.en;
    return b;
}

std::string domain_part(const std::string& address) {
    auto at = address.rfind('@');
    return at == std::string::npos ? std::string() : to_lower(address.substr(at + 1));
}

void check_address(const json_value& v, const std::string& address) {
    auto at = address.find('@');
    // The store's rules too ('/' and a leading '.' would be paths in a Maildir).
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find_first_of(" <>/\\\r\n\t") != std::string::npos || address.front() == '.' ||
        !smtp::plausible_mailbox(address))
        v.fail(fmt::format("\"{}\" is not a mail address like \"bob@b.example\"", address));
}

class loader {
public:
    // `pointer` is where the scenario object sits in the document: "" for a scenario file,
    // "/scenario" for one inside a lab file.
    loader(const json_document& doc, std::string pointer) : doc_(doc), pointer_(std::move(pointer)) {}

    scenario load() {
        const nlohmann::json* at = &doc_.root();
        if (!pointer_.empty()) at = &doc_.root().at(nlohmann::json::json_pointer(pointer_));
        json_value root(doc_, *at, pointer_);
        root.expect_object();
        root.expect_keys({"maillab_scenario", "title", "description", "seeds", "hosts", "users",
                          "dns", "links", "latency", "relay", "faults", "script", "expect"});
        auto version = root.member("maillab_scenario");
        if (version.as_integer(1, 1000000) > scenario_format_version)
            version.fail(fmt::format("this file is scenario format {}; this maillab reads "
                                     "format {} and older",
                                     version.json().get<int>(), scenario_format_version));
        s_.path = doc_.file();
        s_.title = read_bilingual(root.member("title"));
        if (auto d = root.optional_member("description")) s_.description = read_bilingual(*d);
        if (auto seeds = root.optional_member("seeds")) s_.seeds = seeds->as_string_list();
        if (auto l = root.optional_member("latency")) s_.default_latency_us = l->as_duration_us();
        for (const auto& h : root.member("hosts").elements()) read_host(h);
        if (s_.hosts.empty()) root.member("hosts").fail("a scenario needs at least one host");
        check_webmail_servers(root.member("hosts"));
        if (auto users = root.optional_member("users"))
            for (const auto& u : users->elements()) read_user(u);
        if (auto dns = root.optional_member("dns")) read_dns(*dns);
        if (auto links = root.optional_member("links"))
            for (const auto& l : links->elements()) read_link(l);
        if (auto relay = root.optional_member("relay")) read_relay(*relay);
        if (auto faults = root.optional_member("faults"))
            for (const auto& f : faults->elements()) read_fault(f);
        for (const auto& a : root.member("script").elements()) read_action(a);
        if (auto expect = root.optional_member("expect"))
            for (const auto& e : expect->elements()) read_expectation(e);
        return std::move(s_);
    }

private:
    void check_webmail_servers(const json_value& hosts) {
        std::size_t i = 0;
        for (const auto& v : hosts.elements()) {
            const host_spec& h = s_.hosts[i++];
            if (!h.roles.count(host_role::webmail)) continue;
            for (auto [key, role] : {std::pair{"imap_server", host_role::imap},
                                     std::pair{"submission_server", host_role::submission}}) {
                auto field = v.member(key);
                const host_spec& server = existing_host(field);
                if (!server.roles.count(role))
                    field.fail(fmt::format("\"{}\" has no \"{}\" role", server.name, to_string(role)));
            }
        }
    }

    const host_spec& existing_host(const json_value& v) {
        std::string name = v.as_nonempty_string();
        const host_spec* h = s_.find_host(name);
        if (!h) {
            std::string list;
            for (const auto& x : s_.hosts) list += (list.empty() ? "" : ", ") + x.name;
            v.fail(fmt::format("no host named \"{}\"; the hosts are: {}", name, list));
        }
        return *h;
    }

    const user_spec& existing_user(const json_value& v) {
        std::string address = v.as_nonempty_string();
        const user_spec* u = s_.find_user(address);
        if (!u) v.fail(fmt::format("no user \"{}\" in \"users\"", address));
        return *u;
    }

    void read_host(const json_value& v) {
        v.expect_keys({"name", "roles", "domains", "tls", "max_message_size", "description",
                       "imap_server", "submission_server", "address"});
        host_spec h;
        h.where = v.where();
        auto name = v.member("name");
        h.name = to_lower(name.as_nonempty_string());
        if (h.name.find_first_of(" /\\:@") != std::string::npos)
            name.fail(fmt::format("\"{}\" is not a host name like \"mx.b.example\"", h.name));
        if (s_.find_host(h.name)) name.fail(fmt::format("a second host named \"{}\"", h.name));
        auto roles = v.member("roles");
        for (const auto& r : roles.elements())
            h.roles.insert(*host_role_from_string(r.as_choice(role_names)));
        if (h.roles.empty()) roles.fail("a host needs at least one role");
        bool serves_mail = h.roles.count(host_role::mx) || h.roles.count(host_role::submission) ||
                           h.roles.count(host_role::pop3) || h.roles.count(host_role::imap);
        if (h.roles.count(host_role::user_agent) && h.roles.size() > 1)
            roles.fail("a user_agent only connects; give servers their own host");
        if (h.roles.count(host_role::browser) && h.roles.size() > 1)
            roles.fail("a browser only connects; give servers their own host");
        if (auto a = v.optional_member("address")) {
            // Only `maillab serve --as` uses it: where this host runs on a class network.
            h.address = a->as_nonempty_string();
            if (h.address.find_first_of(" /\\@=") != std::string::npos)
                a->fail(fmt::format("\"{}\" is not an IP address or a machine name", h.address));
        }
        if (h.roles.count(host_role::webmail)) {
            // Checked against the other hosts once all are read (check_webmail_servers).
            h.imap_server = to_lower(v.member("imap_server").as_nonempty_string());
            h.submission_server = to_lower(v.member("submission_server").as_nonempty_string());
        } else {
            for (const char* key : {"imap_server", "submission_server"})
                if (v.has(key))
                    v.member(key).fail(fmt::format("only a host with the webmail role has \"{}\"", key));
        }
        if (auto domains = v.optional_member("domains")) {
            for (const auto& d : domains->elements()) {
                std::string domain = to_lower(d.as_nonempty_string());
                if (domain.find_first_of(" @/") != std::string::npos)
                    d.fail(fmt::format("\"{}\" is not a domain like \"b.example\"", domain));
                h.domains.push_back(domain);
            }
            if (!serves_mail)
                domains->fail("only hosts with a mail role (submission, mx, pop3, imap) serve "
                              "domains");
        }
        if (serves_mail && h.domains.empty())
            v.member("roles").fail(fmt::format(
                "host \"{}\" has a mail role but no \"domains\" whose mail it holds", h.name));
        if (auto tls = v.optional_member("tls")) h.tls = tls->as_bool();
        if (auto size = v.optional_member("max_message_size"))
            h.max_message_size = static_cast<std::size_t>(size->as_integer(1024, 1LL << 31));
        if (auto d = v.optional_member("description")) h.description = read_bilingual(*d);
        s_.hosts.push_back(std::move(h));
    }

    void read_user(const json_value& v) {
        v.expect_keys({"address", "password", "name"});
        user_spec u;
        auto address = v.member("address");
        u.address = address.as_nonempty_string();
        check_address(address, u.address);
        u.address = canonical_address(u.address);
        if (s_.find_user(u.address))
            address.fail(fmt::format("a second user \"{}\"", u.address));
        std::string domain = domain_part(u.address);
        bool served = false;
        for (const auto& h : s_.hosts)
            for (const auto& d : h.domains) served |= d == domain;
        if (!served)
            address.fail(fmt::format("no host serves the domain \"{}\" (add it to a host's "
                                     "\"domains\")",
                                     domain));
        u.password = v.member("password").as_string();
        if (auto n = v.optional_member("name")) u.display_name = n->as_string();
        s_.users.push_back(std::move(u));
    }

    void read_dns(const json_value& v) {
        v.expect_keys({"mx"});
        auto mx = v.member("mx");
        mx.expect_object();
        for (const auto& [domain, _] : mx.json().items()) {
            auto records = mx.member(domain);
            std::vector<mx_record> list;
            for (const auto& r : records.elements()) {
                r.expect_keys({"preference", "host"});
                mx_record rec;
                rec.preference = static_cast<int>(r.member("preference").as_integer(0, 65535));
                auto host = r.member("host");
                const host_spec& h = existing_host(host);
                if (!h.roles.count(host_role::mx))
                    host.fail(fmt::format("host \"{}\" has no \"mx\" role: it would not accept "
                                          "mail on port 25",
                                          h.name));
                rec.host = h.name;
                list.push_back(rec);
            }
            s_.mx[to_lower(domain)] = std::move(list);
        }
    }

    void read_link(const json_value& v) {
        v.expect_keys({"between", "latency"});
        auto between = v.member("between");
        auto ends = between.elements();
        if (ends.size() != 2) between.fail("expected the names of two hosts");
        link_spec l;
        l.a = existing_host(ends[0]).name;
        l.b = existing_host(ends[1]).name;
        l.latency_us = v.member("latency").as_duration_us();
        s_.links.push_back(l);
    }

    void read_relay(const json_value& v) {
        v.expect_keys({"retry", "give_up_after", "connect_timeout"});
        if (auto retry = v.optional_member("retry")) {
            s_.relay.retry_us.clear();
            for (const auto& r : retry->elements()) {
                std::int64_t us = r.as_duration_us();
                if (us <= 0) r.fail("a retry wait must be longer than zero");
                s_.relay.retry_us.push_back(us);
            }
            if (s_.relay.retry_us.empty()) retry->fail("give at least one retry wait");
        }
        if (auto g = v.optional_member("give_up_after")) s_.relay.give_up_after_us = g->as_duration_us();
        if (auto c = v.optional_member("connect_timeout")) {
            s_.relay.connect_timeout_us = c->as_duration_us();
            if (s_.relay.connect_timeout_us <= 0) c->fail("must be longer than zero");
        }
    }

    void read_fault(const json_value& v) {
        v.expect_object();
        fault_rule f;
        f.where = v.where();
        auto action = v.member("action");
        std::string a = action.as_choice({"reply", "reply_and_close", "close", "drop_data",
                                          "fail_tls", "unreachable", "mailbox_full",
                                          "lose_reply", "corrupt", "delay", "restart"});
        static const std::map<std::string, fault_action> actions = {
            {"reply", fault_action::reply},       {"reply_and_close", fault_action::reply_and_close},
            {"close", fault_action::close},       {"drop_data", fault_action::drop_data},
            {"fail_tls", fault_action::fail_tls}, {"unreachable", fault_action::unreachable},
            {"mailbox_full", fault_action::mailbox_full},
            {"lose_reply", fault_action::lose_reply}, {"corrupt", fault_action::corrupt},
            {"delay", fault_action::delay},           {"restart", fault_action::restart}};
        f.action = actions.at(a);
        // Each action has its own keys: a key that would do nothing is an error.
        std::set<std::string> keys = {"name", "host", "action", "from", "until"};
        switch (f.action) {
            case fault_action::reply:
            case fault_action::reply_and_close:
                keys.insert({"proto", "command", "argument_contains", "nth", "reply"});
                break;
            case fault_action::close:
                keys.insert({"proto", "command", "argument_contains", "nth"});
                break;
            case fault_action::drop_data: keys.insert({"proto", "nth", "lines"}); break;
            case fault_action::fail_tls: keys.insert({"proto"}); break;
            case fault_action::unreachable: break;
            case fault_action::mailbox_full: keys.insert({"user", "permanent", "nth"}); break;
            case fault_action::lose_reply:
                keys.insert({"proto", "command", "argument_contains", "nth"});
                break;
            case fault_action::corrupt:
                keys.insert({"proto", "command", "nth", "replace", "with"});
                break;
            case fault_action::delay:
                keys.insert({"proto", "command", "argument_contains", "nth", "delay"});
                break;
            case fault_action::restart: break;
        }
        v.expect_keys(keys);
        if (auto n = v.optional_member("name")) f.name = n->as_string();
        const host_spec& host = existing_host(v.member("host"));
        f.host = host.name;
        if (auto p = v.optional_member("proto")) f.proto = p->as_choice({"smtp", "pop3", "imap"});
        if (auto c = v.optional_member("command")) f.command = to_upper(c->as_nonempty_string());
        if (auto c = v.optional_member("argument_contains")) f.argument_contains = c->as_string();
        if (auto n = v.optional_member("nth"))
            f.nth = static_cast<std::uint32_t>(n->as_integer(1, 1000000));
        if (auto t = v.optional_member("from")) f.from_us = t->as_duration_us();
        if (auto t = v.optional_member("until")) f.until_us = t->as_duration_us();
        // A corrupt rule without a command changes any line, the DATA text's included.
        bool command_optional = f.action == fault_action::corrupt;
        if (keys.count("command") && f.command.empty() && !command_optional)
            v.fail(fmt::format("a \"{}\" fault needs the \"command\" it answers", a));
        if (f.command == "." && f.action == fault_action::reply)
            v.member("action").fail(
                "a reply to \".\" alone would leave the server inside DATA waiting for the end "
                "of a text it never gets; use \"reply_and_close\" or \"close\"");
        if (f.action == fault_action::reply || f.action == fault_action::reply_and_close) {
            auto r = v.member("reply");
            f.reply = r.as_nonempty_string();
            if (f.reply.find_first_of("\r\n") != std::string::npos)
                r.fail("one reply line, without CR or LF");
            if (f.proto.empty() || f.proto == "smtp") {
                if (f.reply.size() < 3 || f.reply.find_first_not_of("0123456789") < 3 ||
                    f.reply[0] < '2' || f.reply[0] > '5')
                    r.fail(fmt::format("\"{}\" does not start with an SMTP reply code (2xx-5xx)",
                                       f.reply));
            }
        }
        if (f.action == fault_action::drop_data) {
            f.lines = static_cast<std::uint32_t>(v.member("lines").as_integer(0, 1000000));
            if (f.proto.empty()) f.proto = "smtp";
            if (f.proto != "smtp") v.member("proto").fail("drop_data is about SMTP's DATA");
        }
        if (f.action == fault_action::mailbox_full) {
            f.user = existing_user(v.member("user")).address;
            if (auto p = v.optional_member("permanent")) f.permanent = p->as_bool();
            f.proto = "smtp";
        }
        if (f.action == fault_action::fail_tls && !host.tls)
            v.member("host").fail(fmt::format("\"{}\" offers no TLS (\"tls\": true), so it has "
                                              "no handshake to fail",
                                              host.name));
        if (f.action == fault_action::corrupt) {
            auto r = v.member("replace");
            f.replace = r.as_nonempty_string();
            f.with = v.member("with").as_string();
            if (f.replace.find_first_of("\r\n") != std::string::npos ||
                f.with.find_first_of("\r\n") != std::string::npos)
                r.fail("\"replace\" and \"with\" change bytes inside one line: no CR or LF");
            if (f.replace == f.with) v.member("with").fail("\"with\" is the same as \"replace\"");
        }
        if (f.action == fault_action::delay) {
            auto d = v.member("delay");
            f.delay_us = d.as_duration_us();
            if (f.delay_us <= 0) d.fail("must be longer than zero");
        }
        if (f.action == fault_action::restart) {
            // Down from `from` until `until`: both moments are the rule.
            v.member("from");
            v.member("until");
            if (f.from_us <= 0) v.member("from").fail("a restart needs a moment after the start");
        }
        if (f.until_us && *f.until_us <= f.from_us)
            v.member("until").fail("\"until\" must come after \"from\"");
        s_.faults.push_back(std::move(f));
    }

    message_spec read_message(const json_value& v) {
        message_spec m;
        if (v.is_string()) {
            m.raw = v.as_string();
            return m;
        }
        v.expect_keys({"raw", "from", "to", "cc", "subject", "text", "html", "attachments",
                       "message_id"});
        if (auto raw = v.optional_member("raw")) {
            if (v.json().size() != 1) v.fail("\"raw\" is the whole message: no other keys with it");
            m.raw = raw->as_string();
            return m;
        }
        if (auto f = v.optional_member("from")) m.from = f->as_string();
        if (auto t = v.optional_member("to")) m.to = t->as_string_list();
        if (auto c = v.optional_member("cc")) m.cc = c->as_string_list();
        if (auto s = v.optional_member("subject")) m.subject = s->as_string();
        if (auto t = v.optional_member("text")) m.text = t->as_string();
        if (auto h = v.optional_member("html")) m.html = h->as_string();
        if (m.text.empty() && m.html.empty()) v.fail("a message needs \"text\" or \"html\" (or \"raw\")");
        if (auto id = v.optional_member("message_id")) {
            m.message_id = id->as_nonempty_string();
            if (m.message_id.front() != '<' || m.message_id.back() != '>' ||
                m.message_id.find('@') == std::string::npos)
                id->fail("a Message-ID looks like \"<unique@domain>\"");
        }
        if (auto atts = v.optional_member("attachments")) m.attachments = read_attachments(*atts, !m.html.empty());
        return m;
    }

    std::vector<message_spec::attachment> read_attachments(const json_value& list, bool has_html) {
        std::vector<message_spec::attachment> out;
        for (const auto& a : list.elements()) {
            a.expect_keys({"filename", "content_type", "text", "base64", "inline", "content_id"});
            message_spec::attachment att;
            att.filename = a.member("filename").as_nonempty_string();
            if (auto ct = a.optional_member("content_type")) att.content_type = ct->as_string();
            if (a.has("text") == a.has("base64")) a.fail("give the content as \"text\" or \"base64\"");
            if (auto t = a.optional_member("text")) att.bytes = t->as_string();
            if (auto b = a.optional_member("base64")) {
                auto decoded = base64_decode(b->as_string());
                if (!decoded) b->fail("not valid base64");
                att.bytes = *decoded;
            }
            if (auto i = a.optional_member("inline")) att.inline_image = i->as_bool();
            if (auto c = a.optional_member("content_id")) att.content_id = c->as_string();
            if (att.inline_image && att.content_id.empty())
                a.fail("an inline image needs a \"content_id\" the HTML refers to as cid:");
            if (att.inline_image && !has_html) a.fail("an inline image needs an \"html\" body");
            out.push_back(std::move(att));
        }
        return out;
    }

    // A browser step: "login", "inbox", "logout", "mark_unread", "mark_read", "delete", or an
    // object with one key: {"send": {...}}, {"read": "subject words"}, {"download": "file"}.
    http::web_step read_web_step(const json_value& v) {
        using k = http::web_step::kind;
        http::web_step step;
        if (v.is_string()) {
            static const std::map<std::string, k> simple = {
                {"login", k::login},          {"inbox", k::inbox},         {"logout", k::logout},
                {"mark_unread", k::mark_unread}, {"mark_read", k::mark_read}, {"delete", k::remove}};
            std::vector<std::string> names;
            for (const auto& [name, _] : simple) names.push_back(name);
            names.insert(names.end(), {"{\"send\": ...}", "{\"read\": ...}", "{\"download\": ...}"});
            auto it = simple.find(v.as_string());
            if (it == simple.end()) {
                v.as_choice(names);  // fails, listing the steps
                v.fail("a step with details is an object, e.g. {\"read\": \"Hello\"}");
            }
            step.what = it->second;
            return step;
        }
        v.expect_object();
        if (v.json().size() != 1)
            v.fail("a browser step is one of \"login\", \"inbox\", ... or an object with one key: "
                   "send, read or download");
        std::string key = v.json().begin().key();
        v.expect_keys({"send", "read", "download"});
        auto body = v.member(key);
        if (key == "read" || key == "download") {
            step.what = key == "read" ? k::read : k::download;
            step.match = body.as_nonempty_string();
            return step;
        }
        step.what = k::send;
        body.expect_keys({"to", "cc", "subject", "text", "attachments", "forged"});
        if (auto f = body.optional_member("forged")) step.forged = f->as_bool();
        auto list = [](const json_value& x) {
            std::string joined;
            for (const auto& a : x.as_string_list()) joined += (joined.empty() ? "" : ", ") + a;
            return joined;
        };
        auto to = body.member("to");
        // Not checked here: what a person types goes to the webmail as it is, and the webmail
        // answers a bad address (or a line break) itself; a scenario may want to show that.
        step.to = list(to);
        if (auto cc = body.optional_member("cc")) step.cc = list(*cc);
        if (auto s = body.optional_member("subject")) step.subject = s->as_string();
        if (auto t = body.optional_member("text")) step.text = t->as_string();
        if (auto atts = body.optional_member("attachments"))
            for (auto& a : read_attachments(*atts, false))
                step.attachments.push_back({a.filename, a.content_type.empty() ? "application/octet-stream" : a.content_type, a.bytes});
        return step;
    }

    const host_spec& client_host(const json_value& v) {
        auto host = v.member("host");
        const host_spec& h = existing_host(host);
        if (!h.roles.count(host_role::user_agent) && !h.roles.count(host_role::browser))
            host.fail(fmt::format("\"{}\" is not a user_agent or browser; scripts act from them",
                                  h.name));
        // A browser speaks HTTP only; mail programs (send, pop3, imap, session) run on user agents.
        bool web = v.member("do").as_string() == "web";
        if (!web && !h.roles.count(host_role::user_agent))
            host.fail(fmt::format("\"{}\" is a browser: it only uses a webmail (\"do\": \"web\"); "
                                  "mail programs run on a user_agent",
                                  h.name));
        return h;
    }

    void server_and_port(const json_value& v, action_spec& a, const std::vector<std::string>& ports) {
        auto port = v.member("port");
        a.port = port.as_choice(ports);
        port_info info = *port_by_name(a.port);
        auto server = v.member("server");
        const host_spec& h = existing_host(server);
        if (!h.roles.count(info.role))
            server.fail(fmt::format("\"{}\" has no \"{}\" role for port {}", h.name,
                                    to_string(info.role), a.port));
        if ((info.implicit_tls || a.tls) && !h.tls)
            server.fail(fmt::format("\"{}\" does not offer TLS (set \"tls\": true on the host)",
                                    h.name));
        a.server = h.name;
    }

    void read_action(const json_value& v) {
        v.expect_object();
        action_spec a;
        a.where = v.where();
        std::string kind =
            v.member("do").as_choice({"send", "pop3", "imap", "session", "wait", "note", "web"});
        std::set<std::string> keys = {"do", "at", "after"};
        auto allow = [&](std::initializer_list<const char*> more) {
            for (auto k : more) keys.insert(k);
        };
        if (kind == "send") allow({"host", "server", "port", "user", "password", "auth", "tls",
                                   "require_tls", "mail_from", "to", "message"});
        if (kind == "pop3") allow({"host", "server", "port", "user", "password", "tls",
                                   "require_tls", "delete", "apop"});
        if (kind == "imap") allow({"host", "server", "port", "user", "password", "tls",
                                   "mailbox", "fetch", "flag", "expunge"});
        if (kind == "session") allow({"host", "server", "port", "steps", "line_end"});
        if (kind == "web") allow({"host", "server", "user", "password", "lang", "steps"});
        if (kind == "wait") allow({"for"});
        if (kind == "note") allow({"text"});
        v.expect_keys(keys);
        if (v.has("at") && v.has("after")) v.fail("give \"at\" or \"after\", not both");
        if (auto at = v.optional_member("at")) a.at_us = at->as_duration_us();
        if (auto after = v.optional_member("after")) a.after_us = after->as_duration_us();

        if (kind == "wait") {
            a.kind = action_kind::wait;
            a.wait_us = v.member("for").as_duration_us();
        } else if (kind == "note") {
            a.kind = action_kind::note;
            a.note = read_bilingual(v.member("text"));
        } else {
            a.host = client_host(v).name;
        }
        if (kind == "send") {
            a.kind = action_kind::send;
            server_and_port(v, a, {"submission", "smtp", "smtps"});
            if (auto auth = v.optional_member("auth")) a.auth = auth->as_bool();
            if (a.port == "smtp" && !v.has("auth")) a.auth = false;  // an MX takes mail without
            if (auto u = v.optional_member("user")) {
                a.user = u->as_nonempty_string();
                if (a.auth) a.user = existing_user(*u).address;
            } else if (a.auth) {
                v.fail("sending with AUTH needs the \"user\" who logs in (or \"auth\": false)");
            }
            read_credentials(v, a);
            a.mail_from = a.user;
            if (auto mf = v.optional_member("mail_from")) {
                a.mail_from = mf->as_string();
                if (!a.mail_from.empty()) check_address(*mf, a.mail_from);
            } else if (a.mail_from.empty()) {
                v.fail("without a \"user\", give the envelope sender as \"mail_from\"");
            }
            auto to = v.member("to");
            a.to = to.as_string_list();
            if (a.to.empty()) to.fail("at least one recipient");
            for (const auto& e : (to.is_array() ? to.elements() : std::vector<json_value>{to}))
                check_address(e, e.as_string());
            a.message = read_message(v.member("message"));
        } else if (kind == "web") {
            a.kind = action_kind::web;
            if (!s_.find_host(a.host)->roles.count(host_role::browser))
                v.member("host").fail(fmt::format("\"{}\" is not a browser; give the host the "
                                                  "\"browser\" role to use a webmail",
                                                  a.host));
            auto server = v.member("server");
            const host_spec& h = existing_host(server);
            if (!h.roles.count(host_role::webmail))
                server.fail(fmt::format("\"{}\" has no \"webmail\" role", h.name));
            a.server = h.name;
            a.port = "http";
            a.user = existing_user(v.member("user")).address;
            read_credentials(v, a);
            if (auto l = v.optional_member("lang")) a.lang = l->as_choice({"en", "zh"});
            auto steps = v.member("steps");
            for (const auto& st : steps.elements()) a.web_steps.push_back(read_web_step(st));
            if (a.web_steps.empty()) steps.fail("at least one browser step");
        } else if (kind == "pop3") {
            a.kind = action_kind::pop3;
            server_and_port(v, a, {"pop3", "pop3s"});
            a.user = existing_user(v.member("user")).address;
            read_credentials(v, a);
            if (auto d = v.optional_member("delete")) a.delete_after = d->as_bool();
            if (auto ap = v.optional_member("apop")) a.apop = ap->as_bool();
        } else if (kind == "imap") {
            a.kind = action_kind::imap;
            server_and_port(v, a, {"imap", "imaps"});
            a.user = existing_user(v.member("user")).address;
            read_credentials(v, a);
            if (auto m = v.optional_member("mailbox")) a.mailbox = m->as_nonempty_string();
            if (auto f = v.optional_member("fetch")) a.fetch = uid_pairs(*f, "section");
            if (auto f = v.optional_member("flag")) a.flag = uid_pairs(*f, "flag");
            if (auto e = v.optional_member("expunge")) a.expunge = e->as_bool();
        } else if (kind == "session") {
            a.kind = action_kind::session;
            server_and_port(v, a, {"submission", "smtp", "pop3", "imap"});
            auto steps = v.member("steps");
            for (const auto& s : steps.elements()) {
                std::string step = s.as_string();
                if (step != "<" && step != "<." && (step.empty() || step[0] != '>'))
                    s.fail(fmt::format("\"{}\": a step is \"<\" (read a line), \"<.\" (read up "
                                       "to a lone \".\") or \">text\" (send text and a line end)",
                                       step));
                a.steps.push_back(step);
            }
            if (a.steps.empty()) steps.fail("at least one step");
            if (auto le = v.optional_member("line_end"))
                a.line_end = le->as_choice({"\r\n", "\n"});
        }
        s_.script.push_back(std::move(a));
    }

    void read_credentials(const json_value& v, action_spec& a) {
        if (auto p = v.optional_member("password")) a.password = p->as_string();
        if (auto t = v.optional_member("tls")) a.tls = t->as_bool();
        if (auto r = v.optional_member("require_tls")) a.require_tls = r->as_bool();
    }

    std::vector<std::pair<std::string, std::string>> uid_pairs(const json_value& list,
                                                               const char* what) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& e : list.elements()) {
            e.expect_keys({"uid", what});
            auto uid = e.member("uid");
            std::string set = uid.json().is_number() ? std::to_string(uid.as_integer(1, UINT32_MAX))
                                                     : uid.as_nonempty_string();
            if (set.find_first_not_of("0123456789:*,") != std::string::npos)
                uid.fail(fmt::format("\"{}\" is not a UID set such as 3, \"1:*\" or \"2,5\"", set));
            std::string value = e.member(what).as_nonempty_string();
            if (value.find_first_of("\r\n") != std::string::npos)
                e.member(what).fail("no CR or LF");
            out.emplace_back(set, value);
        }
        return out;
    }

    void read_expectation(const json_value& v) {
        v.expect_object();
        expectation_spec e;
        e.where = v.where();
        static const std::map<std::string, expectation_kind> kinds = {
            {"mailbox", expectation_kind::mailbox}, {"no_mail", expectation_kind::no_mail},
            {"bounce", expectation_kind::bounce},   {"reply", expectation_kind::reply},
            {"state", expectation_kind::state},     {"queue_empty", expectation_kind::queue_empty},
            {"event", expectation_kind::event},     {"download", expectation_kind::download}};
        std::vector<std::string> names;
        for (const auto& [k, _] : kinds) names.push_back(k);
        e.kind = kinds.at(v.member("expect").as_choice(names));
        std::set<std::string> keys = {"expect", "description"};
        switch (e.kind) {
            case expectation_kind::mailbox:
                keys.insert({"user", "folder", "subject", "message_id", "flags", "count"});
                break;
            case expectation_kind::no_mail:
                keys.insert({"user", "folder", "subject", "message_id", "flags"});
                break;
            case expectation_kind::bounce:
                keys.insert({"user", "recipient", "status", "count"});
                break;
            case expectation_kind::reply: keys.insert({"host", "code", "count"}); break;
            case expectation_kind::state: keys.insert({"host", "machine", "state", "count"}); break;
            case expectation_kind::queue_empty: keys.insert({"host"}); break;
            case expectation_kind::event: keys.insert({"match", "count"}); break;
            case expectation_kind::download: keys.insert({"host", "filename"}); break;
        }
        v.expect_keys(keys);
        if (auto d = v.optional_member("description")) e.description = read_bilingual(*d);
        if (auto c = v.optional_member("count"))
            e.count = static_cast<std::size_t>(c->as_integer(0, 1000000));
        if (keys.count("user")) e.user = existing_user(v.member("user")).address;
        if (auto f = v.optional_member("folder")) e.folder = f->as_nonempty_string();
        if (auto s = v.optional_member("subject")) e.subject = s->as_string();
        if (auto m = v.optional_member("message_id")) e.message_id = m->as_string();
        if (auto f = v.optional_member("flags"))
            for (const auto& x : f->as_string_list()) e.flags.insert(x);
        if (auto r = v.optional_member("recipient")) e.recipient = canonical_address(r->as_string());
        if (auto s = v.optional_member("status")) e.status = s->as_string();
        if (keys.count("host") && e.kind != expectation_kind::queue_empty) {
            if (auto h = v.optional_member("host")) e.host = existing_host(*h).name;
        }
        if (e.kind == expectation_kind::download) {
            const host_spec& h = existing_host(v.member("host"));
            if (!h.roles.count(host_role::browser))
                v.member("host").fail(fmt::format("\"{}\" is not a browser", h.name));
            e.host = h.name;
            e.filename = v.member("filename").as_nonempty_string();
        }
        if (e.kind == expectation_kind::queue_empty) {
            const host_spec& h = existing_host(v.member("host"));
            if (!h.roles.count(host_role::submission) && !h.roles.count(host_role::mx))
                v.member("host").fail(fmt::format("\"{}\" has no queue: only submission and mx "
                                                  "hosts relay",
                                                  h.name));
            e.host = h.name;
        }
        if (e.kind == expectation_kind::reply)
            e.code = static_cast<int>(v.member("code").as_integer(100, 599));
        if (e.kind == expectation_kind::state) {
            auto machine = v.member("machine");
            e.machine = machine.as_nonempty_string();
            auto state = v.member("state");
            e.state = state.as_nonempty_string();
            if (const state_machine_spec* spec = find_state_machine(e.machine)) {
                bool known = false;
                std::string list;
                for (auto name : spec->states) {
                    known |= name == e.state;
                    list += fmt::format("{}{}", list.empty() ? "" : ", ", name);
                }
                if (!known)
                    state.fail(fmt::format("{} has no state \"{}\"; its states are: {}",
                                           e.machine, e.state, list));
            } else {
                std::string list;
                for (const auto* m : state_machines())
                    list += fmt::format("{}{}", list.empty() ? "" : ", ", m->machine);
                machine.fail(fmt::format("no state machine \"{}\"; the machines are: {}",
                                         e.machine, list));
            }
        }
        if (e.kind == expectation_kind::event) {
            auto m = v.member("match");
            m.expect_object();
            if (m.json().empty()) m.fail("match at least one field");
            e.match = m.json();
        }
        s_.expectations.push_back(std::move(e));
    }

    const json_document& doc_;
    std::string pointer_;
    scenario s_;
};

}  // namespace

std::optional<port_info> port_by_name(std::string_view name) {
    if (name == "submission") return port_info{host_role::submission, "smtp", false, 587};
    if (name == "smtp") return port_info{host_role::mx, "smtp", false, 25};
    if (name == "smtps") return port_info{host_role::submission, "smtp", true, 465};
    if (name == "pop3") return port_info{host_role::pop3, "pop3", false, 110};
    if (name == "pop3s") return port_info{host_role::pop3, "pop3", true, 995};
    if (name == "imap") return port_info{host_role::imap, "imap", false, 143};
    if (name == "imaps") return port_info{host_role::imap, "imap", true, 993};
    if (name == "http") return port_info{host_role::webmail, "http", false, 80};
    return std::nullopt;
}

scenario load_scenario_text(const std::string& file, const std::string& text) {
    if (text.find("\"maillab-trace\"") < text.find('\n'))
        throw file_format_error(file, {1, 1},
                                "this is a trace recording, not a scenario: open it with "
                                "maillab-gui, or give the scenario file that made it");
    json_document doc(file, text);
    scenario s = loader(doc, "").load();
    std::string base = file.substr(file.find_last_of('/') + 1);
    s.id = base.size() > 5 && base.ends_with(".json") ? base.substr(0, base.size() - 5) : base;
    return s;
}

scenario load_scenario_in(const json_document& doc, const std::string& pointer, std::string id) {
    scenario s = loader(doc, pointer).load();
    s.id = std::move(id);
    return s;
}

scenario load_scenario_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open the scenario file", path));
    std::ostringstream text;
    text << in.rdbuf();
    return load_scenario_text(path, text.str());
}

}  // namespace maillab::world
