#include "sim/world/fault_injector.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/command_line.hpp"

namespace maillab::world {
namespace {

std::string ordinal(std::uint32_t n) {
    const char* suffix = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        if (n % 10 == 1) suffix = "st";
        else if (n % 10 == 2) suffix = "nd";
        else if (n % 10 == 3) suffix = "rd";
    }
    return fmt::format("{}{}", n, suffix);
}

}  // namespace

std::string describe_fault(const fault_rule& r) {
    if (!r.name.empty()) return r.name;
    std::string which = r.command.empty() ? "command" : r.command;
    std::string target = r.nth ? fmt::format("the {} {}", ordinal(r.nth), which)
                               : fmt::format("every {}", which);
    if (r.argument_contains) target += fmt::format(" naming \"{}\"", *r.argument_contains);
    std::string text;
    switch (r.action) {
        case fault_action::reply: text = fmt::format("reply \"{}\" to {}", r.reply, target); break;
        case fault_action::reply_and_close:
            text = fmt::format("reply \"{}\" to {} and close", r.reply, target);
            break;
        case fault_action::close: text = fmt::format("close the connection at {}", target); break;
        case fault_action::drop_data:
            text = fmt::format("drop the connection after line {} of the DATA text", r.lines);
            break;
        case fault_action::fail_tls: text = "offer TLS but fail the handshake"; break;
        case fault_action::unreachable: text = "unreachable"; break;
        case fault_action::mailbox_full:
            text = fmt::format("mailbox of {} is full ({})", r.user,
                               r.permanent ? "552 5.2.2" : "452 4.2.2");
            break;
        case fault_action::lose_reply:
            text = fmt::format("lose the reply to {} (the connection breaks)", target);
            break;
        case fault_action::corrupt:
            if (!r.command.empty())
                text = fmt::format("change \"{}\" into \"{}\" in {}", r.replace, r.with, target);
            else if (r.nth)
                text = fmt::format("change \"{}\" into \"{}\" in the {} line containing it",
                                   r.replace, r.with, ordinal(r.nth));
            else
                text = fmt::format("change \"{}\" into \"{}\" in every line", r.replace, r.with);
            break;
        case fault_action::delay:
            text = fmt::format("hold the replies to {} back {} ms", target, r.delay_us / 1000);
            break;
        case fault_action::restart: text = "restart (its servers are down for a while)"; break;
    }
    text += fmt::format(" on {}", r.host);
    if (r.from_us > 0 || r.until_us)
        text += fmt::format(" (from {} s{})", r.from_us / 1000000,
                            r.until_us ? fmt::format(" until {} s", *r.until_us / 1000000) : "");
    return text;
}

bool fault_injector::applies(const std::vector<fault_rule>& rules, const std::string& host,
                             const std::string& proto) {
    for (const auto& r : rules) {
        if (r.host != host) continue;
        if (r.action == fault_action::unreachable || r.action == fault_action::fail_tls ||
            r.action == fault_action::restart)
            continue;
        if (r.proto.empty() || r.proto == proto) return true;
    }
    return false;
}

fault_injector::fault_injector(std::unique_ptr<protocol_session> inner,
                               const std::vector<fault_rule>& rules, fault_counters& counters,
                               std::string host, std::string proto, connection_tracer& tracer,
                               std::int64_t start_us, timer after)
    : inner_(std::move(inner)),
      rules_(rules),
      counters_(counters),
      host_(std::move(host)),
      proto_(std::move(proto)),
      tracer_(tracer),
      start_us_(start_us),
      after_(std::move(after)) {
    counters_.matches.resize(rules_.size(), 0);
}

fault_injector::~fault_injector() { *alive_ = false; }

void fault_injector::set_wake(std::function<void()> wake) {
    wake_ = std::move(wake);
    inner_->set_wake([this] {
        if (wake_) wake_();
    });
}

void fault_injector::start() {
    inner_->start();
    collect_inner_output();
}

void fault_injector::tls_established(const tls_info& info) {
    inner_->tls_established(info);
    collect_inner_output();
}

void fault_injector::connection_lost() {
    *alive_ = false;
    inner_->connection_lost();
}

void fault_injector::world_changed() {
    inner_->world_changed();
    collect_inner_output();
}

std::string fault_injector::take_output() {
    collect_inner_output();
    return std::exchange(out_, {});
}

void fault_injector::collect_inner_output() {
    std::string produced = inner_->take_output();
    if (produced.empty()) return;
    // SMTP: the server's 354 opens the DATA text; the wrapper must know to count its lines.
    if (proto_ == "smtp" && data_requested_) {
        data_requested_ = false;
        if (produced.starts_with("354")) in_data_ = true;
    }
    (holds_ > 0 ? held_ : out_) += produced;
}

void fault_injector::receive(std::string_view bytes) {
    if (closing_) return;
    pending_.append(bytes);
    std::size_t start = 0;
    while (!closing_) {
        std::size_t eol = pending_.find('\n', start);
        if (eol == std::string::npos) break;
        handle_line(std::string_view(pending_).substr(start, eol + 1 - start));
        start = eol + 1;
    }
    pending_.erase(0, closing_ ? pending_.size() : start);
}

namespace {

std::string_view without_eol(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    return line;
}

}  // namespace

void fault_injector::handle_line(std::string_view arrived) {
    std::string raw(arrived);

    if (in_data_) {
        std::string_view line = without_eol(raw);
        if (line == ".") {
            in_data_ = false;
            if (const fault_rule* r = match(".", {})) return take_command(*r, line, raw, ".", {});
        } else {
            ++data_lines_;
            std::int64_t elapsed = tracer_.now_us() - start_us_;
            for (std::size_t i = 0; i < rules_.size(); ++i) {
                const fault_rule& r = rules_[i];
                if (r.action != fault_action::drop_data || r.host != host_) continue;
                if (elapsed < r.from_us || (r.until_us && elapsed >= *r.until_us)) continue;
                // Decided once per message, at the first line past the limit: `nth` counts
                // messages, not lines.
                if (data_lines_ != r.lines + 1) continue;
                if (r.nth && ++counters_.matches[i] != r.nth) continue;
                // The lines before were passed on; this one never arrives.
                trace_rule(r, fmt::format("closed the connection after {} line(s) of the DATA "
                                          "text; the message is incomplete and not accepted",
                                          r.lines));
                return close_now();
            }
            raw = corrupted(raw, "");
        }
        inner_->receive(raw);
        collect_inner_output();
        return;
    }

    // IMAP commands begin with a tag: the verb is the second word.
    auto verb_and_args = [this](std::string_view line) {
        std::string_view words = line;
        if (proto_ == "imap") {
            auto space = words.find(' ');
            words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
        }
        return split_command_line(words);
    };
    // Bytes changed on the way arrive changed: the server and every other rule see the new line.
    raw = corrupted(raw, verb_and_args(without_eol(raw)).verb);
    std::string_view line = without_eol(raw);
    command_words w = verb_and_args(line);
    if (const fault_rule* r = match(w.verb, w.args))
        return take_command(*r, line, raw, w.verb, w.args);
    if (proto_ == "smtp" && w.verb == "DATA") {
        data_requested_ = true;
        data_lines_ = 0;
    }
    inner_->receive(raw);
    collect_inner_output();
}

std::string fault_injector::corrupted(std::string_view raw, const std::string& verb) {
    std::int64_t elapsed = tracer_.now_us() - start_us_;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const fault_rule& r = rules_[i];
        if (r.action != fault_action::corrupt || r.host != host_) continue;
        if (!r.proto.empty() && r.proto != proto_) continue;
        if (elapsed < r.from_us || (r.until_us && elapsed >= *r.until_us)) continue;
        // A rule naming a command looks at that command's lines only, never at the DATA text.
        if (!r.command.empty() && (in_data_ || r.command != verb)) continue;
        auto at = raw.find(r.replace);
        if (at == std::string_view::npos) continue;
        ++counters_.matches[i];
        if (r.nth && counters_.matches[i] != r.nth) continue;
        std::string changed(raw);
        changed.replace(at, r.replace.size(), r.with);
        trace_rule(r, fmt::format("the line \"{}\" arrives as \"{}\": bytes changed on the way, "
                                  "and {} has no checksum of its own to notice",
                                  without_eol(raw), without_eol(changed), to_upper(proto_)));
        return changed;
    }
    return std::string(raw);
}

const fault_rule* fault_injector::match(const std::string& verb, std::string_view args) {
    std::int64_t elapsed = tracer_.now_us() - start_us_;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const fault_rule& r = rules_[i];
        if (r.host != host_ || (!r.proto.empty() && r.proto != proto_)) continue;
        if (elapsed < r.from_us || (r.until_us && elapsed >= *r.until_us)) continue;
        std::string want = r.command;
        if (r.action == fault_action::mailbox_full) {
            want = "RCPT";
            // The path exactly ("<bob@b.example>"), so jimbob@b.example is not bob.
            if (!icontains(args, "<" + r.user + ">")) continue;
        } else if (r.action != fault_action::reply && r.action != fault_action::reply_and_close &&
                   r.action != fault_action::close && r.action != fault_action::lose_reply &&
                   r.action != fault_action::delay) {
            continue;
        }
        if (want != verb) continue;
        if (r.argument_contains && !icontains(args, *r.argument_contains)) continue;
        ++counters_.matches[i];
        if (r.nth && counters_.matches[i] != r.nth) continue;
        return &r;
    }
    return nullptr;
}

void fault_injector::take_command(const fault_rule& rule, std::string_view line,
                                  std::string_view raw, const std::string& verb,
                                  std::string_view args) {
    if (rule.action == fault_action::lose_reply) return lose_reply(rule, raw);
    if (rule.action == fault_action::delay) return hold_replies(rule, raw);
    // The server never sees this line, so the wrapper traces it as the server would have.
    event cmd;
    cmd.kind = event_kind::command;
    cmd.text = std::string(line);
    cmd.raw = std::string(raw);
    cmd.explain = "fault.command_taken";
    cmd.fields = {{"verb", verb}, {"args", std::string(args)}, {"fault", describe_fault(rule)}};
    std::uint64_t cmd_seq = tracer_.incoming(std::move(cmd));

    std::string reply = rule.reply;
    if (rule.action == fault_action::mailbox_full)
        reply = rule.permanent ? fmt::format("552 5.2.2 <{}>: mailbox full", rule.user)
                               : fmt::format("452 4.2.2 <{}>: mailbox full, try again later",
                                             rule.user);
    bool answers = rule.action != fault_action::close;
    bool closes = rule.action == fault_action::reply_and_close || rule.action == fault_action::close;
    std::string what = answers ? fmt::format("answered \"{}\" instead of the server", reply)
                               : "closed the connection instead of answering";
    if (answers && closes) what += ", then closed the connection";
    trace_rule(rule, what);
    if (answers) {
        // IMAP answers carry the command's tag (a tagged NO/BAD/BYE-less reply).
        std::string wire = reply;
        if (proto_ == "imap") {
            auto space = line.find(' ');
            wire = std::string(line.substr(0, space)) + " " + reply;
        }
        event e;
        e.kind = event_kind::reply;
        e.text = wire;
        e.raw = wire + "\r\n";
        e.cause = cmd_seq;
        e.explain = "fault.reply";
        e.fields = {{"fault", describe_fault(rule)}};
        if (proto_ == "smtp" && reply.size() >= 3) e.fields["code"] = std::stoi(reply.substr(0, 3));
        tracer_.outgoing(std::move(e));
        out_ += wire + "\r\n";
    }
    if (closes) close_now();
}

void fault_injector::lose_reply(const fault_rule& rule, std::string_view raw) {
    // The server really handles the line (for the "." of DATA it stores the mail and says
    // 250); only its answer is lost. The client cannot tell this from a failure before the
    // server acted, so it sends the mail again later: RFC 1047's duplicate message.
    trace_rule(rule, "the server handles this line, but the connection breaks before its reply "
                     "reaches the client");
    std::string before = std::exchange(out_, {});
    inner_->receive(raw);
    collect_inner_output();
    out_ = std::move(before);  // replies to earlier lines did leave; this one does not
    close_now();
}

void fault_injector::hold_replies(const fault_rule& rule, std::string_view raw) {
    trace_rule(rule, fmt::format("the server's replies are held back {} ms from here",
                                 rule.delay_us / 1000));
    ++holds_;
    inner_->receive(raw);
    collect_inner_output();
    after_(rule.delay_us, [this, alive = alive_, rule_name = describe_fault(rule)] {
        if (!*alive) return;
        if (--holds_ > 0) return;
        tracer_.note("fault.released",
                     fmt::format("scripted fault ({}): the held replies leave now", rule_name),
                     {{"rule", rule_name}}, std::nullopt);
        out_ += std::exchange(held_, {});
        if (wake_) wake_();
    });
}

void fault_injector::trace_rule(const fault_rule& rule, std::string what) {
    tracer_.note("fault.applied",
                 fmt::format("scripted fault ({}): {}", describe_fault(rule), what),
                 {{"rule", describe_fault(rule)}, {"action", std::string(to_string(rule.action))},
                  {"defined_at", rule.where}},
                 std::nullopt);
}

void fault_injector::close_now() {
    closing_ = true;
    pending_.clear();
    // The server behind never learns why its client vanished: tell it the connection is gone,
    // so its state machine shows the end of the session.
    inner_->connection_lost();
    inner_->take_output();
}

}  // namespace maillab::world
