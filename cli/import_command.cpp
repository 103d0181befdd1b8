// `maillab import CAPTURE -o TRACE.jsonl`: a packet capture of mail traffic (tcpdump -w or
// Wireshark, pcap or pcapng) turned into a maillab trace, which the GUI, replay and the
// exports read like any other: the TCP connections, the SMTP, POP3, IMAP and HTTP commands and
// replies, and the servers' state changes, with the capture's timestamps (sim/capture).

#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "sim/capture/capture_import.hpp"
#include "sim/capture/pcap_reader.hpp"
#include "sim/record/trace_io.hpp"

namespace maillab::cli {

std::function<int()> add_import_command(CLI::App& app) {
    struct options {
        std::string capture_path;
        std::string output_path;
        bool partial = false;
        bool quiet = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "import", "Turn a packet capture (tcpdump -w, Wireshark; pcap or pcapng) of SMTP, POP3, "
                  "IMAP or HTTP into a trace for the GUI, replay and export (docs/import.md)");
    cmd->add_option("capture", opts->capture_path, "The capture file")
        ->required()
        ->option_text("CAPTURE.pcap");
    cmd->add_option("-o,--output", opts->output_path, "The trace to write (JSON Lines)")
        ->required()
        ->option_text("FILE.jsonl");
    cmd->add_flag("--partial", opts->partial,
                  "A capture cut off in the middle of a packet: import the packets before it");
    cmd->add_flag("--quiet", opts->quiet, "Print only warnings and errors");

    return [opts]() -> int {
        capture::import_options io;
        io.keep_partial = opts->partial;
        capture::import_result r;
        try {
            r = capture::import_capture(opts->capture_path, io);
        } catch (const capture::capture_error& err) {
            std::cerr << "maillab import: " << err.what() << '\n';
            return 1;
        }
        for (const auto& w : r.warnings) std::cerr << "maillab import: warning: " << w << '\n';
        write_trace_file(opts->output_path, r.header, r.events);
        if (opts->quiet) return 0;
        std::string protocols;
        for (const auto& [name, count] : r.summary.by_protocol)
            protocols += fmt::format("{}{} {}", protocols.empty() ? "" : ", ", count, name);
        std::cout << fmt::format("{}: {} packets, {} TCP connection{}{}{}\n", opts->capture_path,
                                 r.frames, r.summary.connections,
                                 r.summary.connections == 1 ? "" : "s",
                                 protocols.empty() ? "" : " (" + protocols + ")",
                                 r.summary.tls_connections
                                     ? fmt::format(", {} with TLS", r.summary.tls_connections)
                                     : "");
        if (r.summary.lost_octets)
            std::cout << fmt::format("  {} octets missing from the capture (see the gap notes)\n",
                                     r.summary.lost_octets);
        std::uint64_t skipped = 0;
        for (const auto& [why, count] : r.skipped) skipped += count;
        if (skipped) {
            std::string reasons;
            for (const auto& [why, count] : r.skipped)
                reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", count, why);
            std::cout << fmt::format("  {} packets are no TCP segment ({})\n", skipped, reasons);
        }
        std::cout << fmt::format("wrote {} ({} events)\n", opts->output_path, r.events.size());
        return 0;
    };
}

}  // namespace maillab::cli
