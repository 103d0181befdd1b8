// A scenario: the classroom story as data. Hosts with their roles, the mail domains they serve,
// users, DNS MX records, links with latency, relay settings, scripted faults, a script of actions
// and the expectations checked at the end. Loaded and validated by scenario_loader.hpp; run by
// world.hpp; documented for teachers in docs/scenario-format.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/json_locations.hpp"
#include "sim/http/browser_session.hpp"

namespace maillab::world {

// English and Chinese text of a title, description or note.
struct bilingual {
    std::string en;
    std::string zh;
};

enum class host_role {
    user_agent,  // a mail program (or a student with telnet): connects, never listens
    submission,  // port 587: mail from its own authenticated users, relayed onwards (RFC 6409)
    mx,          // port 25: mail for its domains from anywhere (RFC 5321)
    pop3,        // port 110 (995 with TLS)
    imap,        // port 143 (993 with TLS)
    dns,         // answers the MX queries (shown on the topology; every world has one)
    webmail,     // port 80: HTTP pages for browsers; itself an IMAP and submission client
    browser,     // a person's web browser: connects to webmail, never listens
};
std::string_view to_string(host_role role);
std::optional<host_role> host_role_from_string(std::string_view name);

struct host_spec {
    std::string name;  // "mx1.b.example"
    std::set<host_role> roles;
    std::vector<std::string> domains;  // mail domains whose mailboxes this host serves
    bool tls = false;                  // offers STARTTLS, SMTPS, POP3S and IMAPS
    std::size_t max_message_size = 10 * 1024 * 1024;
    // webmail: the servers it reads from (IMAP) and sends through (submission, with AUTH)
    std::string imap_server;
    std::string submission_server;
    // Where the host runs when the world is spread over a class network (`serve --as`): its
    // services at their standard ports there. Empty: not given (ignored in a simulation).
    std::string address;
    bilingual description;
    std::string where;  // "file:line:col" of its definition, for later errors
};

struct user_spec {
    std::string address;  // "bob@b.example"
    std::string password;
    std::string display_name;  // "Bob"
};

struct mx_record {
    int preference = 10;
    std::string host;
};

struct link_spec {
    std::string a;
    std::string b;
    std::int64_t latency_us = 0;
};

struct relay_settings {
    // Waits before the 1st, 2nd, ... retry; the last one repeats (RFC 5321 4.5.4.1 suggests at
    // least 30 minutes; a classroom wants minutes).
    std::vector<std::int64_t> retry_us = {60'000'000, 300'000'000, 900'000'000};
    std::int64_t give_up_after_us = 4LL * 3600 * 1'000'000;  // then a bounce (RFC 3464)
    std::int64_t connect_timeout_us = 30'000'000;             // an unreachable MX costs this
};

// A scripted fault: when a matching thing happens, do `action` instead of the normal thing.
enum class fault_action {
    reply,            // answer the matching command with `reply` instead of the server
    reply_and_close,  // the same, then close the connection ("421 ..." to the "." ending DATA)
    close,            // close the connection when the command arrives, no answer
    drop_data,        // close the connection after `lines` lines of the DATA text
    fail_tls,         // advertise STARTTLS (or listen for TLS) but fail the handshake
    unreachable,      // connections to the host fail (from/until)
    lose_reply,       // the server answers the command, but the connection breaks before the
                      // reply reaches the client (the "." of DATA: RFC 1047's duplicate)
    corrupt,          // a line arrives with `replace` changed into `with` (no checksum in SMTP)
    delay,            // the server's replies are held back `delay_us` from the matching command
    restart,          // the host's servers stop at `from` (every connection cut) and are back
                      // at `until`; stores and queues survive, as on disk
    mailbox_full,     // RCPT TO for `user` gets 452 4.2.2 (552 5.2.2 when `permanent`)
};
std::string_view to_string(fault_action action);

struct fault_rule {
    std::string name;  // shown in the trace; a description made from the rule when absent
    std::string host;
    std::string proto;    // "smtp", "pop3", "imap"; empty: any
    std::string command;  // verb ("RCPT"), "." for the end of the DATA text; empty: any
    std::optional<std::string> argument_contains;  // case-insensitive
    std::uint32_t nth = 0;  // only the nth match (1-based) on this host; 0: every match
    std::int64_t from_us = 0;
    std::optional<std::int64_t> until_us;
    fault_action action = fault_action::reply;
    std::string reply;       // "452 4.5.3 Too many recipients"
    std::uint32_t lines = 0;  // drop_data
    std::string user;        // mailbox_full
    bool permanent = false;  // mailbox_full
    std::string replace;        // corrupt: the bytes changed ...
    std::string with;           // ... into these
    std::int64_t delay_us = 0;  // delay
    std::string where;
};

// The mail to send: either exactly these bytes, or composed by the MIME builder.
struct message_spec {
    std::optional<std::string> raw;
    std::string from;  // default: the sender's display name and address
    std::vector<std::string> to;  // default: the envelope recipients
    std::vector<std::string> cc;
    std::string subject;
    std::string text;
    std::string html;
    struct attachment {
        std::string filename;
        std::string content_type;
        std::string bytes;
        bool inline_image = false;
        std::string content_id;
    };
    std::vector<attachment> attachments;
    std::string message_id;  // default: <SCENARIO-ID.stepN@sender's domain>
};

enum class action_kind { send, pop3, imap, session, wait, note, web };
std::string_view to_string(action_kind kind);

struct action_spec {
    action_kind kind = action_kind::wait;
    std::optional<std::int64_t> at_us;  // start at this time from the beginning...
    std::int64_t after_us = 0;          // ...or this long after the previous action ended
    std::string host;                   // the client host (user agent)
    std::string server;
    std::string port;                   // "submission", "smtp", "smtps", "pop3", "pop3s", ...
    std::string user;                   // address; login and (for send) envelope sender
    std::optional<std::string> password;  // default: the user's
    bool tls = false;                   // STARTTLS / STLS when offered
    bool require_tls = false;
    // send
    std::string mail_from;
    std::vector<std::string> to;
    message_spec message;
    bool auth = true;
    // pop3
    bool delete_after = false;
    bool apop = false;
    // imap
    std::string mailbox = "INBOX";
    std::vector<std::pair<std::string, std::string>> fetch;  // UID set -> section
    std::vector<std::pair<std::string, std::string>> flag;   // UID set -> flag
    bool expunge = false;
    // session: "<" reads a line, "<." reads lines up to a lone ".", ">text" sends text
    std::vector<std::string> steps;
    std::string line_end = "\r\n";
    // web: what the person at the browser does on the webmail `server`
    std::vector<http::web_step> web_steps;
    std::string lang = "en";
    // wait / note
    std::int64_t wait_us = 0;
    bilingual note;
    std::string where;
};

// What must be true at the end. Each kind reads the final stores or the trace.
enum class expectation_kind { mailbox, bounce, reply, state, queue_empty, event, no_mail, download };
std::string_view to_string(expectation_kind kind);

struct expectation_spec {
    expectation_kind kind = expectation_kind::event;
    bilingual description;
    // mailbox / no_mail / bounce
    std::string user;
    std::string folder = "INBOX";
    std::optional<std::string> subject;     // contains, case-sensitive, decoded (RFC 2047)
    std::optional<std::string> message_id;
    std::set<std::string> flags;            // all present
    std::optional<std::size_t> count;       // exact; default: at least one
    // bounce
    std::optional<std::string> recipient;   // Final-Recipient
    std::optional<std::string> status;      // "5.1.1"
    // download (by a browser on `host`): the file, byte for byte the attachment of that name sent
    // by a step of the script
    std::string filename;
    // reply / state / event
    std::string host;
    std::optional<int> code;
    std::string machine;
    std::string state;
    nlohmann::json match = nlohmann::json::object();  // event: fields (and kind/proto/from/to)
    std::string where;
};

struct scenario {
    std::string path;  // the file it came from ("" when built in code)
    std::string id;    // file name without .json
    bilingual title;
    bilingual description;
    std::vector<std::string> seeds;  // "002" ... the seed pages the story comes from
    std::vector<host_spec> hosts;
    std::vector<user_spec> users;
    std::map<std::string, std::vector<mx_record>> mx;  // domain -> records as written
    std::vector<link_spec> links;
    std::int64_t default_latency_us = 2000;
    relay_settings relay;
    std::vector<fault_rule> faults;
    std::vector<action_spec> script;
    std::vector<expectation_spec> expectations;

    const host_spec* find_host(std::string_view name) const;
    const user_spec* find_user(std::string_view address) const;
    // The host offering `role` for `domain`, first in file order; nullptr if none.
    const host_spec* server_for(std::string_view domain, host_role role) const;
};

}  // namespace maillab::world
