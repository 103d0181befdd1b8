// `maillab class new --students N --domain-pattern s{n}.lab [--address-pattern ...]`: writes a
// class network (issue #14, docs/class-network.md) into a directory: class.json (the scenario:
// one mail domain, server and user per student, MX records, a greeting sent round the class),
// one start script per student (start-<domain>.sh: `maillab serve class.json --as
// mail.<domain>`, publishing its trace for the teacher), the teacher's attach.sh (the merged
// view of every machine in maillab-gui) and commands.md, the teacher's sheet with every
// student's domain, address, login, trace token and start command. The plan itself is
// sim/world/class_plan; this file only writes it.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "sim/world/class_plan.hpp"
#include "sim/world/scenario_loader.hpp"

namespace maillab::cli {

namespace {

namespace fs = std::filesystem;

struct class_new_options {
    world::class_options plan;
    std::string out_dir = "class";
    int trace_port = 4700;  // where each machine publishes its trace (serve --publish-trace)
    bool force = false;
};

// Ten characters a student can read off a sheet and type: no 0/o, 1/l/i.
std::string random_password() {
    static constexpr std::string_view alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    static std::random_device device;
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string password;
    for (int i = 0; i < 10; ++i) password += alphabet[pick(device)];
    return password;
}

// The serve command of a student's machine; `trace_port` is written as given (a number, or a
// shell expansion in the start script).
std::string serve_arguments(const world::class_student& st, const std::string& trace_port) {
    return fmt::format("serve class.json --as {} --bind 0.0.0.0 --record {}.jsonl "
                       "--publish-trace {} --trace-token {}",
                       st.mail_host, st.domain, trace_port, st.trace_token);
}

std::string start_script(const world::class_student& st, int trace_port) {
    return fmt::format(
        "#!/bin/sh\n"
        "# Student {n}'s machine in the class network: runs {host}, the mail server of {domain},\n"
        "# and publishes its trace on port {port} for the teacher's merged view.\n"
        "# Its ports are the standard ones (25, 587, 110, 143): run as root, or add --base-port.\n"
        "# MAILLAB names the maillab binary when it is not on PATH; MAILLAB_TRACE_PORT moves the\n"
        "# trace port.\n"
        "cd \"$(dirname \"$0\")\" || exit 1\n"
        "exec \"${{MAILLAB:-maillab}}\" {args} \"$@\"\n",
        fmt::arg("n", st.number), fmt::arg("host", st.mail_host), fmt::arg("domain", st.domain),
        fmt::arg("port", trace_port), // MAILLAB_TRACE_PORT moves the port without editing the script (0: the OS
        // chooses, for two students' machines played on one computer).
        fmt::arg("args", serve_arguments(
                             st, fmt::format("\"${{MAILLAB_TRACE_PORT:-{}}}\"", trace_port))));
}

// The teacher's --attach list: every machine's token, address and trace port.
std::string attach_arguments(const world::class_plan& plan, int trace_port) {
    std::string args;
    for (const auto& st : plan.students)
        args += fmt::format(" --attach {}@{}:{}", st.trace_token, st.address, trace_port);
    return args;
}

std::string attach_script(const world::class_plan& plan, int trace_port) {
    return fmt::format(
        "#!/bin/sh\n"
        "# The teacher's view of the whole class: every student's machine's published trace,\n"
        "# merged by time in maillab-gui. Add --record class.jsonl to keep the merged trace with\n"
        "# `maillab replay` instead: MAILLAB_VIEWER=\"maillab replay\" sh attach.sh --record F\n"
        "exec ${{MAILLAB_VIEWER:-maillab-gui}}{} \"$@\"\n",
        attach_arguments(plan, trace_port));
}

std::string teacher_sheet(const world::class_plan& plan, int trace_port) {
    const auto& students = plan.students;
    bool addresses = !students.front().address.empty();
    std::string md = fmt::format(
        "# Class network: {} students\n\n"
        "Written by `maillab class new`. The scenario is `class.json`; docs/class-network.md "
        "explains the class.\n\n"
        "1. Check the class on one machine first: `maillab run class.json` sends a greeting round "
        "the class in the simulation and checks every student got one.\n"
        "2. Each student copies this directory to their machine and runs their start script "
        "(`sh start-<domain>.sh`, or the command in the table).\n"
        "3. Students send mail to each other with any mail program: submission (port 587, AUTH "
        "with their login) to their own server; it relays to the recipient's server with the MX "
        "record from class.json.\n"
        "4. The teacher follows the whole class in one view: `sh attach.sh` (maillab-gui attached "
        "to every machine's trace on port {}, each with its own token).\n\n",
        students.size(), trace_port);
    if (!addresses)
        md += "**No addresses yet**: the mail servers do not know where the others run. Write each "
              "machine's address into class.json (the key `address` of each `mail.` host) or make "
              "the class again with `--address-pattern`, e.g. `--address-pattern "
              "192.168.10.{n+100}`, which also writes attach.sh, the teacher's merged view.\n\n";
    md += "| student | domain | runs | address | login | password | trace token | start command |\n"
          "|---:|---|---|---|---|---|---|---|\n";
    for (const auto& st : students)
        md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | `maillab {}` |\n", st.number,
                          st.domain, st.mail_host, st.address.empty() ? "-" : st.address, st.user,
                          st.password, st.trace_token,
                          serve_arguments(st, std::to_string(trace_port)));
    if (addresses)
        md += fmt::format("\nThe teacher's merged view (attach.sh):\n\n```\nmaillab-gui{}\n```\n",
                          attach_arguments(plan, trace_port));
    return md;
}

void write_file(const fs::path& path, const std::string& text, bool executable) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
    if (executable)
        fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
}

int run_class_new(const class_new_options& opts) {
    auto plan = world::plan_class(opts.plan, random_password);
    std::string scenario_text = plan.scenario.dump(2) + "\n";

    fs::path dir(opts.out_dir);
    fs::path scenario_path = dir / "class.json";
    // The plan is checked by the loader that will read it, so a class that cannot run is
    // never written.
    world::load_scenario_text(scenario_path.string(), scenario_text);
    if (fs::exists(scenario_path) && !opts.force)
        throw std::runtime_error(fmt::format("{} exists: choose another --out or add --force",
                                             scenario_path.string()));
    fs::create_directories(dir);
    write_file(scenario_path, scenario_text, false);
    for (const auto& st : plan.students)
        write_file(dir / fmt::format("start-{}.sh", st.domain), start_script(st, opts.trace_port), true);
    // The attach list needs every machine's address; without them the sheet says how to add them.
    if (!plan.students.front().address.empty())
        write_file(dir / "attach.sh", attach_script(plan, opts.trace_port), true);
    write_file(dir / "commands.md", teacher_sheet(plan, opts.trace_port), false);

    std::cout << fmt::format("wrote {}: {} students, domains {} to {}\n", scenario_path.string(),
                             plan.students.size(), plan.students.front().domain,
                             plan.students.back().domain);
    std::cout << fmt::format("wrote {} start scripts (start-<domain>.sh){} and {}\n",
                             plan.students.size(),
                             plan.students.front().address.empty() ? "" : ", attach.sh",
                             (dir / "commands.md").string());
    if (plan.students.front().address.empty())
        std::cout << "note: no --address-pattern, so the servers do not know where the others run; "
                     "commands.md says how to add the addresses\n";
    std::cout << fmt::format("check it here first: maillab run {}\n", scenario_path.string());
    return 0;
}

}  // namespace

std::function<int()> add_class_command(CLI::App& app) {
    auto opts = std::make_shared<class_new_options>();
    CLI::App* cmd = app.add_subcommand(
        "class", "Set up a class network: every student runs the mail server of their own domain "
                 "on their own machine (docs/class-network.md)");
    cmd->require_subcommand(1);
    CLI::App* make = cmd->add_subcommand(
        "new", "Write a class's scenario (class.json), one start script per student and the "
               "teacher's sheet (commands.md) into a directory");
    make->add_option("--students", opts->plan.students, "How many students (2-500)")->required();
    make->add_option("--domain-pattern", opts->plan.domain_pattern,
                     "Each student's mail domain; {n} is the student's number, {n+K} adds K "
                     "(e.g. s{n}.lab)")
        ->required();
    make->add_option("--address-pattern", opts->plan.address_pattern,
                     "Where each student's machine is on the room's network, e.g. "
                     "192.168.10.{n+100}; without it, addresses are added to class.json by hand");
    make->add_option("--password-pattern", opts->plan.password_pattern,
                     "Each student's password, e.g. pw-{n} (default: random, listed in commands.md)");
    make->add_option("--first", opts->plan.first, "The first student's number")->capture_default_str();
    make->add_option("--trace-port", opts->trace_port,
                     "The port each machine publishes its trace on for the teacher's view")
        ->check(CLI::Range(1, 65535))
        ->capture_default_str();
    make->add_option("--out", opts->out_dir, "The directory to write")->capture_default_str();
    make->add_flag("--force", opts->force, "Overwrite class.json and the scripts if they exist");
    return [opts]() { return run_class_new(*opts); };
}

}  // namespace maillab::cli
