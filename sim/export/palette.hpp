// Colours of the exported diagrams. The hues are the GUI's (gui/colors.cpp: SMTP blue, POP3
// green, IMAP orange, HTTP purple, DNS yellow, TLS cyan, state changes magenta, the store amber),
// darkened for white paper and projector slides, where the GUI's light tones on a dark
// background would wash out.
#pragma once

#include <string_view>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

// "#1f6fd1" for "smtp"; grey for TCP and anything else.
std::string_view protocol_colour(std::string_view proto);

struct note_colours {
    std::string_view fill;
    std::string_view stroke;
};
note_colours colours_of(note_style style);

// The protocols a legend lists, in this order.
inline constexpr std::string_view legend_protocols[] = {"smtp", "pop3", "imap", "http",
                                                        "dns",  "tls",  "tcp"};

}  // namespace maillab::exporting
