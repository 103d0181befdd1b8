#include "sim/world/scenario.hpp"

#include "sim/core/bytes.hpp"

namespace maillab::world {

std::string_view to_string(host_role role) {
    switch (role) {
        case host_role::user_agent: return "user_agent";
        case host_role::submission: return "submission";
        case host_role::mx: return "mx";
        case host_role::pop3: return "pop3";
        case host_role::imap: return "imap";
        case host_role::dns: return "dns";
        case host_role::webmail: return "webmail";
        case host_role::browser: return "browser";
    }
    return "?";
}

std::optional<host_role> host_role_from_string(std::string_view name) {
    for (auto r : {host_role::user_agent, host_role::submission, host_role::mx, host_role::pop3,
                   host_role::imap, host_role::dns, host_role::webmail, host_role::browser})
        if (to_string(r) == name) return r;
    return std::nullopt;
}

std::string_view to_string(fault_action action) {
    switch (action) {
        case fault_action::reply: return "reply";
        case fault_action::reply_and_close: return "reply_and_close";
        case fault_action::close: return "close";
        case fault_action::drop_data: return "drop_data";
        case fault_action::fail_tls: return "fail_tls";
        case fault_action::unreachable: return "unreachable";
        case fault_action::mailbox_full: return "mailbox_full";
        case fault_action::lose_reply: return "lose_reply";
        case fault_action::corrupt: return "corrupt";
        case fault_action::delay: return "delay";
        case fault_action::restart: return "restart";
    }
    return "?";
}

std::string_view to_string(action_kind kind) {
    switch (kind) {
        case action_kind::send: return "send";
        case action_kind::pop3: return "pop3";
        case action_kind::imap: return "imap";
        case action_kind::session: return "session";
        case action_kind::wait: return "wait";
        case action_kind::note: return "note";
        case action_kind::web: return "web";
    }
    return "?";
}

std::string_view to_string(expectation_kind kind) {
    switch (kind) {
        case expectation_kind::mailbox: return "mailbox";
        case expectation_kind::bounce: return "bounce";
        case expectation_kind::reply: return "reply";
        case expectation_kind::state: return "state";
        case expectation_kind::queue_empty: return "queue_empty";
        case expectation_kind::event: return "event";
        case expectation_kind::no_mail: return "no_mail";
        case expectation_kind::download: return "download";
    }
    return "?";
}

const host_spec* scenario::find_host(std::string_view name) const {
    for (const auto& h : hosts)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

const user_spec* scenario::find_user(std::string_view address) const {
    for (const auto& u : users)
        if (iequals(u.address, address)) return &u;
    return nullptr;
}

const host_spec* scenario::server_for(std::string_view domain, host_role role) const {
    for (const auto& h : hosts) {
        if (!h.roles.count(role)) continue;
        for (const auto& d : h.domains)
            if (iequals(d, domain)) return &h;
    }
    return nullptr;
}

}  // namespace maillab::world
