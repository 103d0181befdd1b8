// What if: one client command of a scenario changed (or skipped), and the scenario run again
// beside the original. The world replays deterministically up to that command (checked: the
// branch's events before it are equal to the original's), the command's bytes are replaced or
// dropped where they leave the client on the in-memory link (session_link::rewrite_outgoing, so
// every protocol engine is covered without touching one), and the world runs on as usual: the
// client reacts to whatever reply comes, and a client left waiting for a reply that never comes
// ends the run when nothing is left to happen, as every run ends. The result says where the two
// runs part, pairs the server's replies on the edited connection, and lists what came out
// differently: steps, mailboxes, expectations, and why a connection was left hanging.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/core/trace.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/scenario_run.hpp"

namespace maillab::world {

struct what_if_edit {
    std::uint64_t seq = 0;  // a client command event of the original run
    // The command line sent instead; the original's line ending is added unless the text ends
    // with one. nullopt: the command is not sent at all.
    std::optional<std::string> replacement;
};

// An edit that cannot be made: the message names the seq and what is there.
class what_if_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The command an edit names, as the original run traced it.
struct located_command {
    std::size_t index = 0;  // of its `command` event in the original run
    std::uint64_t seq = 0;
    std::uint64_t conn = 0;
    std::string client, server, proto;
    std::string text;        // as traced ("RCPT TO:<bob@b.example>")
    std::string bytes;       // exactly as sent ("RCPT TO:<bob@b.example>\r\n")
    std::size_t offset = 0;  // where those bytes start in everything the client sent on conn
};

// Throws what_if_error when `seq` is not in `events` or is not a client command (the message
// says what the event is and names the nearest client command).
located_command locate_client_command(const std::vector<event>& events, std::uint64_t seq);

// What a replacement puts on the wire: `text` with the original command's line ending.
std::string replacement_bytes(std::string_view text, std::string_view original);

// A reply of the edited connection from the divergence on, in the original and in the branch
// (indexes into each run's events), paired by the command it answers, in order; a reply to a
// command the other run never sent (or never had answered) has no partner.
struct reply_pair {
    std::optional<std::size_t> original;
    std::optional<std::size_t> branch;
    bool differs = false;  // one side missing, or another text
};

struct step_comparison {
    std::size_t index = 0;  // in the script
    step_outcome original;
    step_outcome branch;
    bool differs() const {
        return original.finished != branch.finished || original.succeeded != branch.succeeded ||
               original.summary != branch.summary;
    }
};

struct expectation_comparison {
    std::string summary;  // what was expected
    bool original_passed = false;
    bool branch_passed = false;
    std::string original_found, branch_found;
};

// A folder whose messages differ at the end of the two runs ("subject <message-id>").
struct mailbox_comparison {
    std::string host, user, folder;
    std::vector<std::string> original, branch;
};

struct what_if_result {
    what_if_edit edit;
    located_command target;
    scenario_result original;
    scenario_result branch;
    // Events [0, divergence) are equal in both runs; the branch's event at `divergence` is its
    // what-if note, the original's the chunk of bytes that carried the command.
    std::size_t divergence = 0;
    std::vector<reply_pair> replies;
    std::vector<step_comparison> steps;               // every step of the script
    std::vector<expectation_comparison> expectations; // every expectation
    std::vector<mailbox_comparison> mailboxes;        // only the folders that differ
    // Why the branch ended as it did, in sentences: connections left open and who was waiting
    // for what, steps that no longer finish.
    std::vector<std::string> explanations;
};

// One row of the two runs shown side by side (indexes into each run's events).
struct what_if_row {
    std::optional<std::size_t> original;
    std::optional<std::size_t> branch;
};

// The rows for showing the runs side by side: the shared events from `context` shown events
// before the divergence (the same event on both sides), the branch's edit note alone, then both
// runs' events aligned by what they are (a longest common subsequence of kind, connection, verb
// or answered verb, state reached): a reply that changed faces the original reply, events only
// one run has stand alone. `shown` picks the events (e.g. one connection's, no bytes).
std::vector<what_if_row> what_if_rows(const what_if_result& r,
                                      const std::function<bool(const event&)>& shown,
                                      std::size_t context);

// Runs the scenario twice, as it is and with the edit. `branch_listeners` hear the branch's
// events as they happen (a --record file). Throws what_if_error for an edit that cannot be
// made, std::logic_error if the branch parted from the original before the edit (a
// determinism bug).
what_if_result run_what_if(const scenario& s, const what_if_edit& edit,
                           const std::vector<trace_listener*>& branch_listeners = {});

}  // namespace maillab::world
