#include "sim/lab/lab_loader.hpp"

#include "sim/lab/lab_reading.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/state_machine.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/world/scenario_loader.hpp"

namespace maillab::lab {
namespace reading {

std::string read_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("{}: cannot open the {}", path, what));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string id_of(const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') + 1);
    return base.size() > 5 && base.ends_with(".json") ? base.substr(0, base.size() - 5) : base;
}

bilingual read_bilingual(const json_value& v) {
    if (v.is_string()) return {v.as_string(), v.as_string()};
    v.expect_keys({"en", "zh"});
    bilingual b;
    b.en = v.member("en").as_string();
    b.zh = v.has("zh") ? v.member("zh").as_string() : b.en;
    return b;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

void check_id(const json_value& v, const std::string& id) {
    if (id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
        v.fail(fmt::format("\"{}\": an id is lower-case letters, digits, - and _", id));
}

void fail_at_key(const json_value& object, const std::string& key, const std::string& message) {
    // The value's position is close enough to the key's; json_value has no key accessor.
    object.member(key).fail(message);
}

}  // namespace reading

namespace {

using namespace reading;

// The fields each kind of event carries (docs/trace-format.md); a pattern naming another is an
// error. Notes, queue and DNS events carry fields that vary with the note; those are not checked.
const std::map<std::string, std::set<std::string>>& fields_by_kind() {
    static const std::map<std::string, std::set<std::string>> table = {
        {"tcp", {"action", "transport", "by", "answering", "reason"}},
        {"tls", {"phase", "mode", "version", "cipher", "reason"}},
        {"bytes", {"size"}},
        {"command", {"verb", "args", "auth_response", "mechanism", "tag", "user", "fault"}},
        {"reply", {"code", "status", "multiline", "continuation", "uid", "octets", "message_id",
                   "tag", "untagged", "fault"}},
        {"data", {"size", "lines", "dot_stuffed", "message_id"}},
        {"state", {"machine", "from_state", "to_state", "reason"}},
        {"store", {"action", "user", "mailbox", "uid", "size", "mail_from", "message_id",
                   "original_message_id", "flags", "reason"}},
        {"http", {"direction", "method", "target", "path", "form", "status", "location",
                  "headers", "body", "size"}},
    };
    return table;
}

const std::set<std::string> core_keys = {"kind", "proto", "from", "to", "explain", "conn",
                                         "text", "raw", "cause", "tls"};

const std::vector<std::string> event_kinds = {"tcp",   "tls",   "bytes", "command",
                                              "reply", "data",  "state", "store",
                                              "queue", "dns",   "http",  "note"};

}  // namespace

std::vector<std::string> reading::machine_states(const std::string& machine) {
    if (const state_machine_spec* spec = find_state_machine(machine))
        return {spec->states.begin(), spec->states.end()};
    return {};
}

std::vector<std::string> reading::machine_names() {
    std::vector<std::string> out;
    for (const auto* m : state_machines()) out.emplace_back(m->machine);
    return out;
}

namespace {

using namespace reading;

// Every verb a protocol's server knows (its command table, over all its states).
std::set<std::string> server_verbs(const std::string& proto) {
    std::set<std::string> out;
    const state_machine_spec* spec = find_state_machine(proto + ".server");
    if (!spec || !spec->commands_allowed) return out;
    for (auto state : spec->states)
        for (auto& verb : spec->commands_allowed(state)) out.insert(to_upper(verb));
    return out;
}

class loader {
public:
    loader(const std::string& file, const std::string& text) : doc_(file, text) {}

    lab_spec load() {
        json_value root(doc_, doc_.root(), "");
        root.expect_object();
        root.expect_keys({"maillab_lab", "title", "goals", "seeds", "scenario", "steps",
                          "solution", "wrong_attempts"});
        auto version = root.member("maillab_lab");
        if (version.as_integer(1, 1000000) > lab_format_version)
            version.fail(fmt::format("this file is lab format {}; this maillab reads format {} "
                                     "and older",
                                     version.json().get<int>(), lab_format_version));
        l_.path = doc_.file();
        l_.id = id_of(doc_.file());
        l_.title = read_bilingual(root.member("title"));
        if (auto goals = root.optional_member("goals"))
            for (const auto& g : goals->elements()) l_.goals.push_back(read_bilingual(g));
        if (auto seeds = root.optional_member("seeds")) l_.seeds = seeds->as_string_list();
        read_scenario(root.member("scenario"));
        auto steps = root.member("steps");
        for (const auto& s : steps.elements()) read_step(s);
        if (l_.steps.empty()) steps.fail("a lab needs at least one step");
        if (auto sol = root.optional_member("solution")) l_.solution = read_script(*sol, *this_lab());
        if (auto wrong = root.optional_member("wrong_attempts"))
            for (const auto& w : wrong->elements()) read_wrong(w);
        return std::move(l_);
    }

    const lab_spec* this_lab() const { return &l_; }

    void read_scenario(const json_value& v) {
        if (v.is_string()) {
            std::string rel = v.as_nonempty_string();
            std::string dir = doc_.file().find('/') == std::string::npos
                                  ? std::string()
                                  : doc_.file().substr(0, doc_.file().find_last_of('/') + 1);
            std::string path = rel.starts_with("/") ? rel : dir + rel;
            std::ifstream probe(path);
            if (!probe) v.fail(fmt::format("cannot open the scenario file \"{}\"", path));
            l_.scenario = world::load_scenario_file(path);
            return;
        }
        v.expect_object();
        l_.scenario = world::load_scenario_in(doc_, v.pointer(), l_.id);
        l_.scenario.path = doc_.file();
    }

    void read_step(const json_value& v) {
        v.expect_keys({"id", "title", "instructions", "role", "checkpoints", "questions", "hints"});
        step s;
        s.where = v.where();
        auto id = v.member("id");
        s.id = id.as_nonempty_string();
        check_id(id, s.id);
        if (l_.find_step(s.id)) id.fail(fmt::format("a second step \"{}\"", s.id));
        s.title = read_bilingual(v.member("title"));
        s.instructions = read_bilingual(v.member("instructions"));
        if (auto r = v.optional_member("role")) s.role = read_role(*r);
        if (auto cps = v.optional_member("checkpoints")) {
            for (const auto& c : cps->elements()) {
                c.expect_keys({"id", "title", "check"});
                checkpoint cp;
                cp.where = c.where();
                auto cid = c.member("id");
                cp.id = cid.as_nonempty_string();
                check_id(cid, cp.id);
                for (const auto& x : s.checkpoints)
                    if (x.id == cp.id) cid.fail(fmt::format("a second checkpoint \"{}\" in this step", cp.id));
                cp.title = read_bilingual(c.member("title"));
                cp.check = read_predicate(c.member("check"));
                s.checkpoints.push_back(std::move(cp));
            }
            if (!s.checkpoints.empty() && !s.role)
                cps->fail("checkpoints look at what the student did: give the step a \"role\"");
        }
        if (auto qs = v.optional_member("questions"))
            for (const auto& q : qs->elements()) {
                question x = read_question(q);
                for (const auto& y : s.questions)
                    if (y.id == x.id) q.member("id").fail(fmt::format("a second question \"{}\" in this step", x.id));
                s.questions.push_back(std::move(x));
            }
        if (auto hs = v.optional_member("hints")) s.hints = read_hints(*hs);
        if (s.checkpoints.empty() && s.questions.empty())
            v.fail("a step needs checkpoints or questions (something to check)");
        l_.steps.push_back(std::move(s));
    }

    interactive_role read_role(const json_value& v) {
        v.expect_keys({"host", "server", "port"});
        interactive_role r;
        auto host = v.member("host");
        r.host = to_lower(host.as_nonempty_string());
        const world::host_spec* h = l_.scenario.find_host(r.host);
        if (!h) host.fail(fmt::format("no host named \"{}\" in the scenario; the hosts are: {}", r.host, host_list()));
        auto port = v.member("port");
        r.port = port.as_choice({"submission", "smtp", "pop3", "imap", "http"});
        // The student types from a mail program's host, or, for HTTP to a webmail, a browser's.
        if (r.port == "http" ? !h->roles.count(world::host_role::browser) && !h->roles.count(world::host_role::user_agent)
                             : !h->roles.count(world::host_role::user_agent))
            host.fail(fmt::format(fmt::runtime(r.port == "http" ? "\"{}\" is not a browser or user_agent: the student types from one"
                                                   : "\"{}\" is not a user_agent: the student types from one"),
                                  r.host));
        auto info = *world::port_by_name(r.port);
        r.proto = info.proto;
        auto server = v.member("server");
        r.server = to_lower(server.as_nonempty_string());
        const world::host_spec* sv = l_.scenario.find_host(r.server);
        if (!sv) server.fail(fmt::format("no host named \"{}\" in the scenario; the hosts are: {}", r.server, host_list()));
        if (!sv->roles.count(info.role))
            server.fail(fmt::format("\"{}\" has no \"{}\" role for port {}", r.server,
                                    world::to_string(info.role), r.port));
        return r;
    }

    std::string host_list() const {
        std::vector<std::string> names;
        for (const auto& h : l_.scenario.hosts) names.push_back(h.name);
        return join(names);
    }


    predicate read_predicate(const json_value& v) {
        v.expect_object();
        predicate p;
        p.where = v.where();
        static const std::set<std::string> ops = {"all", "any", "not", "before", "event"};
        std::string op;
        for (const auto& [key, _] : v.json().items()) {
            bool is_op = ops.count(key) ||
                         std::find(event_kinds.begin(), event_kinds.end(), key) != event_kinds.end();
            if (!is_op) continue;
            if (!op.empty())
                v.fail(fmt::format("one of \"{}\" and \"{}\" per predicate; combine them with "
                                   "\"all\"",
                                   op, key));
            op = key;
        }
        if (op.empty())
            v.fail("a predicate is {\"all\": [...]}, {\"any\": [...]}, {\"not\": ...}, "
                   "{\"before\": [first, second]}, {\"event\": {...}} or an event kind with a "
                   "pattern, e.g. {\"reply\": {\"code\": 250}}");
        if (op == "all" || op == "any" || op == "before") {
            v.expect_keys({op});
            auto list = v.member(op);
            for (const auto& c : list.elements()) p.children.push_back(read_predicate(c));
            p.what = op == "all" ? predicate::kind::all : op == "any" ? predicate::kind::any : predicate::kind::before;
            if (op == "before" && p.children.size() != 2)
                list.fail("\"before\" takes two predicates: [first, second]");
            if (p.children.empty()) list.fail("give at least one predicate");
            return p;
        }
        if (op == "not") {
            v.expect_keys({op});
            p.what = predicate::kind::negation;
            p.children.push_back(read_predicate(v.member(op)));
            return p;
        }
        v.expect_keys({op, "min", "max", "count"});
        p.what = predicate::kind::event;
        auto pat = v.member(op);
        pat.expect_object();
        p.pattern = pat.json();
        if (op != "event") {
            if (p.pattern.contains("kind")) pat.member("kind").fail(fmt::format("the kind is already \"{}\"", op));
            p.pattern["kind"] = op;
        }
        check_pattern(pat, p.pattern);
        if (auto c = v.optional_member("count")) {
            if (v.has("min") || v.has("max")) c->fail("give \"count\" or \"min\"/\"max\", not both");
            p.min = static_cast<std::size_t>(c->as_integer(0, 1000000));
            p.max = p.min;
        }
        if (auto m = v.optional_member("min")) p.min = static_cast<std::size_t>(m->as_integer(0, 1000000));
        if (auto m = v.optional_member("max")) {
            p.max = static_cast<std::size_t>(m->as_integer(0, 1000000));
            if (*p.max < p.min) m->fail("\"max\" is smaller than \"min\"");
        }
        return p;
    }

    std::set<std::string> protocols_possible() const {
        std::set<std::string> out = {"tcp", "world"};
        for (const auto& h : l_.scenario.hosts) {
            if (h.roles.count(world::host_role::submission) || h.roles.count(world::host_role::mx)) {
                out.insert("smtp");
                out.insert("dns");
            }
            if (h.roles.count(world::host_role::pop3)) out.insert("pop3");
            if (h.roles.count(world::host_role::imap)) out.insert("imap");
            if (h.roles.count(world::host_role::webmail)) out.insert("http");
            if (h.tls) out.insert("tls");
        }
        return out;
    }

    // A plain string value of a pattern key, if it is one (operators are not checked further).
    static std::optional<std::string> plain(const nlohmann::json& pattern, const char* key) {
        if (!pattern.contains(key) || !pattern[key].is_string()) return std::nullopt;
        return pattern[key].get<std::string>();
    }

    void check_operators(const json_value& value) {
        const auto& j = value.json();
        if (!j.is_object()) return;
        for (const auto& [op, arg] : j.items()) {
            if (op != "contains" && op != "one_of" && op != "min" && op != "max" && op != "not")
                value.fail(fmt::format("unknown operator \"{}\"; a value is compared as written, or "
                                       "with one of: contains, one_of, min, max, not",
                                       op));
            if (op == "contains" && !arg.is_string()) value.member(op).fail("\"contains\" takes a string");
            if (op == "one_of" && !arg.is_array()) value.member(op).fail("\"one_of\" takes an array");
            if ((op == "min" || op == "max") && !arg.is_number()) value.member(op).fail("takes a number");
        }
    }

    void check_pattern(const json_value& v, const nlohmann::json& pattern) {
        auto possible = protocols_possible();
        std::optional<std::string> kind = plain(pattern, "kind");
        if (pattern.contains("kind") && !pattern["kind"].is_string())
            v.member("kind").fail("the kind is a string");
        if (kind && std::find(event_kinds.begin(), event_kinds.end(), *kind) == event_kinds.end())
            v.member("kind").fail(fmt::format("no event kind \"{}\"; the kinds are: {}", *kind, join(event_kinds)));
        std::optional<std::string> proto = plain(pattern, "proto");
        for (const auto& [key, value] : v.json().items()) {
            json_value field = v.member(key);
            if (key == "cause") {
                field.expect_object();
                check_pattern(field, value);
                continue;
            }
            if (key == "kind") continue;
            check_operators(field);
            if (core_keys.count(key)) continue;
            if (kind) {
                auto it = fields_by_kind().find(*kind);
                if (it != fields_by_kind().end() && !it->second.count(key)) {
                    std::vector<std::string> names(it->second.begin(), it->second.end());
                    fail_at_key(v, key, fmt::format("a {} event has no field \"{}\"; its fields are: {} "
                                                     "(and kind, proto, from, to, text, raw, explain, conn, cause)",
                                                     *kind, key, join(names)));
                }
            }
        }
        if (proto) {
            if (!possible.count(*proto)) {
                std::vector<std::string> names(possible.begin(), possible.end());
                v.member("proto").fail(fmt::format("no host of this lab's scenario speaks \"{}\": the "
                                                   "trace can only have {}",
                                                   *proto, join(names)));
            }
        }
        for (const char* key : {"from", "to"})
            if (auto host = plain(pattern, key))
                if (!l_.scenario.find_host(*host) && kind != "state")
                    v.member(key).fail(fmt::format("no host named \"{}\" in the scenario; the hosts are: {}",
                                                   *host, host_list()));
        if (auto verb = plain(pattern, "verb")) {
            std::vector<std::string> protos;
            if (proto) protos.push_back(*proto);
            else
                for (const char* p : {"smtp", "pop3", "imap"})
                    if (possible.count(p)) protos.push_back(p);
            bool known = false;
            std::set<std::string> all;
            for (const auto& p : protos) {
                auto verbs = server_verbs(p);
                known |= verbs.count(*verb) > 0;
                all.insert(verbs.begin(), verbs.end());
            }
            if (!known)
                v.member("verb").fail(fmt::format("no {} server of this lab knows the verb \"{}\" (verbs "
                                                  "are upper case); they know: {}",
                                                  proto ? *proto : std::string("mail"), *verb,
                                                  join({all.begin(), all.end()})));
        }
        if (auto machine = plain(pattern, "machine")) {
            auto states = machine_states(*machine);
            if (states.empty())
                v.member("machine").fail(fmt::format("no state machine \"{}\"; the machines are: {}",
                                                     *machine, join(machine_names())));
            std::string mproto = machine->substr(0, machine->find('.'));
            if (!possible.count(mproto))
                v.member("machine").fail(fmt::format("no host of this lab's scenario runs {}", *machine));
            for (const char* key : {"from_state", "to_state"})
                if (auto st = plain(pattern, key))
                    if (std::find(states.begin(), states.end(), *st) == states.end())
                        v.member(key).fail(fmt::format("{} has no state \"{}\"; its states are: {}",
                                                       *machine, *st, join(states)));
        } else if (pattern.contains("from_state") || pattern.contains("to_state")) {
            v.fail("name the \"machine\" whose state it is (e.g. \"pop3.server\")");
        }
        if (auto key = plain(pattern, "explain"))
            if (!explain_catalog::builtin().find(*key))
                v.member("explain").fail(fmt::format("no explanation \"{}\" in the catalog "
                                                     "(docs/explanation-catalog.md)",
                                                     *key));
        if (pattern.contains("code")) {
            const auto& c = pattern["code"];
            if (c.is_number_integer() && (c.get<int>() < 200 || c.get<int>() > 599))
                v.member("code").fail("an SMTP reply code is 200 to 599");
            if (!c.is_number_integer() && !c.is_object()) v.member("code").fail("a reply code is a number such as 250");
        }
        if (auto status = plain(pattern, "status")) {
            static const std::set<std::string> statuses = {"+OK", "-ERR", "OK", "NO", "BAD"};
            if (kind == "reply" && !statuses.count(*status))
                v.member("status").fail(fmt::format("\"{}\" is no reply status; POP3 has +OK and -ERR, "
                                                    "IMAP OK, NO and BAD",
                                                    *status));
        }
        if (kind == "store")
            if (auto action = plain(pattern, "action"))
                if (*action != "deliver" && *action != "expunge" && *action != "flags" && *action != "append")
                    v.member("action").fail(fmt::format("a store event's action is deliver, expunge, flags "
                                                        "or append, not \"{}\"",
                                                        *action));
        if (kind == "tcp")
            if (auto action = plain(pattern, "action"))
                if (*action != "connect" && *action != "close" && *action != "reset" && *action != "connect_failed")
                    v.member("action").fail(fmt::format("a tcp event's action is connect, close, reset or "
                                                        "connect_failed, not \"{}\"",
                                                        *action));
    }

    void read_wrong(const json_value& v) {
        wrong_attempt w;
        w.name = v.member("name").as_nonempty_string();
        if (auto d = v.optional_member("description")) w.description = read_bilingual(*d);
        w.script = read_script(v, l_, {"name", "description", "fails"});
        for (const auto& f : v.member("fails").elements()) {
            std::string id = f.as_nonempty_string();
            auto slash = id.find('/');
            const step* st = slash == std::string::npos ? nullptr : l_.find_step(id.substr(0, slash));
            bool known = false;
            if (st) {
                std::string item = id.substr(slash + 1);
                for (const auto& c : st->checkpoints) known |= c.id == item;
                for (const auto& q : st->questions) known |= q.id == item;
            }
            if (!known)
                f.fail(fmt::format("\"{}\" names no checkpoint or question; write \"step/checkpoint\" "
                                   "or \"step/question\"",
                                   id));
            w.fails.push_back(id);
        }
        l_.wrong_attempts.push_back(std::move(w));
    }

    json_document doc_;
    lab_spec l_;
};

}  // namespace

std::string_view to_string(question_kind kind) {
    switch (kind) {
        case question_kind::multiple_choice: return "multiple_choice";
        case question_kind::reply_code: return "reply_code";
        case question_kind::choose_state: return "choose_state";
        case question_kind::short_answer: return "short_answer";
    }
    return "?";
}

const step* lab_spec::find_step(std::string_view id) const {
    for (const auto& s : steps)
        if (s.id == id) return &s;
    return nullptr;
}

std::string normalise_answer(std::string_view text) {
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    return out;
}

lab_spec load_lab_text(const std::string& file, const std::string& text) {
    if (text.find("\"maillab_scenario\"") != std::string::npos &&
        text.find("\"maillab_lab\"") == std::string::npos)
        throw file_format_error(file, {1, 1},
                                "this is a scenario, not a lab: run it with `maillab run`");
    return loader(file, text).load();
}

lab_spec load_lab_file(const std::string& path) { return load_lab_text(path, read_file(path, "lab file")); }

}  // namespace maillab::lab
