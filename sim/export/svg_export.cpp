#include "sim/export/svg_export.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/event_fields.hpp"
#include "sim/export/escape.hpp"
#include "sim/export/palette.hpp"
#include "sim/export/text_fit.hpp"

namespace maillab::exporting {
namespace {

// Geometry, in SVG user units (pixels at 100 %).
constexpr double font_size = 13;
constexpr double column_width = 6.8;  // one column of 13 px sans text (CJK: two, 13.6 px)
constexpr double time_gutter = 104;   // seq and time on the left
constexpr double min_lane = 170, max_lane = 340;
constexpr double arrow_row = 32, note_row = 27;
constexpr double box_height = 34;
// The title and subtitle take this much above the boxes; inline in the HTML page, whose own
// heading says the same, they are left out.
constexpr double heading_height = 58, no_heading = 10;
constexpr const char* font_family =
    "'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'DejaVu Sans', sans-serif";
constexpr const char* text_colour = "#1f2328";
constexpr const char* muted = "#6b7280";

// Host names are 14 px bold, the title 17 px bold: wider than a 13 px label per column.
constexpr double name_scale = 14.0 / 13.0 * 1.1, title_scale = 17.0 / 13.0 * 1.1;

double text_width(std::string_view text) {
    return static_cast<double>(text_columns(text)) * column_width;
}

std::string shorten_to(std::string_view text, double width) {
    double columns = std::floor(width / column_width);
    return shorten(text, columns < 2 ? 2 : static_cast<std::size_t>(columns));
}

std::string num(double v) { return fmt::format("{:.1f}", v); }

struct words {
    const char* events;
    const char* of;
    const char* page;
    const char* rows;
    const char* left_out;
};
constexpr words english{"events", "of", "page", "rows",
                        "{} more rows are not in this SVG (one page holds {}). Write to a file "
                        "(-o FILE.svg) to get every page, or choose fewer events (--from, "
                        "--until, --proto, --conn)."};
constexpr words chinese{"个事件", "/", "第", "行",
                        "还有 {} 行不在此 SVG 中（每页最多 {} 行）。请写入文件（-o FILE.svg）"
                        "以得到全部页面，或用 --from、--until、--proto、--conn 选择更少的事件。"};

class svg_writer {
  public:
    svg_writer(const diagram& d, const export_source& src, double lane, const svg_options& o,
               std::ostream& out)
        : d_(d),
          src_(src),
          o_(o),
          out_(out),
          w_(src.lang == language::zh ? chinese : english),
          lane_(lane) {
        first_ = std::min(o.page.first_row, d.rows.size());
        last_ = first_ + std::min(o.page.row_count, d.rows.size() - first_);
        double lanes_end = time_gutter + lane_ * static_cast<double>(d.participants.size());
        // A diagram of two or three hosts is still as wide as its title (within reason).
        double title = o.interactive ? 0 : std::min(text_width(d.title) * title_scale + 40, 1600.0);
        width_ = std::max(lanes_end + 16, title);
        top_of_boxes_ = o.interactive ? no_heading : heading_height;
        double y = top_of_boxes_ + box_height + 14;
        for (std::size_t r = first_; r < last_; ++r) {
            row_y_.push_back(y);
            y += d.rows[r].shape == row_shape::arrow ? arrow_row : note_row;
        }
        rows_end_ = y + 6;
        height_ = rows_end_ + box_height + 70;
    }

    void write() {
        if (!o_.interactive) out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        out_ << fmt::format(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
            "viewBox=\"0 0 {0} {1}\" font-family=\"{2}\" font-size=\"{3}\" "
            "class=\"maillab-diagram\">\n",
            num(width_), num(height_), font_family, font_size);
        out_ << "<title>" << xml_escape(d_.title) << "</title>\n";
        out_ << fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                            num(width_), num(height_));
        if (!o_.interactive) write_heading();
        write_lifelines();
        write_boxes(top_of_boxes_);
        for (std::size_t r = first_; r < last_; ++r) write_row(r, row_y_[r - first_]);
        write_boxes(rows_end_);
        write_footer();
        out_ << "</svg>\n";
    }

  private:
    double lane_x(int lane) const { return time_gutter + lane_ * (lane + 0.5); }

    void write_heading() {
        out_ << fmt::format(
            "<text x=\"16\" y=\"26\" font-size=\"17\" font-weight=\"bold\" fill=\"{}\">{}</text>\n",
            text_colour, xml_escape(shorten_to(d_.title, (width_ - 32) / title_scale)));
        std::string sub;
        std::string scenario = text_field(src_.header, "scenario");
        if (!scenario.empty()) sub += scenario + " · ";
        sub += fmt::format("{} {} {} {}", src_.events.size(), w_.of, src_.trace_events, w_.events);
        if (!src_.filter_summary.empty()) sub += " (" + src_.filter_summary + ")";
        if (o_.page_count > 1 || o_.rows_left_out > 0) {
            std::uint64_t seq_a = last_ > first_ ? d_.rows[first_].seq : 0;
            std::uint64_t seq_b = last_ > first_ ? d_.rows[last_ - 1].seq : 0;
            if (src_.lang == language::zh)
                sub += fmt::format(" · 第 {}/{} 页，{} {}–{}", o_.page_number, o_.page_count, "seq",
                                   seq_a, seq_b);
            else
                sub += fmt::format(" · page {} of {}, seq {}–{}", o_.page_number, o_.page_count,
                                   seq_a, seq_b);
        }
        out_ << fmt::format("<text x=\"16\" y=\"46\" font-size=\"12\" fill=\"{}\">{}</text>\n",
                            muted, xml_escape(shorten_to(sub, (width_ - 32) * 13 / 12)));
    }

    void write_lifelines() {
        for (std::size_t i = 0; i < d_.participants.size(); ++i) {
            double x = lane_x(static_cast<int>(i));
            out_ << fmt::format(
                "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#9aa3af\" "
                "stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>\n",
                num(x), num(top_of_boxes_ + box_height), num(rows_end_));
        }
    }

    void write_boxes(double top) {
        for (std::size_t i = 0; i < d_.participants.size(); ++i) {
            const auto& p = d_.participants[i];
            double x = lane_x(static_cast<int>(i));
            std::string name = shorten_to(p.host, (lane_ - 28) / name_scale);
            double w = std::min(lane_ - 12, text_width(name) * name_scale + 24);
            // The HTML page repeats the names in a header that stays in view while scrolling.
            if (o_.interactive)
                out_ << fmt::format("<g class=\"lane\" data-x=\"{}\">", num(x));
            else
                out_ << "<g>";
            if (!p.description.empty())
                out_ << "<title>" << xml_escape(p.description) << "</title>";
            out_ << fmt::format(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"#f3f5f9\" "
                "stroke=\"#4b5563\" stroke-width=\"1.2\"/>",
                num(x - w / 2), num(top), num(w), num(box_height));
            out_ << fmt::format(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" "
                "font-weight=\"bold\" fill=\"{}\">{}</text></g>\n",
                num(x), num(top + box_height / 2 + 5), text_colour, xml_escape(name));
        }
    }

    void write_row(std::size_t r, double top) {
        const diagram_row& row = d_.rows[r];
        double h = row.shape == row_shape::arrow ? arrow_row : note_row;
        double mid = top + h / 2;
        if (o_.interactive)
            out_ << fmt::format("<g class=\"row\" data-seq=\"{}\" data-row=\"{}\">", row.seq, r);
        else
            out_ << fmt::format("<g data-seq=\"{}\">", row.seq);
        if (o_.interactive)
            out_ << fmt::format(
                "<rect class=\"hl\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" "
                "fill=\"transparent\"/>",
                num(top), num(width_), num(h));
        // Seq and time once per event: an annotation row belongs to the row above it.
        if (row.note != note_style::annotation || row.shape == row_shape::arrow) {
            out_ << fmt::format(
                "<text x=\"10\" y=\"{}\" font-size=\"10.5\" fill=\"#9aa3af\">#{}</text>",
                num(mid + 4), row.seq);
            out_ << fmt::format(
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" "
                "fill=\"{}\">{}</text>",
                num(time_gutter - 8), num(mid + 4), muted, relative_time(row.t_us, src_.start_us));
        }
        if (row.shape == row_shape::arrow)
            write_arrow(row, top, h);
        else
            write_note(row, top, h);
        out_ << "</g>\n";
    }

    void write_arrow(const diagram_row& row, double top, double h) {
        std::string_view colour = protocol_colour(row.proto);
        double x1 = lane_x(row.from), x2 = lane_x(row.to);
        double y = top + h - 9;
        double dir = x2 > x1 ? 1 : -1;
        double tip = x2 - dir * 1.5;
        const char* dash = row.arrow == arrow_style::answer ? " stroke-dasharray=\"6 4\"" : "";
        out_ << fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.6\"{}/>",
            num(x1), num(y), num(tip - dir * 6), num(y), colour, dash);
        switch (row.arrow) {
            case arrow_style::request:
            case arrow_style::answer:
                out_ << fmt::format("<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"/>", num(tip),
                                    num(y), num(tip - dir * 10), num(y - 4.5), num(tip - dir * 10),
                                    num(y + 4.5), colour);
                break;
            case arrow_style::connect:
                out_ << fmt::format(
                    "<polyline points=\"{},{} {},{} {},{}\" fill=\"none\" stroke=\"{}\" "
                    "stroke-width=\"1.6\"/>",
                    num(tip - dir * 10), num(y - 5), num(tip), num(y), num(tip - dir * 10),
                    num(y + 5), colour);
                break;
            case arrow_style::failed:
                out_ << fmt::format(
                    "<path d=\"M{} {} L{} {} M{} {} L{} {}\" stroke=\"{}\" stroke-width=\"2\"/>",
                    num(tip - 5), num(y - 5), num(tip + 5), num(y + 5), num(tip - 5), num(y + 5),
                    num(tip + 5), num(y - 5), colour);
                break;
        }
        double span = std::fabs(x2 - x1);
        std::string label = shorten_to(row.label, span - 16);
        out_ << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                            num((x1 + x2) / 2), num(y - 6), text_colour, xml_escape(label));
    }

    void write_note(const diagram_row& row, double top, double h) {
        note_colours c = colours_of(row.note);
        double min_left = time_gutter + 2, max_right = width_ - 6;
        double left, right;
        if (row.first == row.last) {
            double x = lane_x(row.first);
            // A note may reach over the neighbouring lifelines: it is opaque and short-lived.
            // Near the edge it moves inwards rather than losing its text.
            double want = std::min({text_width(row.label) + 18, lane_ * 2.6, max_right - min_left});
            left = std::clamp(x - want / 2, min_left, max_right - want);
            right = left + want;
        } else {
            left = lane_x(row.first) - lane_ * 0.42;
            right = lane_x(row.last) + lane_ * 0.42;
            // A note about the whole scenario may use the whole width.
            if (row.first == 0 && row.last + 1 == static_cast<int>(d_.participants.size()))
                right = width_ - 6;
        }
        left = std::max(left, min_left);
        right = std::min(right, max_right);
        std::string label = shorten_to(row.label, right - left - 14);
        out_ << fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{}\" "
            "stroke=\"{}\"/>",
            num(left), num(top + 3), num(right - left), num(h - 6), c.fill, c.stroke);
        out_ << fmt::format(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{}\">{}</text>",
            num((left + right) / 2), num(top + h / 2 + 4), text_colour, xml_escape(label));
    }

    void write_footer() {
        double y = rows_end_ + box_height + 30;
        std::set<std::string> used;
        for (std::size_t r = first_; r < last_; ++r)
            if (d_.rows[r].shape == row_shape::arrow) used.insert(d_.rows[r].proto);
        double x = 16;
        for (std::string_view proto : legend_protocols) {
            if (!used.count(std::string(proto))) continue;
            std::string_view colour = protocol_colour(proto);
            out_ << fmt::format(
                "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" "
                "stroke-width=\"3\"/>"
                "<text x=\"{4}\" y=\"{5}\" font-size=\"12\" fill=\"{6}\">{7}</text>\n",
                num(x), num(y - 4), num(x + 22), colour, num(x + 28), num(y), text_colour,
                xml_escape(to_upper_ascii(proto)));
            x += 80;
        }
        if (o_.rows_left_out > 0) {
            std::string text =
                fmt::format(fmt::runtime(w_.left_out), o_.rows_left_out, o_.page.row_count);
            out_ << fmt::format(
                "<text x=\"16\" y=\"{}\" font-size=\"12\" fill=\"#b42318\">{}</text>\n",
                num(y + 22), xml_escape(text));
        }
    }

    static std::string to_upper_ascii(std::string_view s) {
        std::string out(s);
        for (char& ch : out)
            if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        return out;
    }

    const diagram& d_;
    const export_source& src_;
    const svg_options& o_;
    std::ostream& out_;
    const words& w_;
    double lane_;
    std::size_t first_ = 0, last_ = 0;
    double width_ = 0, height_ = 0, rows_end_ = 0, top_of_boxes_ = 0;
    std::vector<double> row_y_;
};

// As wide as the widest label needs between its lanes (over every row, not one page's: the
// pages of one export line up), within bounds.
double lane_width(const diagram& d) {
    double lane = min_lane;
    for (const auto& p : d.participants)
        lane = std::max(lane, text_width(p.host) * name_scale + 36);
    for (const diagram_row& row : d.rows) {
        if (row.shape != row_shape::arrow) continue;
        double span = std::max(1, std::abs(row.to - row.from));
        lane = std::max(lane, (text_width(row.label) + 28) / span);
    }
    return std::min(lane, max_lane);
}

}  // namespace

svg_drawing::svg_drawing(const diagram& d, const export_source& src)
    : d_(d), src_(src), lane_(lane_width(d)) {}

void svg_drawing::write(const svg_options& options, std::ostream& out) const {
    svg_writer(d_, src_, lane_, options, out).write();
}

std::vector<svg_page> svg_pages(const diagram& d, std::size_t rows_per_page) {
    std::vector<svg_page> pages;
    std::size_t n = d.rows.size();
    if (rows_per_page == 0 || n <= rows_per_page) return {{0, n}};
    std::size_t start = 0;
    while (start < n) {
        std::size_t end = std::min(n, start + rows_per_page);
        // Do not part an annotation from its event.
        while (end < n && d.rows[end].note == note_style::annotation &&
               d.rows[end].shape == row_shape::note && d.rows[end].seq == d.rows[end - 1].seq)
            ++end;
        pages.push_back({start, end - start});
        start = end;
    }
    return pages;
}

void write_svg(const diagram& d, const export_source& src, const svg_options& options,
               std::ostream& out) {
    svg_drawing(d, src).write(options, out);
}

}  // namespace maillab::exporting
