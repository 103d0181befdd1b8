#include "sim/world/class_plan.hpp"

#include <charconv>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace maillab::world {
namespace {

using ordered_json = nlohmann::ordered_json;

[[noreturn]] void bad(std::string_view what, std::string message) {
    throw std::invalid_argument(fmt::format("{}: {}", what, message));
}

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// A host or domain name of lower-case labels (RFC 1035 2.3.1's letters, digits and hyphens,
// 1-63 octets, not starting or ending with a hyphen). `dots` is the fewest dots it needs.
std::string name_problem(std::string_view name, int dots) {
    if (name.empty()) return "it is empty";
    if (name.size() > 253) return "it is longer than 253 characters";
    int seen_dots = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i < name.size() && name[i] != '.') {
            char c = name[i];
            if (c >= 'A' && c <= 'Z')
                return fmt::format("\"{}\" is upper case (write names in lower case)", c);
            if (!is_label_char(c))
                return fmt::format("\"{}\" at column {} is not a letter, a digit, a hyphen or a dot",
                                   c, i + 1);
            continue;
        }
        auto label = name.substr(start, i - start);
        if (label.empty()) return fmt::format("an empty label at column {}", start + 1);
        if (label.size() > 63) return fmt::format("the label \"{}\" is longer than 63", label);
        if (label.front() == '-' || label.back() == '-')
            return fmt::format("the label \"{}\" starts or ends with a hyphen", label);
        if (i < name.size()) ++seen_dots;
        start = i + 1;
    }
    if (seen_dots < dots)
        return "a mail domain needs at least two labels (like s1.lab), so that mail.<domain> "
               "is a host of its own";
    return {};
}

// An IPv4 address when the text is only digits and dots; otherwise a machine name.
std::string address_problem(std::string_view address) {
    bool only_digits_and_dots = address.find_first_not_of("0123456789.") == std::string_view::npos;
    if (!only_digits_and_dots) return name_problem(address, 0);
    int parts = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= address.size(); ++i) {
        if (i < address.size() && address[i] != '.') continue;
        auto part = address.substr(start, i - start);
        ++parts;
        unsigned value = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || ec != std::errc{} || end != part.data() + part.size())
            return fmt::format("\"{}\" is not an IPv4 address (an empty part)", address);
        if (value > 255)
            return fmt::format("\"{}\" is not an IPv4 address ({} is above 255)", address, value);
        start = i + 1;
    }
    if (parts != 4)
        return fmt::format("\"{}\" is not an IPv4 address (it has {} parts, not 4)", address, parts);
    return {};
}

ordered_json bilingual(std::string en, std::string zh) {
    return ordered_json{{"en", std::move(en)}, {"zh", std::move(zh)}};
}

ordered_json scenario_of(const std::vector<class_student>& students) {
    const auto& first = students.front();
    const auto& last = students.back();
    const int n = static_cast<int>(students.size());
    ordered_json s;
    s["maillab_scenario"] = 1;
    s["title"] = bilingual(
        fmt::format("Class network: {} students, domains {} to {}", n, first.domain, last.domain),
        fmt::format("班级网络：{} 名学生，域 {} 至 {}", n, first.domain, last.domain));
    s["description"] = bilingual(
        "Every student runs the mail server of a domain of their own on their own machine "
        "(maillab serve class.json --as mail.<domain>). The DNS section makes each server the MX "
        "of its domain, so mail between students goes the internet's way: submission with AUTH "
        "to the sender's server, an MX lookup, a relay with SMTP to the recipient's server, and "
        "IMAP or POP3 to read it. In the simulation the script sends a greeting round the class, "
        "each student to the next and the last to the first.",
        "每个学生在自己的机器上为自己的域运行邮件服务器（maillab serve class.json --as "
        "mail.<域名>）。DNS 部分让每台服务器成为其域的 MX，因此学生之间的邮件按互联网的方式传递："
        "带认证地提交给发件人的服务器，查询 MX，用 SMTP 中继到收件人的服务器，再用 IMAP 或 POP3 "
        "读取。在模拟中，脚本让问候邮件在全班传一圈：每个学生发给下一个，最后一个发给第一个。");
    s["seeds"] = ordered_json::array({"002", "001"});
    s["latency"] = "2ms";

    auto hosts = ordered_json::array();
    hosts.push_back({{"name", "dns.class"}, {"roles", {"dns"}},
                     {"description", bilingual("The class's DNS: every domain's MX record",
                                               "全班的 DNS：每个域的 MX 记录")}});
    for (const auto& st : students) {
        ordered_json server = {{"name", st.mail_host},
                               {"roles", {"submission", "mx", "pop3", "imap"}},
                               {"domains", {st.domain}}};
        if (!st.address.empty()) server["address"] = st.address;
        server["description"] = bilingual(fmt::format("Student {}'s mail server", st.number),
                                          fmt::format("{} 号学生的邮件服务器", st.number));
        hosts.push_back(std::move(server));
        hosts.push_back({{"name", st.pc_host}, {"roles", {"user_agent"}},
                         {"description", bilingual(fmt::format("Student {}'s mail program", st.number),
                                                   fmt::format("{} 号学生的邮件程序", st.number))}});
    }
    s["hosts"] = std::move(hosts);

    auto users = ordered_json::array();
    for (const auto& st : students)
        users.push_back({{"address", st.user}, {"password", st.password},
                         {"name", fmt::format("Student {}", st.number)}});
    s["users"] = std::move(users);

    ordered_json mx = ordered_json::object();
    for (const auto& st : students)
        mx[st.domain] = ordered_json::array({{{"preference", 10}, {"host", st.mail_host}}});
    s["dns"] = {{"mx", std::move(mx)}};

    auto script = ordered_json::array();
    auto expect = ordered_json::array();
    for (int i = 0; i < n; ++i) {
        const auto& from = students[i];
        const auto& to = students[(i + 1) % n];
        script.push_back(
            {{"do", "send"}, {"host", from.pc_host}, {"server", from.mail_host},
             {"port", "submission"}, {"user", from.user}, {"to", {to.user}},
             {"message",
              {{"subject", fmt::format("Hello from {} / 来自 {} 的问候", from.domain, from.domain)},
               {"text", fmt::format("Hi student {},\n\nthis mail left {} by SMTP and reached you "
                                    "through your MX record.\n\nStudent {}\n",
                                    to.number, from.mail_host, from.number)}}}});
        expect.push_back({{"expect", "mailbox"}, {"user", to.user},
                          {"subject", fmt::format("Hello from {} /", from.domain)}, {"count", 1},
                          {"description",
                           bilingual(fmt::format("student {} has student {}'s greeting", to.number,
                                                 from.number),
                                     fmt::format("{} 号学生收到了 {} 号学生的问候", to.number,
                                                 from.number))}});
    }
    for (int i = 0; i < n; ++i) {
        const auto& st = students[i];
        ordered_json read = {{"do", "imap"}};
        if (i == 0) read["after"] = "1m";
        read["host"] = st.pc_host;
        read["server"] = st.mail_host;
        read["port"] = "imap";
        read["user"] = st.user;
        script.push_back(std::move(read));
    }
    for (const auto& st : students)
        expect.push_back({{"expect", "queue_empty"}, {"host", st.mail_host}});
    s["script"] = std::move(script);
    s["expect"] = std::move(expect);
    return s;
}

}  // namespace

std::string expand_class_pattern(std::string_view pattern, int n, std::string_view what) {
    std::string out;
    bool has_n = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '}') bad(what, fmt::format("\"{}\": a \"}}\" at column {} closes nothing", pattern, i + 1));
        if (c != '{') {
            out += c;
            continue;
        }
        auto close = pattern.find('}', i);
        if (close == std::string_view::npos)
            bad(what, fmt::format("\"{}\": the \"{{\" at column {} is never closed", pattern, i + 1));
        auto inside = pattern.substr(i + 1, close - i - 1);
        int value = n;
        if (inside != "n") {
            bool plus = inside.size() > 2 && inside[0] == 'n' && (inside[1] == '+' || inside[1] == '-');
            int offset = 0;
            std::from_chars_result r{};
            if (plus) r = std::from_chars(inside.data() + 2, inside.data() + inside.size(), offset);
            if (!plus || r.ec != std::errc{} || r.ptr != inside.data() + inside.size())
                bad(what, fmt::format("\"{}\": \"{{{}}}\" at column {} is not a placeholder; write "
                                      "{{n}} for the student's number, or {{n+K}} / {{n-K}}",
                                      pattern, inside, i + 1));
            value = inside[1] == '+' ? n + offset : n - offset;
        }
        if (value < 0)
            bad(what, fmt::format("\"{}\" gives a negative number ({}) for student {}", pattern, value, n));
        out += std::to_string(value);
        has_n = true;
        i = close;
    }
    if (!has_n)
        bad(what, fmt::format("\"{}\" has no {{n}}: every student needs one of their own", pattern));
    return out;
}

class_plan plan_class(const class_options& options,
                      const std::function<std::string()>& random_password) {
    if (options.students < 2 || options.students > max_class_students)
        bad("--students", fmt::format("{}: a class network needs 2 to {} students", options.students,
                                      max_class_students));
    if (options.first < 0) bad("--first", "the first student's number cannot be negative");
    if (options.domain_pattern.empty()) bad("--domain-pattern", "it is empty");

    class_plan plan;
    std::set<std::string> domains, addresses;
    for (int i = 0; i < options.students; ++i) {
        class_student st;
        st.number = options.first + i;
        st.domain = expand_class_pattern(options.domain_pattern, st.number, "--domain-pattern");
        if (auto problem = name_problem(st.domain, 1); !problem.empty())
            bad("--domain-pattern", fmt::format("student {}'s domain \"{}\" is not a domain name: {}",
                                                st.number, st.domain, problem));
        if (st.domain == "class" || st.domain.ends_with(".class"))
            bad("--domain-pattern", fmt::format("\"{}\": the domain .class is the class's own DNS "
                                                "host (dns.class); choose another", st.domain));
        if (!domains.insert(st.domain).second)
            bad("--domain-pattern", fmt::format("two students get the domain \"{}\"", st.domain));
        st.mail_host = "mail." + st.domain;
        st.pc_host = "pc." + st.domain;
        st.user = "student@" + st.domain;
        if (!options.address_pattern.empty()) {
            st.address = expand_class_pattern(options.address_pattern, st.number, "--address-pattern");
            if (auto problem = address_problem(st.address); !problem.empty())
                bad("--address-pattern", fmt::format("student {}: {}", st.number, problem));
            if (!addresses.insert(st.address).second)
                bad("--address-pattern", fmt::format("two students get the address \"{}\"", st.address));
        }
        st.password = options.password_pattern.empty()
                          ? random_password()
                          : expand_class_pattern(options.password_pattern, st.number,
                                                 "--password-pattern");
        st.trace_token = random_password();
        plan.students.push_back(std::move(st));
    }
    plan.scenario = scenario_of(plan.students);
    return plan;
}

}  // namespace maillab::world
