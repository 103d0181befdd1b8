// `maillab annotate FILE`: a teacher's notes, bookmarks and saved views, kept in the recording
// itself (trace format version 2), so the file handed to students carries the lesson. Each
// change rewrites the file atomically (sim/record/annotation_file.hpp).

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "sim/record/annotation_file.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/view/event_filter.hpp"
#include "sim/world/trace_source.hpp"

namespace maillab::cli {
namespace {

struct annotate_options {
    std::string path;
    std::uint64_t seq = 0;
    std::string note;
    std::string note_zh;
    std::string bookmark;
    std::string view;
    std::vector<std::string> protos;
    std::vector<std::string> hosts;
    std::vector<std::uint64_t> conns;
    std::vector<std::string> kinds;
    std::uint64_t from_seq = 0;
    std::uint64_t to_seq = 0;
    bool list = false;
    std::uint64_t remove = 0;
};

void print_warnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) std::cerr << "maillab annotate: warning: " << w << '\n';
}

int list_annotations(const std::string& path) {
    trace_file f = read_trace_file(path);
    print_warnings(f.warnings);
    if (f.annotations.empty()) {
        std::cout << path << ": no annotations\n";
        return 0;
    }
    std::cout << fmt::format("{}: {} annotation(s)\n", path, f.annotations.size());
    for (const auto& a : f.annotations) {
        std::cout << "  " << a.summary() << '\n';
        if (a.type == annotation_type::note && !a.text_zh.empty())
            std::cout << "                    zh: " << a.text_zh << '\n';
    }
    return 0;
}

annotation annotation_from_options(const annotate_options& o, const CLI::App& cmd) {
    annotation a;
    if (cmd.count("--seq")) a.seq = o.seq;
    if (cmd.count("--note")) {
        a.type = annotation_type::note;
        a.text = o.note;
        a.text_zh = o.note_zh;
    } else if (cmd.count("--bookmark")) {
        a.type = annotation_type::bookmark;
        a.name = o.bookmark;
    } else {
        a.type = annotation_type::view;
        a.name = o.view;
        a.filter.protos = {o.protos.begin(), o.protos.end()};
        a.filter.hosts = {o.hosts.begin(), o.hosts.end()};
        a.filter.conns = {o.conns.begin(), o.conns.end()};
        a.filter.kinds = view::kinds_from_names(o.kinds);
        if (cmd.count("--from")) a.filter.from_seq = o.from_seq;
        if (cmd.count("--to")) a.filter.to_seq = o.to_seq;
        if (a.filter.from_seq && a.filter.to_seq && *a.filter.from_seq > *a.filter.to_seq)
            throw std::invalid_argument(
                fmt::format("--from {} is after --to {}", *a.filter.from_seq, *a.filter.to_seq));
    }
    return a;
}

}  // namespace

std::function<int()> add_annotate_command(CLI::App& app) {
    auto opts = std::make_shared<annotate_options>();
    CLI::App* cmd = app.add_subcommand(
        "annotate",
        "Add a teacher's note, a bookmark or a saved view to a recording, list them or remove "
        "one; they are kept in the file, and `maillab replay` and maillab-gui show them");
    cmd->add_option("file", opts->path, "The recording (JSON Lines)")
        ->required()
        ->option_text("FILE");
    auto* seq = cmd->add_option("--seq", opts->seq,
                                "The event (its number in `maillab replay`); for --view, the "
                                "cursor")
                    ->check(CLI::PositiveNumber)
                    ->option_text("N");
    auto* note = cmd->add_option("--note", opts->note, "Add a note on event --seq")
                     ->option_text("TEXT");
    cmd->add_option("--zh", opts->note_zh, "The note in Chinese (shown with --lang zh)")
        ->option_text("TEXT")
        ->needs(note);
    auto* bookmark = cmd->add_option("--bookmark", opts->bookmark, "Add a bookmark on event --seq")
                         ->option_text("NAME");
    auto* view_opt = cmd->add_option("--view", opts->view,
                                     "Save a view: the filter given with --proto, --host, --conn, "
                                     "--kind, --from, --to (and --seq as its cursor); `maillab "
                                     "replay --view NAME` and maillab-gui apply it")
                         ->option_text("NAME");
    std::vector<CLI::Option*> filter_options = {
        cmd->add_option("--proto", opts->protos, "With --view: protocols")
            ->delimiter(',')
            ->option_text("LIST"),
        cmd->add_option("--host", opts->hosts, "With --view: hosts")
            ->delimiter(',')
            ->option_text("NAMES"),
        cmd->add_option("--conn", opts->conns, "With --view: connections")
            ->delimiter(',')
            ->option_text("N,..."),
        cmd->add_option("--kind", opts->kinds, "With --view: event kinds")
            ->delimiter(',')
            ->option_text("LIST"),
        cmd->add_option("--from", opts->from_seq, "With --view: first seq")->option_text("SEQ"),
        cmd->add_option("--to", opts->to_seq, "With --view: last seq")->option_text("SEQ"),
    };
    for (auto* f : filter_options) f->needs(view_opt);
    auto* list = cmd->add_flag("--list", opts->list, "List the file's annotations with their ids");
    auto* remove = cmd->add_option("--remove", opts->remove, "Remove the annotation with this id")
                       ->check(CLI::PositiveNumber)
                       ->option_text("ID");
    std::vector<CLI::Option*> actions = {note, bookmark, view_opt, list, remove};
    for (auto* a : actions)
        for (auto* b : actions)
            if (a != b) a->excludes(b);
    seq->excludes(list)->excludes(remove);

    return [opts, cmd, actions]() -> int {
        std::size_t chosen = 0;
        for (auto* a : actions) chosen += a->count() > 0;
        if (chosen == 0)
            throw std::invalid_argument(
                "annotate: say what to do: --note TEXT --seq N, --bookmark NAME --seq N, --view "
                "NAME, --list or --remove ID");
        if (world::looks_like_scenario(opts->path))
            throw std::invalid_argument(fmt::format(
                "{} is a scenario, not a recording: record it first with `maillab run {} "
                "--record FILE`, then annotate FILE",
                opts->path, opts->path));
        if (opts->list) return list_annotations(opts->path);
        if (cmd->count("--remove")) {
            annotation_change c = remove_annotation(opts->path, opts->remove);
            print_warnings(c.warnings);
            std::cout << fmt::format("removed {} {} from {} ({} annotation(s) left)\n",
                                     to_string(c.changed.type), c.changed.id, opts->path,
                                     c.annotations.size());
            return 0;
        }
        annotation a = annotation_from_options(*opts, *cmd);
        annotation_change c = add_annotation(opts->path, std::move(a));
        print_warnings(c.warnings);
        std::cout << fmt::format("added {} {}{} to {} ({} annotation(s))\n",
                                 to_string(c.changed.type), c.changed.id,
                                 c.changed.seq ? fmt::format(" on #{}", *c.changed.seq) : "",
                                 opts->path, c.annotations.size());
        return 0;
    };
}

}  // namespace maillab::cli
