// The diagram drawn by maillab itself as a standalone SVG: lifelines, arrows in the protocol's
// colour (the GUI's hues, darkened for paper), labels, notes, and the time and seq of each row
// on the left. For slides and printed handouts, and (inline, interactive) for the HTML page.
//
// Sizes are computed from the text: a lane is as wide as the labels between lanes need (within
// bounds; longer labels are shortened with "…"), and widths count a Chinese character as two
// columns. Fonts are a list that finds Chinese glyphs on Linux, Windows and macOS. A long trace
// would make one enormous picture: svg_pages() cuts the rows into pages, and each page repeats
// the participants and says which rows it holds.
#pragma once

#include <cstddef>
#include <limits>
#include <ostream>
#include <vector>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

// The rows one SVG page holds unless told otherwise: a page stays readable on a screen and
// printable in a few sheets.
inline constexpr std::size_t default_svg_page_rows = 200;

struct svg_page {
    std::size_t first_row = 0;
    std::size_t row_count = 0;
};

// Consecutive pages of at most `rows_per_page` rows (0: one page with every row). A teacher's
// annotation stays on the page of the event it is about.
std::vector<svg_page> svg_pages(const diagram& d, std::size_t rows_per_page);

struct svg_options {
    svg_page page{0, std::numeric_limits<std::size_t>::max()};
    std::size_t page_number = 1, page_count = 1;
    // Rows after this page that no other page will show (the SVG went to standard output,
    // which holds one page): the footer says how many and how to get them.
    std::size_t rows_left_out = 0;
    // For the HTML page: each row is a <g class="row" data-seq="N"> with a highlight rectangle,
    // and no XML declaration (the SVG is inline).
    bool interactive = false;
};

// The geometry shared by every page of one diagram (lane width from all its labels, so the
// pages line up), computed once; then any page can be written.
class svg_drawing {
  public:
    svg_drawing(const diagram& d, const export_source& src);
    void write(const svg_options& options, std::ostream& out) const;

  private:
    const diagram& d_;
    const export_source& src_;
    double lane_;
};

// One page; for several pages of one diagram, an svg_drawing saves measuring it again.
void write_svg(const diagram& d, const export_source& src, const svg_options& options,
               std::ostream& out);

}  // namespace maillab::exporting
