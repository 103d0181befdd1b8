#include "sim/export/palette.hpp"

namespace maillab::exporting {

std::string_view protocol_colour(std::string_view proto) {
    if (proto == "smtp") return "#1f6fd1";
    if (proto == "pop3") return "#1e9a3a";
    if (proto == "imap") return "#d9730d";
    if (proto == "http") return "#9b4dd6";
    if (proto == "dns") return "#b58900";
    if (proto == "tls") return "#0f9ea3";
    return "#6b7280";
}

note_colours colours_of(note_style style) {
    switch (style) {
        case note_style::state:
            return {"#f7e9fb", "#b05cc8"};
        case note_style::teaching:
            return {"#fff4d6", "#d9a400"};
        case note_style::scenario:
            return {"#eef1f6", "#8a94a6"};
        case note_style::store:
            return {"#fdf0d5", "#d08a00"};
        case note_style::transport:
            return {"#e2f5f6", "#2aa3a8"};
        case note_style::annotation:
            return {"#e3f6e3", "#2f9a41"};
    }
    return {"#ffffff", "#888888"};
}

}  // namespace maillab::exporting
