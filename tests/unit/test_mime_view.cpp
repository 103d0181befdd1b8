#include <doctest/doctest.h>

#include <algorithm>

#include "golden_traces.hpp"
#include "sim/view/mime_view.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
// The mail Bob received in the webmail scenario: text and a PNG attachment.
std::string webmail_mail() {
    auto m = test::golden_trace("webmail");
    return *m.at(test::at_seq(m, 306)).raw;
}

std::string_view text_of(const mime::message& m, const source_line& l) {
    return std::string_view(m.raw()).substr(l.begin, l.end - l.begin);
}
}  // namespace

TEST_CASE("mime view: the tree with IMAP part numbers") {
    mime::message m(webmail_mail());
    auto parts = flatten_parts(m);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].number.empty());
    CHECK(parts[0].part->type.mime_type() == "multipart/mixed");
    CHECK(parts[1].number == "1");
    CHECK(parts[1].depth == 1);
    CHECK(parts[1].parent == parts[0].part);
    CHECK(parts[2].number == "2");
    CHECK(parts[2].part->type.mime_type() == "image/png");

    auto image = describe_part(m, *parts[2].part);
    CHECK(image.kind == part_kind::image);
    CHECK(image.filename == "lab-photo.png");
    CHECK(image.encoding == "base64");
    CHECK(image.decoded_size == 74);  // the webmail's download is 74 octets of image/png
    CHECK(image.encoded_size > image.decoded_size);
    auto text = describe_part(m, *parts[1].part);
    CHECK(text.kind == part_kind::text);
    CHECK(text.charset == "utf-8");
    CHECK(describe_part(m, *parts[0].part).kind == part_kind::container);
}

TEST_CASE("mime view: the selected part, its boundary lines and its encoded body") {
    mime::message m(webmail_mail());
    auto parts = flatten_parts(m);
    auto lines = source_lines(m, parts[2].part);
    std::size_t boundaries = 0, selected_boundaries = 0, encoded = 0, selected = 0;
    for (const auto& l : lines) {
        std::string_view t = text_of(m, l);
        CHECK(t.find('\n') == std::string_view::npos);
        if (l.role == source_role::boundary) {
            ++boundaries;
            CHECK(t.rfind("--=_maillab_0_93da7c40f0c379fb_0", 0) == 0);
        }
        if (l.selected_boundary) {
            ++selected_boundaries;
            CHECK(l.role == source_role::boundary);
        }
        if (l.encoded) {
            ++encoded;
            CHECK(l.in_selected);
            CHECK(l.role == source_role::body);
        }
        if (l.in_selected) ++selected;
        if (t == "Hi Bob,") CHECK_FALSE(l.in_selected);
        if (t.rfind("Subject:", 0) == 0) CHECK(l.role == source_role::header);
        if (t.rfind("Content-Disposition: attachment;", 0) == 0) {
            CHECK(l.role == source_role::header);
            CHECK(l.in_selected);
        }
    }
    CHECK(boundaries == 3);
    // The line that opens the image part and the closing "--...--" line.
    CHECK(selected_boundaries == 2);
    CHECK(encoded == 2);  // two lines of base64
    CHECK(selected >= 8);

    auto whole = source_lines(m, parts[0].part);
    std::size_t own = std::count_if(whole.begin(), whole.end(),
                                    [](const source_line& l) { return l.selected_boundary; });
    CHECK(own == 3);
    CHECK(std::none_of(whole.begin(), whole.end(), [](const source_line& l) { return l.encoded; }));
    auto none = source_lines(m, nullptr);
    CHECK(none.size() == whole.size());
    CHECK(
        std::none_of(none.begin(), none.end(), [](const source_line& l) { return l.in_selected; }));
}

TEST_CASE("mime view: the text a reader sees, Chinese decoded") {
    std::string text = visible_text(webmail_mail());
    CHECK(text.find("实验照片") != std::string::npos);
    CHECK(text.find("the photo of today's lab set-up") != std::string::npos);
    CHECK(text.find("lab-photo.png") != std::string::npos);
}
