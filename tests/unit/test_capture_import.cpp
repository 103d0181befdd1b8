// `maillab import` on files (sim/capture/capture_import, pcap_reader): a pcap and a pcapng
// written byte by byte, the trace's header, and the clear errors for files that are not
// captures or are cut short.
#include "sim/capture/capture_import.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "capture_packets.hpp"
#include "sim/capture/pcap_reader.hpp"

using namespace maillab;
using namespace maillab::capture;
namespace fs = std::filesystem;

namespace {

std::string le16(unsigned v) { return {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)}; }
std::string le32(std::uint32_t v) { return le16(v & 0xffff) + le16(v >> 16); }
std::string be16(unsigned v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string be32(std::uint32_t v) { return be16(v >> 16) + be16(v & 0xffff); }

// An Ethernet frame carrying the packet as IPv4 and TCP (checksums left at zero, as on
// loopback before offloading).
std::string frame(const tcp_packet& p) {
    auto address = [](const std::string& dotted) {
        std::string out;
        std::size_t start = 0;
        for (int i = 0; i < 4; ++i) {
            auto dot = dotted.find('.', start);
            out += static_cast<char>(std::stoi(dotted.substr(start, dot - start)));
            start = dot + 1;
        }
        return out;
    };
    int flags = (p.fin ? 1 : 0) | (p.syn ? 2 : 0) | (p.rst ? 4 : 0) | (p.ack_flag ? 16 : 0);
    std::string tcp = be16(p.src.port) + be16(p.dst.port) + be32(p.seq) + be32(p.ack) +
                      std::string{0x50, static_cast<char>(flags)} + be16(65535) + be16(0) +
                      be16(0) + p.payload;
    std::string ip = std::string{0x45, 0} + be16(static_cast<unsigned>(20 + tcp.size())) +
                     be16(1) + be16(0x4000) + std::string{64, 6} + be16(0) +
                     address(p.src.address) + address(p.dst.address);
    return std::string(12, '\x02') + be16(0x0800) + ip + tcp;
}

std::string pcap_file(const std::vector<tcp_packet>& packets, std::uint32_t link = 1) {
    std::string out = le32(0xa1b2c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262144) +
                      le32(link);
    for (const auto& p : packets) {
        std::string f = frame(p);
        out += le32(static_cast<std::uint32_t>(p.t_us / 1000000)) +
               le32(static_cast<std::uint32_t>(p.t_us % 1000000)) +
               le32(static_cast<std::uint32_t>(f.size())) + le32(static_cast<std::uint32_t>(f.size())) + f;
    }
    return out;
}

// pcapng (the format Wireshark writes by default): a section header, an interface
// description, one enhanced packet block per frame (microsecond timestamps by default).
std::string pcapng_file(const std::vector<tcp_packet>& packets) {
    std::string out = le32(0x0A0D0D0A) + le32(28) + le32(0x1A2B3C4D) + le16(1) + le16(0) +
                      le32(0xffffffff) + le32(0xffffffff) + le32(28);
    out += le32(1) + le32(20) + le16(1) + le16(0) + le32(262144) + le32(20);
    for (const auto& p : packets) {
        std::string f = frame(p);
        std::string padded = f + std::string((4 - f.size() % 4) % 4, '\0');
        auto total = static_cast<std::uint32_t>(32 + padded.size());
        auto t = static_cast<std::uint64_t>(p.t_us);
        out += le32(6) + le32(total) + le32(0) + le32(static_cast<std::uint32_t>(t >> 32)) +
               le32(static_cast<std::uint32_t>(t & 0xffffffff)) +
               le32(static_cast<std::uint32_t>(f.size())) + le32(static_cast<std::uint32_t>(f.size())) +
               padded + le32(total);
    }
    return out;
}

struct temp_file {
    fs::path path;
    explicit temp_file(const std::string& name, const std::string& contents)
        : path(fs::temp_directory_path() / ("maillab-test-" + std::to_string(::getpid()) + "-" + name)) {
        std::ofstream(path, std::ios::binary) << contents;
    }
    ~temp_file() { fs::remove(path); }
};

std::vector<tcp_packet> smtp_session() {
    test::tcp_conversation c({"127.0.0.1", 45000}, {"127.0.0.1", 2525}, 1736154000000000);
    c.handshake()
        .server("220 mail.example.org ESMTP maillab ready\r\n")
        .client("HELO pc\r\n")
        .server("250 mail.example.org Hello pc\r\n")
        .client("QUIT\r\n")
        .server("221 2.0.0 closing\r\n")
        .close(false);
    return c.packets();
}

std::string error_of(const std::string& path, const import_options& o = {}) {
    try {
        import_capture(path, o);
    } catch (const capture_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("import: a pcap file becomes a trace with the capture in its header") {
    auto packets = smtp_session();
    temp_file file("session.pcap", pcap_file(packets));
    import_result r = import_capture(file.path.string());
    CHECK(r.frames == packets.size());
    CHECK(r.header["mode"] == "import");
    CHECK(r.header["clock"] == "real");
    CHECK(r.header["capture"] == file.path.filename().string());
    CHECK(r.header["link_type"] == "EN10MB");
    CHECK(r.header["first_packet_t_us"] == packets.front().t_us);
    CHECK(r.header["last_packet_t_us"] == packets.back().t_us);
    CHECK(r.warnings.empty());
    std::vector<std::string> commands;
    for (const auto& e : r.events)
        if (e.kind == event_kind::command) commands.push_back(e.text);
    CHECK(commands == std::vector<std::string>{"HELO pc", "QUIT"});
    CHECK(r.events.front().t_us == packets.front().t_us);
    CHECK(r.events.front().from == "127.0.0.1:45000");
    CHECK(r.events.front().to == "127.0.0.1:2525");
    CHECK(r.summary.by_protocol["smtp"] == 1);
}

TEST_CASE("import: pcapng as Wireshark writes it") {
    auto packets = smtp_session();
    temp_file file("session.pcapng", pcapng_file(packets));
    import_result r = import_capture(file.path.string());
    CHECK(r.frames == packets.size());
    std::size_t replies = 0;
    for (const auto& e : r.events) replies += e.kind == event_kind::reply;
    CHECK(replies == 3);
    CHECK(r.header["first_packet_t_us"] == packets.front().t_us);
}

TEST_CASE("import: files that are not captures get an error naming the file and the fault") {
    temp_file text("notes.pcap", "this is a text file, not a capture\n");
    std::string e = error_of(text.path.string());
    CHECK(e.find(text.path.string()) != std::string::npos);
    CHECK(e.find("not a capture file") != std::string::npos);

    temp_file empty("empty.pcap", "");
    e = error_of(empty.path.string());
    CHECK(e.find(empty.path.string()) != std::string::npos);
    CHECK(e.find("not a capture file") != std::string::npos);

    std::string whole = pcap_file(smtp_session());
    temp_file header_cut("header-cut.pcap", whole.substr(0, 10));
    CHECK(error_of(header_cut.path.string()).find("not a capture file") != std::string::npos);

    e = error_of("/nonexistent/dir/capture.pcap");
    CHECK(e.find("/nonexistent/dir/capture.pcap: cannot open") == 0);

    temp_file wifi("wifi.pcap", pcap_file({}, 105));  // IEEE 802.11 frames
    e = error_of(wifi.path.string());
    CHECK(e.find("link type") != std::string::npos);
    CHECK(e.find("IEEE802_11") != std::string::npos);
}

TEST_CASE("import: a capture cut off inside a packet: an error, or with keep_partial the rest") {
    auto packets = smtp_session();
    std::string whole = pcap_file(packets);
    // Cut in the middle of the fifth frame (24 octets of file header, then 16 per record).
    std::size_t end_of_four = 24;
    for (int i = 0; i < 4; ++i) end_of_four += 16 + frame(packets[static_cast<std::size_t>(i)]).size();
    temp_file cut("cut.pcap", whole.substr(0, end_of_four + 16 + 20));
    std::string e = error_of(cut.path.string());
    CHECK(e.find(cut.path.string()) == 0);
    CHECK(e.find("frame 5") != std::string::npos);
    CHECK(e.find("--partial") != std::string::npos);

    import_options partial;
    partial.keep_partial = true;
    import_result r = import_capture(cut.path.string(), partial);
    CHECK(r.frames == 4);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("frame 5") != std::string::npos);
    std::size_t commands = 0;
    for (const auto& ev : r.events) commands += ev.kind == event_kind::command;
    CHECK(commands == 1);  // HELO, before the cut
}

TEST_CASE("import: a capture with no TCP says so") {
    temp_file none("none.pcap", pcap_file({}));
    import_result r = import_capture(none.path.string());
    CHECK(r.frames == 0);
    CHECK(r.events.empty());
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("no packets") != std::string::npos);
}
