// Scripted faults on the server side of a connection: a protocol_session that sits between the
// transport and a real server session, cuts what the client sends into lines, and when a
// scenario's fault rule matches one (host, protocol, command, argument, nth match, time window)
// does what the rule says instead of passing it on: answer with the rule's reply, answer and
// close, close silently, or close in the middle of the DATA text. Everything it does is traced:
// the command it took, a `note` naming the rule, and the reply it gave, so a student sees that
// the fault is scripted and where it came from.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/line_reader.hpp"
#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/world/scenario.hpp"

namespace maillab::world {

// How often each rule has matched so far: rules with `nth` count across every connection to
// their host, so "the second RCPT" means the second one that host saw.
struct fault_counters {
    std::vector<std::uint32_t> matches;  // by rule index in the scenario
};

// A one-line description of a rule for the trace ("reply 452 4.5.3 ... to the 2nd RCPT").
std::string describe_fault(const fault_rule& rule);

class fault_injector final : public protocol_session {
public:
    // `rules` are the scenario's rules (indexes into `counters`), `host` and `proto` this
    // connection's server host and protocol; the rules' from/until count from `start_us`.
    // `after` runs an action later on the world's clock (virtual in a scenario, real under
    // serve): a `delay` rule releases the held replies with it.
    using timer = std::function<void(std::int64_t delay_us, std::function<void()> action)>;
    fault_injector(std::unique_ptr<protocol_session> inner, const std::vector<fault_rule>& rules,
                   fault_counters& counters, std::string host, std::string proto,
                   connection_tracer& tracer, std::int64_t start_us, timer after);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    void world_changed() override;
    void set_wake(std::function<void()> wake) override;
    std::string take_output() override;
    ~fault_injector() override;
    // While a delay holds the replies back, the server's wish to close or start TLS waits for
    // them: the 221 to QUIT must leave before the connection closes.
    bool wants_tls() const override { return !closing_ && holds_ == 0 && inner_->wants_tls(); }
    bool wants_close() const override {
        return closing_ || (holds_ == 0 && inner_->wants_close());
    }
    // The limits of real connections belong to the real session inside.
    void idle_timeout() override { inner_->idle_timeout(); }
    bool receiving_message_text() const override { return inner_->receiving_message_text(); }
    std::optional<std::uint64_t> completed_inputs() const override {
        return inner_->completed_inputs();
    }
    std::uint32_t take_output_delay_ms() override { return inner_->take_output_delay_ms(); }

    // Whether any rule could apply to a connection of this host and protocol at all (if not,
    // the world does not wrap the session, and its trace is exactly as without faults).
    static bool applies(const std::vector<fault_rule>& rules, const std::string& host,
                        const std::string& proto);

private:
    void handle_line(std::string_view raw);
    // The rule that takes this line, if any (counting the match).
    const fault_rule* match(const std::string& verb, std::string_view args);
    void take_command(const fault_rule& rule, std::string_view line, std::string_view raw,
                      const std::string& verb, std::string_view args);
    void trace_rule(const fault_rule& rule, std::string what);
    void close_now();
    void collect_inner_output();
    // lose_reply: the server handles the line; what it answers never leaves.
    void lose_reply(const fault_rule& rule, std::string_view raw);
    // corrupt: the line with the rule's bytes changed, or the line itself when no rule matches.
    std::string corrupted(std::string_view raw, const std::string& verb);
    // delay: hold every reply from now until the rule's delay has passed.
    void hold_replies(const fault_rule& rule, std::string_view raw);

    std::unique_ptr<protocol_session> inner_;
    const std::vector<fault_rule>& rules_;
    fault_counters& counters_;
    std::string host_;
    std::string proto_;
    connection_tracer& tracer_;
    std::int64_t start_us_;
    std::string pending_;   // bytes of an incomplete line
    std::string out_;
    bool closing_ = false;
    bool in_data_ = false;  // SMTP: between 354 and the final "."
    bool data_requested_ = false;
    std::uint32_t data_lines_ = 0;
    timer after_;
    std::function<void()> wake_;
    std::string held_;       // replies held back by a delay rule
    int holds_ = 0;          // delay rules still holding (replies leave when it is 0)
    // Cleared when the connection is gone, so a delay that ends later touches nothing.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::world
