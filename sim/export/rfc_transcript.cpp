#include "sim/export/rfc_transcript.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sim/core/event_fields.hpp"
#include "sim/export/text_fit.hpp"

namespace maillab::exporting {
namespace {

struct wire_line {
    std::string text;  // printable, without its line end
    bool bare_lf = false;
};

// Splits exact bytes at LF. The CR LF of each line is left out, as the RFC examples do; a line
// that ended in a bare LF says so, because that difference is a lesson (RFC 5321 2.3.8).
// Control bytes other than tab and bytes that are not UTF-8 are shown as \xHH.
std::vector<wire_line> wire_lines(std::string_view raw) {
    std::vector<wire_line> lines;
    std::size_t start = 0;
    while (start < raw.size()) {
        std::size_t lf = raw.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? raw.size() : lf;
        std::string_view body = raw.substr(start, end - start);
        wire_line line;
        line.bare_lf = lf != std::string_view::npos && (body.empty() || body.back() != '\r');
        if (!line.bare_lf && !body.empty() && body.back() == '\r') body.remove_suffix(1);
        for_each_code_point(body, [&](char32_t c, std::string_view bytes) {
            bool invalid = c == U'\uFFFD' && bytes != "\xEF\xBF\xBD";
            if (invalid || (c < 0x20 && c != '\t') || c == 0x7F) {
                for (unsigned char b : bytes) line.text += fmt::format("\\x{:02X}", b);
            } else {
                line.text.append(bytes);
            }
        });
        lines.push_back(std::move(line));
        start = lf == std::string_view::npos ? raw.size() : lf + 1;
    }
    return lines;
}

struct words {
    const char* connection;
    const char* port;
    const char* no_connection;
    const char* more_lines;
    const char* body;
    const char* events_of;
    const char* filtered;
};
constexpr words english{"Connection", "port",     "no connection was made", "more lines", "body",
                        "events",     "chosen by"};
constexpr words chinese{"连接", "端口", "未能建立连接", "行未显示", "正文", "个事件", "筛选条件"};

class transcript_writer {
  public:
    transcript_writer(const export_source& src, std::ostream& out,
                      const rfc_transcript_options& options)
        : src_(src),
          out_(out),
          options_(options),
          w_(src.lang == language::zh ? chinese : english) {}

    void write() {
        write_heading();
        // Each connection's events, and where in time each section or loose line belongs.
        std::map<std::uint64_t, std::vector<const event*>> by_conn;
        for (const event& e : src_.events) by_conn[e.conn].push_back(&e);
        std::map<std::uint64_t, bool> written;
        for (const event& e : src_.events) {
            if (e.conn == 0) {
                write_loose(e);
                continue;
            }
            if (written[e.conn]) continue;
            written[e.conn] = true;
            write_connection(e.conn, by_conn[e.conn]);
        }
    }

  private:
    void write_heading() {
        out_ << one_line(src_.title()) << '\n';
        std::string scenario = text_field(src_.header, "scenario");
        std::string line = scenario.empty() ? std::string() : scenario + ", ";
        if (src_.lang == language::zh) {
            line += fmt::format("{} / {} {}", src_.events.size(), src_.trace_events, w_.events_of);
        } else {
            line += fmt::format("{} of {} {}", src_.events.size(), src_.trace_events, w_.events_of);
        }
        if (!src_.filter_summary.empty())
            line += fmt::format(" ({} {})", w_.filtered, src_.filter_summary);
        out_ << line << '\n';
        loose_block_ = false;
    }

    void write_loose(const event& e) {
        if (!loose_block_) out_ << '\n';
        loose_block_ = true;
        switch (e.kind) {
            case event_kind::dns:
                out_ << "DNS: " << one_line(e.text) << '\n';
                break;
            case event_kind::queue:
            case event_kind::store:
                out_ << fmt::format("{} ({}): {}", to_string(e.kind), e.from, one_line(e.text))
                     << '\n';
                break;
            default:
                out_ << "* " << one_line(event_text(e, src_.lang)) << '\n';
        }
        write_remarks(e, "");
    }

    void write_connection(std::uint64_t conn, const std::vector<const event*>& events) {
        const view::connection_info* c = src_.connection(conn);
        out_ << '\n' << connection_heading(conn, c) << '\n';
        loose_block_ = false;
        for (const event* e : events) write_event(*e, c);
    }

    std::string connection_heading(std::uint64_t conn, const view::connection_info* c) const {
        std::string sep = src_.lang == language::zh ? "，" : ", ";
        std::string head =
            fmt::format("{} {}{}", w_.connection, conn, src_.lang == language::zh ? "：" : ": ");
        if (!c) return head;
        head += fmt::format("{} -> {}", c->client, c->server);
        if (!c->proto.empty()) head += sep + to_upper_ascii(c->proto);
        if (c->port.number) {
            head += fmt::format("{}{} {}", sep, w_.port, c->port.number);
            if (!c->port.name.empty()) head += fmt::format(" ({})", c->port.name);
        }
        if (c->failed) head += sep + w_.no_connection;
        return head;
    }

    static std::string to_upper_ascii(std::string s) {
        for (char& ch : s)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        return s;
    }

    // "C" when the event comes from the host that connected, else "S".
    static char side(const event& e, const view::connection_info* c) {
        if (c && !c->client.empty()) return e.from == c->client ? 'C' : 'S';
        bool answer = e.kind == event_kind::reply ||
                      (e.kind == event_kind::http && text_field(e, "direction") == "response");
        return answer ? 'S' : 'C';
    }

    void write_wire(char who, const event& e) {
        std::vector<wire_line> lines =
            e.raw ? wire_lines(*e.raw) : std::vector<wire_line>{{one_line(e.text), false}};
        std::size_t max = std::max<std::size_t>(options_.max_message_lines, 2);
        std::size_t shown = lines.size() > max ? max - 1 : lines.size();
        for (std::size_t i = 0; i < shown; ++i) write_line(who, lines[i]);
        if (shown < lines.size()) {
            std::size_t hidden = lines.size() - shown - 1;
            if (src_.lang == language::zh)
                out_ << who << ": ...（另有 " << hidden << " " << w_.more_lines << "）\n";
            else
                out_ << who << ": ... (" << hidden << ' ' << w_.more_lines << ")\n";
            write_line(who, lines.back());
        }
    }

    void write_line(char who, const wire_line& line) {
        out_ << who << ':';
        if (!line.text.empty()) out_ << ' ' << line.text;
        if (line.bare_lf) out_ << "   [bare LF]";
        out_ << '\n';
    }

    void write_event(const event& e, const view::connection_info* c) {
        std::string action = text_field(e, "action");
        switch (e.kind) {
            case event_kind::command:
            case event_kind::reply:
            case event_kind::data:
            case event_kind::bytes:
                write_wire(side(e, c), e);
                break;
            case event_kind::http: {
                char who = side(e, c);
                write_wire(who, e);
                // The head is in raw; the body is in the connection's bytes, summarised here.
                std::string body = text_field(e, "body");
                if (!body.empty() && body != "no body")
                    out_ << who << ": [" << w_.body << ": " << one_line(body) << "]\n";
                break;
            }
            case event_kind::tcp:
                if (action != "connect") out_ << "   [TCP: " << one_line(e.text) << "]\n";
                break;
            case event_kind::tls:
                out_ << "   [" << one_line(e.text) << "]\n";
                break;
            case event_kind::state: {
                std::string machine = text_field(e, "machine");
                bool client = machine.size() > 7 && machine.ends_with(".client");
                out_ << fmt::format("   [{} state {} -> {}]\n", client ? "client" : "server",
                                    text_field(e, "from_state"),
                                    text_field(e, "to_state"));
                break;
            }
            case event_kind::store:
            case event_kind::queue:
                out_ << fmt::format("   [{}: {}]\n", to_string(e.kind), one_line(e.text));
                break;
            case event_kind::dns:
                out_ << "   [DNS: " << one_line(e.text) << "]\n";
                break;
            case event_kind::note:
                out_ << "   * " << one_line(event_text(e, src_.lang)) << '\n';
                break;
        }
        write_remarks(e, "   ");
    }

    void write_remarks(const event& e, const char* indent) {
        for (const remark& r : src_.remarks_on(e.seq)) {
            const char* what = r.bookmark ? (src_.lang == language::zh ? "书签" : "Bookmark")
                                          : (src_.lang == language::zh ? "教师批注" : "Teacher");
            out_ << indent << ">> " << what << (src_.lang == language::zh ? "：" : ": ")
                 << one_line(r.text) << '\n';
        }
    }

    const export_source& src_;
    std::ostream& out_;
    rfc_transcript_options options_;
    const words& w_;
    bool loose_block_ = false;
};

}  // namespace

void write_rfc_transcript(const export_source& src, std::ostream& out,
                          const rfc_transcript_options& options) {
    transcript_writer(src, out, options).write();
}

}  // namespace maillab::exporting
