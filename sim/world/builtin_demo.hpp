// The built-in classroom demo (`maillab run`): alice's user agent submits one mail for bob to
// the mail server with SMTP (push), then bob's user agent fetches it with POP3 (pull), then his
// phone reads it with IMAP (headers, one part, \Seen), over in-memory pipes on the virtual clock.
// Same run, same trace, every time.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"
#include "sim/core/trace.hpp"

namespace maillab {

struct demo_result {
    nlohmann::json header;
    std::vector<event> events;
    bool delivered = false;  // SMTP accepted it, POP3 retrieved it and IMAP read it
};

// Listeners see every event as it happens (the transcript printer, a trace writer).
demo_result run_builtin_demo(const std::vector<trace_listener*>& listeners = {});

}  // namespace maillab
