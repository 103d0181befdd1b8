#include "cli/replay_merge.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "sim/core/clock.hpp"

namespace maillab::cli {

void add_merge_options(CLI::App& cmd, merge_options& opts) {
    cmd.add_option("--attach", opts.attach,
                   "Follow the trace a `maillab serve --publish-trace` publishes (repeat for "
                   "each machine); merged by time with the FILEs given, if any")
        ->option_text("[TOKEN@]ADDR:PORT")
        ->allow_extra_args(false)  // one address per --attach: a FILE after it stays a FILE
        ->group("Merged view (class network)");
    cmd.add_option("--token", opts.token, "The token for each --attach that names none")
        ->option_text("TOKEN")
        ->group("Merged view (class network)");
    cmd.add_option("--clock-offset", opts.clock_offsets,
                   "Add MS milliseconds to HOST's times instead of the estimated offset (a "
                   "recording file has none)")
        ->option_text("HOST=MS")
        ->allow_extra_args(false)
        ->group("Merged view (class network)");
    cmd.add_option("--record", opts.record_path,
                   "Record the merged trace to FILE (replay, export and the GUI read it)")
        ->option_text("FILE")
        ->group("Merged view (class network)");
    cmd.add_option("--hold", opts.hold_s,
                   "Live: hold each event this long before showing it, so one still on its way "
                   "from a slower machine takes its place in time")
        ->check(CLI::Range(0.0, 60.0))
        ->option_text("SECONDS=1")
        ->group("Merged view (class network)");
    cmd.add_flag("--reconnect", opts.reconnect,
                 "Live: keep trying, every 2 s until Ctrl-C, a publisher that cannot be reached "
                 "yet or goes away (a machine started late, a server restarted); a restarted "
                 "server's new session follows its earlier one")
        ->group("Merged view (class network)");
}

merged_follow_options follow_options(const merge_options& opts,
                                     const std::vector<std::string>& files) {
    merged_follow_options f;
    for (const auto& a : opts.attach) f.live.push_back(parse_attach_target(a, opts.token));
    f.files = files;
    for (const auto& c : opts.clock_offsets) {
        auto [host, us] = parse_clock_offset(c);
        f.given_offsets_us[host] = us;
    }
    f.hold = std::chrono::milliseconds(static_cast<std::int64_t>(opts.hold_s * 1000));
    if (opts.reconnect) f.reconnect = std::chrono::milliseconds(2000);
    return f;
}

namespace {

// The English or the Chinese words, as the rest of replay (--lang).
const char* say(bool zh, const char* en, const char* zh_text) { return zh ? zh_text : en; }

void say_sources(const std::vector<follow_source_status>& sources, bool zh) {
    std::cout << say(zh, "sources of the merged view:\n", "合并视图的来源：\n");
    for (const auto& s : sources) std::cout << "  " << describe(s) << '\n';
}

}  // namespace

trace_file merge_files(const merge_options& opts, const std::vector<std::string>& files,
                       bool zh) {
    boost::asio::io_context io;  // not run: files need no network
    real_clock clock;
    trace_file out;
    merged_follow::callbacks cb;
    cb.say = [](const std::string& line, bool problem) {
        if (problem) std::cerr << "maillab replay: " << line << '\n';
    };
    cb.started = [&](const nlohmann::json& header) { out.header = header; };
    cb.events = [&](std::vector<event> events) {
        for (auto& e : events) out.events.push_back(std::move(e));
    };
    merged_follow follow(io, follow_options(opts, files), cb, clock);
    follow.stop();  // everything is there already: hand it all out
    say_sources(follow.sources(), zh);
    if (!opts.record_path.empty()) {
        write_trace_file(opts.record_path, out.header, out.events);
        std::cout << fmt::format(fmt::runtime(say(zh, "{} merged events recorded to {}\n",
                                                  "{} 个合并后的事件已录制到 {}\n")),
                                 out.events.size(), opts.record_path);
    }
    return out;
}

int follow_merged(const merge_options& opts, const std::vector<std::string>& files,
                  transcript_options topts, const std::function<bool(const event&)>& shown) {
    boost::asio::io_context io;
    real_clock clock;
    transcript_printer printer(std::cout, topts);
    std::unique_ptr<std::ofstream> file;
    std::unique_ptr<trace_writer> writer;
    std::uint64_t merged = 0;
    if (!opts.record_path.empty()) {
        file = std::make_unique<std::ofstream>(opts.record_path, std::ios::binary | std::ios::trunc);
        if (!*file)
            throw std::runtime_error(opts.record_path + ": cannot open for writing");
    }
    bool zh = topts.lang == language::zh;
    merged_follow::callbacks cb;
    cb.say = [](const std::string& line, bool problem) {
        (problem ? std::cerr : std::cout)
            << (problem ? "maillab replay: " : "source ") << line << std::endl;
    };
    cb.started = [&](const nlohmann::json& header) {
        std::cout << say(zh, "merged view started; Ctrl-C stops", "合并视图开始；Ctrl-C 停止")
                  << std::endl;
        if (file) writer = std::make_unique<trace_writer>(*file, header);
    };
    cb.events = [&](std::vector<event> events) {
        for (const auto& e : events) {
            if (shown(e)) printer.print(e);
            if (writer) writer->on_event(e);
            ++merged;
        }
        std::cout.flush();
    };
    cb.finished = [&] {
        std::cout << say(zh, "every publisher has gone; the merged view ends",
                         "所有发布者都已离开；合并视图结束")
                  << std::endl;
        io.stop();
    };
    merged_follow follow(io, follow_options(opts, files), cb, clock);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        follow.stop();
        io.stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    follow.start();
    io.run();
    follow.stop();
    say_sources(follow.sources(), zh);
    std::cout << fmt::format(fmt::runtime(say(zh, "{} events merged", "合并了 {} 个事件")), merged);
    if (writer)
        std::cout << fmt::format(fmt::runtime(say(zh, "; recorded to {} (maillab replay {})",
                                                  "；已录制到 {}（maillab replay {}）")),
                                 opts.record_path, opts.record_path);
    std::cout << std::endl;
    for (const auto& s : follow.merger().sources())
        if (s.events > 0 || !s.header.empty()) return 0;
    std::cerr << say(zh, "maillab replay: no source could be followed\n",
                     "maillab replay: 没有一个来源可以跟随\n");
    return 1;
}

}  // namespace maillab::cli
