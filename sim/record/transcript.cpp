#include "sim/record/transcript.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/event_fields.hpp"

namespace maillab {
namespace {
constexpr const char* dim = "\x1b[2m";
constexpr const char* cyan = "\x1b[36m";
constexpr const char* green = "\x1b[32m";
constexpr const char* yellow = "\x1b[33m";
constexpr const char* magenta = "\x1b[35m";
constexpr const char* red = "\x1b[31m";
constexpr const char* blue = "\x1b[1;34m";

// Splits exact bytes into lines, each shown with its line end made visible (\r\n or \n).
std::vector<std::string> visible_lines(std::string_view raw) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < raw.size()) {
        auto lf = raw.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? raw.size() : lf + 1;
        lines.push_back(visible_bytes(raw.substr(start, end - start)));
        start = end;
    }
    return lines;
}
}  // namespace

transcript_printer::transcript_printer(std::ostream& out, transcript_options options,
                                       const explain_catalog& catalog)
    : out_(out), options_(options), catalog_(catalog) {}

std::string transcript_printer::paint(std::string_view text, const char* ansi) const {
    if (!options_.color) return std::string(text);
    return fmt::format("{}{}\x1b[0m", ansi, text);
}

std::string transcript_printer::prefix(const event& e) {
    if (!first_t_us_) first_t_us_ = options_.start_t_us.value_or(e.t_us);
    double seconds = static_cast<double>(e.t_us - *first_t_us_) / 1e6;
    std::string conn = e.conn ? fmt::format("#{}", e.conn) : "  ";
    std::string seq = options_.show_seq ? fmt::format("{:>5} ", e.seq) : "";
    return seq + paint(fmt::format("{:9.3f}s {:>3} ", seconds, conn), dim);
}

// As wide as prefix(), so continuation lines line up under the event's text.
std::string transcript_printer::indent() const {
    return std::string(options_.show_seq ? 21 : 15, ' ');
}

void transcript_printer::print_explanation(const event& e) {
    if (!options_.explanations || e.explain.empty()) return;
    const explanation* x = catalog_.find(e.explain);
    if (!x) return;
    std::string text = fill_placeholders(x->text(options_.lang), e.fields);
    std::string rfc = x->rfc.empty() ? "" : fmt::format(" [{}]", x->rfc);
    out_ << indent() << paint(fmt::format("  ↳ {}{}", text, rfc), dim) << '\n';
}

void transcript_printer::print_annotations(const std::vector<const annotation*>& notes) {
    bool zh = options_.lang == language::zh;
    for (const annotation* a : notes) {
        bool bookmark = a->type == annotation_type::bookmark;
        const char* word = bookmark ? (zh ? "★ 书签" : "★ bookmark")
                                    : (zh ? "✎ 教师注释" : "✎ teacher's note");
        std::string label = fmt::format("{} {}{}", word, a->id, zh ? "：" : ": ");
        const std::string& text =
            a->type == annotation_type::bookmark ? a->name : a->note_text(options_.lang);
        // A note may have several lines; each gets the indent, so the transcript stays readable.
        std::size_t start = 0;
        bool first = true;
        do {
            auto lf = text.find('\n', start);
            std::string_view part = std::string_view(text).substr(
                start, lf == std::string::npos ? std::string::npos : lf - start);
            out_ << indent() << paint(fmt::format("  {}{}", first ? label : "    ", part), blue)
                 << '\n';
            first = false;
            start = lf == std::string::npos ? text.size() + 1 : lf + 1;
        } while (start <= text.size());
    }
    out_.flush();
}

void transcript_printer::print(const event& e, bool force) {
    if (e.kind == event_kind::bytes && !options_.show_bytes && !force &&
        !(options_.http_bytes && e.proto == "http"))
        return;
    std::string pre = prefix(e);
    std::string pad = indent();
    std::string route = e.to.empty() ? e.from : fmt::format("{} → {}", e.from, e.to);
    bool tls = flag_field(e, "tls");
    std::string lock = tls ? " [TLS]" : "";
    switch (e.kind) {
        case event_kind::tcp:
            out_ << pre << paint(fmt::format("── TCP {} ({})", e.text, route), cyan) << '\n';
            break;
        case event_kind::tls:
            out_ << pre << paint(fmt::format("── TLS {}", e.text), cyan) << '\n';
            break;
        case event_kind::bytes:
            out_ << pre << paint(fmt::format("   bytes {} ({})", e.text, route), dim) << '\n';
            if (e.raw)
                for (const auto& line : visible_lines(*e.raw))
                    out_ << pad << paint("   │ " + line, dim) << '\n';
            return;
        case event_kind::command: {
            std::string shown = e.raw ? visible_bytes(*e.raw) : e.text;
            out_ << pre << paint(fmt::format("C: {}", shown), green)
                 << paint(fmt::format("   ({}{})", route, lock), dim) << '\n';
            break;
        }
        case event_kind::reply: {
            auto lines = e.raw ? visible_lines(*e.raw) : std::vector<std::string>{e.text};
            // A long multi-line response (a POP3 RETR) shows its head and its final line.
            std::size_t shown = std::min(lines.size(), options_.max_message_lines);
            for (std::size_t i = 0; i < shown; ++i)
                out_ << (i == 0 ? pre : pad) << paint("S: " + lines[i], yellow)
                     << (i == 0 ? paint(fmt::format("   ({}{})", route, lock), dim) : "")
                     << '\n';
            if (shown < lines.size()) {
                out_ << pad
                     << paint(fmt::format("   ... {} more lines", lines.size() - shown - 1), dim)
                     << '\n'
                     << pad << paint("S: " + lines.back(), yellow) << '\n';
            }
            break;
        }
        case event_kind::data: {
            out_ << pre << paint(fmt::format("C: [{}]", e.text), green)
                 << paint(fmt::format("   ({}{})", route, lock), dim) << '\n';
            auto lines = e.raw ? visible_lines(*e.raw) : std::vector<std::string>{};
            std::size_t shown = std::min(lines.size(), options_.max_message_lines);
            for (std::size_t i = 0; i < shown; ++i)
                out_ << pad << paint("   │ " + lines[i], green) << '\n';
            if (shown < lines.size())
                out_ << pad << paint(fmt::format("   │ ... {} more lines", lines.size() - shown),
                                     dim)
                     << '\n';
            break;
        }
        case event_kind::state:
            out_ << pre
                 << paint(fmt::format("   ◆ {}: {} → {}  ({})",
                                      text_field(e, "machine"),
                                      text_field(e, "from_state"),
                                      text_field(e, "to_state"),
                                      text_field(e, "reason")),
                          magenta)
                 << '\n';
            break;
        case event_kind::store:
        case event_kind::queue:
            out_ << pre << paint(fmt::format("   ▣ {}: {}", to_string(e.kind), e.text), cyan)
                 << '\n';
            break;
        case event_kind::note: {
            std::string text = event_text(e, options_.lang);
            out_ << pre << paint(fmt::format("   ✎ note: {}", text), red) << '\n';
            break;
        }
        case event_kind::dns:
        case event_kind::http:
            out_ << pre << fmt::format("   {} {}", to_string(e.kind), e.text) << '\n';
            break;
    }
    print_explanation(e);
    out_.flush();
}

}  // namespace maillab
