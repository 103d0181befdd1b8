// `maillab class new` (issue #14): the scenario of a class network and who runs what. Every
// student gets a mail domain of their own (from a pattern such as "s{n}.lab"), a mail server
// host for it (mail.<domain>), a mail program host (pc.<domain>) and a user; the DNS section
// makes each server the MX of its domain, so the whole class is one world that
// `maillab serve class.json --as mail.<domain>` can spread over the room's machines. The
// script sends a greeting round the class (each student to the next, the last to the first)
// and reads it with IMAP, so `maillab run class.json` previews the class's traffic.
//
// Pure: no files, no clock. The CLI writes what this plans.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace maillab::world {

struct class_options {
    int students = 0;
    int first = 1;                  // the number of the first student ({n} runs first..)
    std::string domain_pattern;     // "s{n}.lab"
    std::string address_pattern;    // "" (no addresses) or "192.168.10.{n+100}"
    std::string password_pattern;   // "" (random passwords) or "pw-{n}"
};

struct class_student {
    int number = 0;
    std::string domain;        // s3.lab
    std::string mail_host;     // mail.s3.lab: the host this student's machine runs
    std::string pc_host;       // pc.s3.lab: the student's mail program in the simulation
    std::string address;       // where mail_host runs on the room's network; may be empty
    std::string user;          // student@s3.lab
    std::string password;
    // The token the teacher's viewer sends to follow this machine's published trace; one per
    // student, so a student's token opens only their own machine's trace.
    std::string trace_token;
};

struct class_plan {
    std::vector<class_student> students;
    nlohmann::ordered_json scenario;  // the scenario file's JSON
};

// Most students one plan holds: the ring of greetings is one step each, and a room of more
// than this is several classes.
inline constexpr int max_class_students = 500;

// Expands "{n}", "{n+K}" and "{n-K}" in `pattern` for student n. `what` names the option in
// errors ("--domain-pattern"). Throws std::invalid_argument saying what is wrong and where.
std::string expand_class_pattern(std::string_view pattern, int n, std::string_view what);

// Plans the class. `random_password` is called once per student for the trace token, and once
// more when no password pattern is given. Throws std::invalid_argument naming the option and the student when the options
// cannot make a valid class (no {n} in the domain pattern, a domain that is not a domain
// name, two students with the same domain or address, an address octet above 255, ...).
class_plan plan_class(const class_options& options,
                      const std::function<std::string()>& random_password);

}  // namespace maillab::world
