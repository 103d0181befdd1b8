#include "sim/core/state_machine.hpp"

#include <array>

namespace maillab {

// Each protocol defines its spec next to its engine.
namespace smtp { const state_machine_spec& server_state_machine(); }
namespace pop3 { const state_machine_spec& server_state_machine(); }
namespace imap { const state_machine_spec& server_state_machine(); }
namespace smtp { const state_machine_spec& client_state_machine(); }
namespace pop3 { const state_machine_spec& client_state_machine(); }
namespace imap { const state_machine_spec& client_state_machine(); }

bool state_machine_spec::allows(std::string_view from, std::string_view to) const {
    for (const auto& t : transitions)
        if (t.from == from && t.to == to) return true;
    return !from_any_state.empty() && to == from_any_state && from != to;
}

std::span<const state_machine_spec* const> state_machines() {
    static const std::array<const state_machine_spec*, 6> all{
        &smtp::server_state_machine(), &pop3::server_state_machine(),
        &imap::server_state_machine(), &smtp::client_state_machine(),
        &pop3::client_state_machine(), &imap::client_state_machine(),
    };
    return all;
}

const state_machine_spec* find_state_machine(std::string_view machine) {
    for (const auto* m : state_machines())
        if (m->machine == machine) return m;
    return nullptr;
}

}  // namespace maillab
