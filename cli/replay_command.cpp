// `maillab replay FILE`: a recording (`maillab run --record`, `maillab serve --record`) as the
// annotated transcript, the teacher's notes below their events: all at once, filtered, step by
// step (--step) or in the recording's own rhythm (--speed X). It reads only the file, so a
// replay shows exactly what was recorded.

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/replay_merge.hpp"
#include "cli/terminal_keys.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/record/annotations.hpp"
#include "sim/record/replay_timing.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/transcript.hpp"
#include "sim/view/event_filter.hpp"
#include "sim/view/trace_model.hpp"
#include "sim/world/trace_source.hpp"

namespace maillab::cli {
namespace {

struct replay_options {
    std::string path;                // the recording shown (a merge: "merged view")
    std::vector<std::string> files;  // as given
    merge_options merge;
    std::vector<std::string> protos;
    std::vector<std::string> hosts;
    std::vector<std::uint64_t> conns;
    std::vector<std::string> kinds;
    std::uint64_t from_seq = 0;
    std::uint64_t to_seq = 0;
    std::string view;
    bool step = false;
    double speed = 0;
    std::string lang = "en";
    bool no_explain = false;
    bool show_bytes = false;
};

// The saved view named by --view (if any), then each filter option given on the command line
// in place of the view's value for it.
view::event_filter build_filter(const replay_options& o, const CLI::App& cmd, const trace_file& f) {
    view::event_filter filter;
    if (!o.view.empty()) {
        const annotation* v = find_view(f.annotations, o.view);
        if (!v) {
            std::string names;
            for (const auto& a : f.annotations)
                if (a.type == annotation_type::view) names += (names.empty() ? "" : ", ") + a.name;
            throw std::invalid_argument(
                fmt::format("{}: no saved view named \"{}\" ({})", o.path, o.view,
                            names.empty() ? "the file has none" : "the file has: " + names));
        }
        filter = v->filter;
    }
    if (cmd.count("--proto")) filter.protos = {o.protos.begin(), o.protos.end()};
    if (cmd.count("--host")) filter.hosts = {o.hosts.begin(), o.hosts.end()};
    if (cmd.count("--conn")) filter.conns = {o.conns.begin(), o.conns.end()};
    if (cmd.count("--kind")) filter.kinds = view::kinds_from_names(o.kinds);
    if (cmd.count("--from")) filter.from_seq = o.from_seq;
    if (cmd.count("--to")) filter.to_seq = o.to_seq;
    if (filter.from_seq && filter.to_seq && *filter.from_seq > *filter.to_seq)
        throw std::invalid_argument(
            fmt::format("--from {} is after --to {}", *filter.from_seq, *filter.to_seq));
    return filter;
}

class replay {
  public:
    replay(const replay_options& o, trace_file f, const view::event_filter& filter)
        : options_(o),
          zh_(o.lang == "zh"),
          annotations_(std::move(f.annotations)),
          notes_(annotations_),
          model_(std::move(f.header), std::move(f.events)),
          printer_(std::cout, printer_options(o, model_)) {
        view::filtered_index index;
        index.update(model_, filter);
        // A tap's chunk of bytes repeats the C:/S: lines unless asked for; one with a teacher's
        // note on it is shown all the same.
        bool bytes = o.show_bytes || filter.kinds.count(event_kind::bytes);
        for (std::size_t i : index.indices()) {
            const event& e = model_.at(i);
            if (e.kind != event_kind::bytes || bytes || notes_.has(e.seq)) rows_.push_back(i);
        }
        if (!o.view.empty())
            if (const annotation* v = find_view(annotations_, o.view); v && v->seq)
                start_ = first_row_at_or_after(*v->seq);
    }

    int run() {
        banner();
        if (rows_.empty()) {
            std::string protocols;
            for (const auto& p : model_.protocols())
                protocols += (protocols.empty() ? "" : ", ") + p;
            std::cout << fmt::format(
                fmt::runtime(say("no event matches the filters (the "
                                 "file's protocols: {})\n",
                                 "没有符合筛选条件的事件（文件中的协议：{}）\n")),
                protocols);
            return 0;
        }
        if (options_.step) return step_through();
        std::optional<std::int64_t> previous_t;
        for (std::size_t r = 0; r < rows_.size(); ++r) {
            const event& e = model_.at(rows_[r]);
            if (options_.speed > 0 && previous_t)
                std::this_thread::sleep_for(std::chrono::microseconds(
                    replay_pause_us(*previous_t, e.t_us, options_.speed)));
            previous_t = e.t_us;
            show(r);
        }
        footer(rows_.size());
        return 0;
    }

    static transcript_options printer_options(const replay_options& o,
                                              const view::trace_model& model) {
        transcript_options t;
        t.lang = *language_from_string(o.lang);
        t.explanations = !o.no_explain;
        t.show_bytes = true;  // the rows decide which bytes events are shown
        t.color = stdout_wants_color();
        t.show_seq = true;  // the number `maillab annotate --seq` takes
        if (!model.empty()) t.start_t_us = model.at(0).t_us;
        return t;
    }

  private:
    // The English or the Chinese words, by --lang.
    const char* say(const char* en, const char* zh) const { return zh_ ? zh : en; }

    std::size_t first_row_at_or_after(std::uint64_t seq) const {
        for (std::size_t r = 0; r < rows_.size(); ++r)
            if (model_.at(rows_[r]).seq >= seq) return r;
        return rows_.empty() ? 0 : rows_.size() - 1;
    }

    void banner() const {
        const auto& h = model_.header();
        std::string title = h.value(zh_ ? "title_zh" : "title", std::string());
        if (title.empty()) title = text_field(h, "title");
        bool live = text_field(h, "clock") == "real";
        std::cout << fmt::format(fmt::runtime(say("replay of {}: {}\n", "回放 {}：{}\n")),
                                 options_.path, title)
                  << fmt::format(fmt::runtime(say("  {} events, {} shown; {} annotation(s); {}\n",
                                                  "  {} 个事件，显示 {} 个；{} 条注释；{}\n")),
                                 model_.size(), rows_.size(), annotations_.size(),
                                 live ? say("real clock (recorded live)", "真实时钟（现场录制）")
                                      : say("virtual clock", "虚拟时钟"));
        std::cout.flush();
    }

    void footer(std::size_t shown) const {
        std::cout << fmt::format(
            fmt::runtime(say("end of replay: {} event(s) shown\n", "回放结束：显示了 {} 个事件\n")),
            shown);
    }

    void show(std::size_t row) {
        const event& e = model_.at(rows_[row]);
        printer_.print(e, true);
        printer_.print_annotations(notes_.on(e.seq));
    }

    int step_through() {
        key_reader keys;
        std::size_t row = start_;
        std::size_t shown = 0;
        show(row);
        ++shown;
        for (;;) {
            if (keys.interactive())
                std::cerr << fmt::format(
                                 fmt::runtime(say("  [{}/{}] space/enter next · b back · q quit",
                                                  "  [{}/{}] 空格/回车 下一个 · b 后退 · q 退出")),
                                 row + 1, rows_.size())
                          << std::flush;
            step_key key = keys.next();
            if (keys.interactive()) std::cerr << "\r\x1b[K" << std::flush;  // erase the prompt
            if (key == step_key::quit) break;
            if (key == step_key::back) {
                if (row == 0) {
                    std::cout << say("  (this is the first event)\n", "  （已经是第一个事件）\n");
                    continue;
                }
                --row;
            } else {
                if (row + 1 == rows_.size()) break;
                ++row;
            }
            show(row);
            ++shown;
        }
        footer(shown);
        return 0;
    }

    const replay_options& options_;
    bool zh_;
    std::vector<annotation> annotations_;
    annotation_index notes_;  // points into annotations_, which never changes after this
    view::trace_model model_;
    transcript_printer printer_;
    std::vector<std::size_t> rows_;  // model indices of the events to show, in order
    std::size_t start_ = 0;
};

}  // namespace

std::function<int()> add_replay_command(CLI::App& app) {
    auto opts = std::make_shared<replay_options>();
    CLI::App* cmd = app.add_subcommand(
        "replay",
        "Replay a recording (from `maillab run --record` or `maillab serve --record`) as the "
        "annotated transcript, with the teacher's notes below their events; each event starts "
        "with its seq, the number `maillab annotate --seq` takes");
    cmd->add_option("file", opts->files,
                    "The recording (JSON Lines); several are merged into one view by time "
                    "(recordings of the machines of a class network)")
        ->option_text("FILE...");
    cmd->add_option("--proto", opts->protos,
                    "Only these protocols (e.g. smtp,pop3; also tcp, tls, dns, http, world)")
        ->delimiter(',')
        ->option_text("LIST");
    cmd->add_option("--host", opts->hosts, "Only events from or to these hosts")
        ->delimiter(',')
        ->option_text("NAMES");
    cmd->add_option("--conn", opts->conns, "Only these connections (the #N of the transcript)")
        ->delimiter(',')
        ->option_text("N,...");
    cmd->add_option("--kind", opts->kinds,
                    "Only these kinds (tcp, tls, bytes, command, reply, data, state, store, "
                    "queue, dns, http, note)")
        ->delimiter(',')
        ->option_text("LIST");
    cmd->add_option("--from", opts->from_seq, "Start at this seq")->option_text("SEQ");
    cmd->add_option("--to", opts->to_seq, "Stop after this seq")->option_text("SEQ");
    cmd->add_option("--view", opts->view,
                    "Start from a view saved in the file (`maillab annotate --view NAME`): its "
                    "filter, and with --step its cursor; other filter options override it")
        ->option_text("NAME");
    CLI::Option* step = cmd->add_flag(
        "--step", opts->step,
        "One event at a time: space or Enter next, b back, q quit (from a pipe: one line per "
        "key, an empty line for next)");
    cmd->add_option("--speed", opts->speed,
                    "Play in the recording's rhythm, X times as fast (1 = as recorded); a pause "
                    "is never longer than 2 s, however long the gap in the recording")
        ->check(CLI::PositiveNumber)
        ->excludes(step)
        ->option_text("X");
    cmd->add_option("--lang", opts->lang, "Language of the explanations and the notes")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--bytes", opts->show_bytes, "Also print every chunk of bytes the tap saw");
    add_merge_options(*cmd, opts->merge);

    return [opts, cmd]() -> int {
        for (const auto& path : opts->files)
            if (world::looks_like_scenario(path))
                throw std::invalid_argument(fmt::format(
                    "{} is a scenario, not a recording: run it with `maillab run {}` (add "
                    "--record FILE to keep a recording you can replay and annotate)",
                    path, path));
        if (opts->files.empty() && opts->merge.attach.empty())
            throw std::invalid_argument(
                "replay needs a recording FILE (or several to merge), or --attach ADDR:PORT");
        if (!opts->merge.attach.empty()) {
            if (opts->step || opts->speed > 0 || !opts->view.empty())
                throw std::invalid_argument(
                    "--step, --speed and --view replay a file; a live --attach shows events as "
                    "they come (record it with --record and replay that)");
            transcript_options t = replay::printer_options(*opts, view::trace_model());
            t.show_bytes = opts->show_bytes;
            view::event_filter filter = build_filter(*opts, *cmd, trace_file{});
            return follow_merged(opts->merge, opts->files, t,
                                 [filter](const event& e) { return filter.matches(e); });
        }
        if (opts->merge.reconnect)
            throw std::invalid_argument("--reconnect goes with --attach ADDR:PORT");
        bool merging = opts->files.size() > 1;
        if (!merging && (!opts->merge.record_path.empty() || !opts->merge.clock_offsets.empty()))
            throw std::invalid_argument(
                "--record and --clock-offset merge several sources: give two or more FILEs or "
                "--attach");
        trace_file f;
        if (merging) {
            f = merge_files(opts->merge, opts->files, opts->lang == "zh");
            opts->path = "merged view";
        } else {
            opts->path = opts->files.front();
            f = read_trace_file(opts->path);
            for (const auto& w : f.warnings) std::cerr << "maillab replay: warning: " << w << '\n';
        }
        view::event_filter filter = build_filter(*opts, *cmd, f);
        replay r(*opts, std::move(f), filter);
        return r.run();
    };
}

}  // namespace maillab::cli
