// Topology: the hosts of the scenario in columns (user agents and browsers left, then webmail,
// the sender's server, DNS, the receiving servers right) and the links the trace uses, each
// labelled with its protocol and port. HTTP legs, SMTP submission, the SMTP relay, POP3/IMAP
// retrieval and DNS differ in colour and line style. The current event's hop carries an
// envelope (moving while playing, at the middle when paused); DNS lookups flash on the DNS host
// and the relay queue's entries and retries show as a badge on the relaying host. The picture
// is the model of sim/view/topology drawn; nothing here decides where things go.

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <map>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

struct link_style {
    ImU32 color;
    float thickness;
    float dash;  // 0: solid
    float gap;
    bool dots;  // round dots instead of dashes
    bool twin;  // two parallel lines: the relay between servers
};

link_style style_of(const view::topology_link& l, bool presentation) {
    ImU32 c = protocol_color(l.proto, presentation);
    float k = presentation ? 1.5f : 1.0f;
    switch (l.kind) {
        case view::link_kind::http:
            return {c, 2.5f * k, 11 * k, 6 * k, false, false};
        case view::link_kind::submission:
            return {c, 2.5f * k, 0, 0, false, false};
        case view::link_kind::relay:
            return {c, 2.0f * k, 0, 0, false, true};
        case view::link_kind::retrieval:
            return {c, 2.6f * k, 0, 7 * k, true, false};
        case view::link_kind::dns:
            return {c, 1.6f * k, 4 * k, 4 * k, false, false};
        case view::link_kind::other:
            break;
    }
    return {c, 1.5f * k, 0, 0, false, false};
}

ImU32 fade(ImU32 color, float alpha) {
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
    c.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(c);
}

ImVec2 lerp(ImVec2 a, ImVec2 b, float t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

void pattern_line(ImDrawList* draw, ImVec2 a, ImVec2 b, const link_style& s, ImU32 color) {
    float dx = b.x - a.x, dy = b.y - a.y;
    float len = std::sqrt(dx * dx + dy * dy);
    if (len < 1) return;
    ImVec2 u(dx / len, dy / len);
    auto line = [&](ImVec2 p, ImVec2 q) {
        if (s.dots) {
            for (float d = 0; d <= len; d += s.gap)
                draw->AddCircleFilled(ImVec2(p.x + u.x * d, p.y + u.y * d), s.thickness * 0.7f,
                                      color, 8);
        } else if (s.dash <= 0) {
            draw->AddLine(p, q, color, s.thickness);
        } else {
            for (float d = 0; d < len; d += s.dash + s.gap) {
                float e = std::min(d + s.dash, len);
                draw->AddLine(ImVec2(p.x + u.x * d, p.y + u.y * d),
                              ImVec2(p.x + u.x * e, p.y + u.y * e), color, s.thickness);
            }
        }
    };
    if (s.twin) {
        ImVec2 side(-u.y * 2.4f * s.thickness, u.x * 2.4f * s.thickness);
        line(ImVec2(a.x + side.x, a.y + side.y), ImVec2(b.x + side.x, b.y + side.y));
        line(ImVec2(a.x - side.x, a.y - side.y), ImVec2(b.x - side.x, b.y - side.y));
    } else {
        line(a, b);
    }
}

// Where the segment from a box's centre towards `towards` leaves the box.
ImVec2 box_exit(ImVec2 centre, ImVec2 half, ImVec2 towards) {
    float dx = towards.x - centre.x, dy = towards.y - centre.y;
    float tx = std::fabs(dx) > 1e-3f ? half.x / std::fabs(dx) : 1e9f;
    float ty = std::fabs(dy) > 1e-3f ? half.y / std::fabs(dy) : 1e9f;
    float t = std::min({tx, ty, 1.0f});
    return {centre.x + dx * t, centre.y + dy * t};
}

void envelope(ImDrawList* draw, ImVec2 c, float size, ImU32 border) {
    float w = size, h = size * 0.66f;
    ImVec2 min(c.x - w * 0.5f, c.y - h * 0.5f), max(c.x + w * 0.5f, c.y + h * 0.5f);
    draw->AddRectFilled(ImVec2(min.x - 2, min.y - 2), ImVec2(max.x + 2, max.y + 2),
                        IM_COL32(0, 0, 0, 160), 3);
    draw->AddRectFilled(min, max, IM_COL32(250, 250, 245, 255), 2);
    draw->AddRect(min, max, border, 2, 0, 2.0f);
    draw->AddLine(min, ImVec2(c.x, c.y + h * 0.1f), border, 1.6f);
    draw->AddLine(ImVec2(max.x, min.y), ImVec2(c.x, c.y + h * 0.1f), border, 1.6f);
}

// A label in a dark box, centred on `at`; returns its rectangle.
std::pair<ImVec2, ImVec2> tag(ImDrawList* draw, ImVec2 at, const std::string& text, ImU32 color,
                              ImU32 background = IM_COL32(20, 20, 26, 235)) {
    ImVec2 size = ImGui::CalcTextSize(text.c_str());
    ImVec2 min(at.x - size.x * 0.5f - 4, at.y - size.y * 0.5f - 1);
    ImVec2 max(at.x + size.x * 0.5f + 4, at.y + size.y * 0.5f + 1);
    draw->AddRectFilled(min, max, background, 4);
    draw->AddText(ImVec2(min.x + 4, min.y + 1), color, text.c_str());
    return {min, max};
}

std::string cut(const std::string& s, std::size_t max) {
    if (s.size() <= max) return s;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n) + "…";
}

enum class icon { client, browser, webmail, server, dns };

icon icon_of(const view::topology_host& h) {
    auto has = [&](const char* r) {
        return std::find(h.roles.begin(), h.roles.end(), r) != h.roles.end();
    };
    if (has("dns")) return icon::dns;
    if (has("webmail")) return icon::webmail;
    if (has("browser")) return icon::browser;
    if (has("submission") || has("mx") || has("pop3") || has("imap")) return icon::server;
    return icon::client;
}

// A small picture per kind of host, as network diagrams draw them: a screen for a user agent or
// a browser, a tower for a server (with a globe for a webmail, "DNS" for the name server).
void draw_icon(ImDrawList* draw, ImVec2 c, ImVec2 half, icon kind, ImU32 border, float border_w) {
    ImU32 fill = IM_COL32(48, 52, 66, 255), detail = IM_COL32(170, 175, 195, 255);
    if (kind == icon::client || kind == icon::browser) {
        ImVec2 min(c.x - half.x, c.y - half.y), max(c.x + half.x, c.y + half.y * 0.5f);
        draw->AddRectFilled(min, max, fill, 3);
        draw->AddRect(min, max, border, 3, 0, border_w);
        draw->AddRectFilled(ImVec2(c.x - half.x * 0.12f, max.y),
                            ImVec2(c.x + half.x * 0.12f, c.y + half.y * 0.8f), detail);
        draw->AddRectFilled(ImVec2(c.x - half.x * 0.5f, c.y + half.y * 0.8f),
                            ImVec2(c.x + half.x * 0.5f, c.y + half.y), detail, 2);
        if (kind == icon::browser) {
            // A tab strip and an address bar.
            draw->AddLine(ImVec2(min.x + 3, min.y + half.y * 0.45f),
                          ImVec2(max.x - 3, min.y + half.y * 0.45f), detail, 1.5f);
            draw->AddRectFilled(ImVec2(min.x + 4, min.y + 3),
                                ImVec2(min.x + half.x * 0.7f, min.y + half.y * 0.38f), detail, 2);
        }
        return;
    }
    ImVec2 min(c.x - half.x * 0.62f, c.y - half.y), max(c.x + half.x * 0.62f, c.y + half.y);
    ImU32 body = kind == icon::dns ? IM_COL32(92, 80, 28, 255) : fill;
    draw->AddRectFilled(min, max, body, 3);
    draw->AddRect(min, max, border, 3, 0, border_w);
    float w = max.x - min.x, h = max.y - min.y;
    if (kind == icon::webmail) {
        ImVec2 g(c.x, min.y + h * 0.32f);
        float r = w * 0.3f;
        draw->AddCircle(g, r, detail, 16, 1.4f);
        draw->AddLine(ImVec2(g.x - r, g.y), ImVec2(g.x + r, g.y), detail, 1.2f);
        draw->AddBezierQuadratic(ImVec2(g.x, g.y - r), ImVec2(g.x - r * 1.1f, g.y),
                                 ImVec2(g.x, g.y + r), detail, 1.2f);
        draw->AddBezierQuadratic(ImVec2(g.x, g.y - r), ImVec2(g.x + r * 1.1f, g.y),
                                 ImVec2(g.x, g.y + r), detail, 1.2f);
    } else if (kind == icon::dns) {
        const char* text = "DNS";
        ImFont* f = ImGui::GetFont();
        float size = ImGui::GetFontSize() * 0.62f;
        ImVec2 ts = f->CalcTextSizeA(size, FLT_MAX, 0, text);
        draw->AddText(f, size, ImVec2(c.x - ts.x * 0.5f, min.y + h * 0.3f - ts.y * 0.5f),
                      IM_COL32(255, 230, 120, 255), text);
    } else {
        for (float k : {0.2f, 0.36f})
            draw->AddLine(ImVec2(min.x + 4, min.y + h * k), ImVec2(max.x - 4, min.y + h * k),
                          detail, 1.5f);
    }
    // Drive lights.
    for (float k : {0.62f, 0.78f})
        draw->AddCircleFilled(ImVec2(min.x + w * 0.28f, min.y + h * k), 1.8f,
                              IM_COL32(120, 220, 120, 255));
}

std::string roles_line(const view::topology_host& h) {
    std::string out;
    for (const auto& r : h.roles) out += (out.empty() ? "" : " · ") + r;
    return out;
}

struct legend_item {
    view::link_kind kind;
    const char* proto;
    const char* text;
};
constexpr legend_item legend_items[] = {{view::link_kind::http, "http", "HTTP (browser, webmail)"},
                                        {view::link_kind::submission, "smtp", "SMTP submission"},
                                        {view::link_kind::relay, "smtp", "SMTP relay (port 25)"},
                                        {view::link_kind::retrieval, "imap", "IMAP retrieval"},
                                        {view::link_kind::retrieval, "pop3", "POP3 retrieval"},
                                        {view::link_kind::dns, "dns", "DNS MX lookup"}};

// The line styles explained, wrapped to `width`; returns the height used (draws nothing when
// `draw` is null, to measure).
float legend(ImDrawList* draw, ImVec2 at, float width, float font, language lang,
             bool presentation) {
    float x = at.x, y = at.y, row_h = font * 1.35f;
    for (const auto& it : legend_items) {
        const char* text = tr(it.text, lang);
        float item_w = font * 2.6f + ImGui::CalcTextSize(text).x + font * 1.1f;
        if (x > at.x && x + item_w > at.x + width) {
            x = at.x;
            y += row_h;
        }
        if (draw) {
            view::topology_link l;
            l.kind = it.kind;
            l.proto = it.proto;
            link_style s = style_of(l, presentation);
            pattern_line(draw, ImVec2(x, y + font * 0.55f),
                         ImVec2(x + font * 2.2f, y + font * 0.55f), s, s.color);
            draw->AddText(ImVec2(x + font * 2.6f, y), IM_COL32(210, 210, 215, 255), text);
        }
        x += item_w;
    }
    return y - at.y + row_h;
}

}  // namespace

void draw_topology(app_state& app) {
    language lang = app.lang;
    const view::trace_model& model = app.model;
    if (model.empty()) return;
    const view::topology& topo = app.world.topology(model);
    std::size_t cursor = app.cursor;
    const auto& activity = app.world.activity(model, cursor);

    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    float font = ImGui::GetFontSize();
    float legend_h = legend(nullptr, origin, avail.x, font, lang, app.presentation) + font * 0.3f;
    ImVec2 canvas(avail.x, std::max(avail.y - legend_h, font * 8));
    ImGui::InvisibleButton("##topology", ImVec2(avail.x, canvas.y + legend_h));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + canvas.y + legend_h), true);

    // Small icons, so the links between neighbouring columns are long enough to carry their
    // labels and the envelope; names below the icons shrink to fit their column.
    int columns = std::max(topo.columns(), 1);
    float column_w = canvas.x / static_cast<float>(columns);
    float widest = 0;
    for (const auto& h : topo.hosts())
        widest = std::max(widest, ImGui::CalcTextSize(h.name.c_str()).x);
    float name_scale = std::clamp((column_w * 0.94f) / std::max(widest, 1.0f), 0.6f, 0.9f);
    // Hosts of one column must not overlap: icons and names shrink when the rows are close (a
    // projector's large font in a small window).
    float min_gap = 1.0f;
    for (const auto& a : topo.hosts())
        for (const auto& b : topo.hosts())
            if (&a != &b && a.column == b.column) min_gap = std::min(min_gap, std::fabs(a.y - b.y));
    float top = font * 2.9f;     // room for the caption line and the badges above the top row
    float bottom = font * 2.4f;  // room for the names under the bottom row
    float needed = font * 2.0f + font * 1.9f;  // an icon, its name and its roles
    float host_scale = std::clamp(min_gap * (canvas.y - top - bottom) / needed, 0.5f, 1.0f);
    ImVec2 half(font * 1.3f * host_scale, font * 1.0f * host_scale);
    name_scale *= std::max(host_scale, 0.75f);
    auto centre = [&](const view::topology_host& h) {
        return ImVec2(origin.x + h.x * canvas.x, origin.y + top + h.y * (canvas.y - top - bottom));
    };

    // The current event: the link it travels on, or the host where it happened.
    auto hop = topo.hop_of(model, cursor);
    std::optional<std::size_t> local_host;
    if (!hop) local_host = topo.host_of(model, cursor);
    bool paused = !app.playing;
    float progress = paused ? 0.5f : static_cast<float>(std::clamp(app.play_accumulator, 0.0, 1.0));

    // Hops of the followed mail, per link and per host.
    std::map<std::size_t, std::vector<std::size_t>> path_links, path_hosts;
    const view::mail_path& path = app.world.path;
    for (std::size_t h = 0; h < path.hop_starts.size(); ++h) {
        std::size_t end =
            h + 1 < path.hop_starts.size() ? path.hop_starts[h + 1] : path.events.size();
        std::optional<std::size_t> on_link, on_host;
        for (std::size_t k = path.hop_starts[h]; k < end && !on_link; ++k) {
            if (auto p = topo.hop_of(model, path.events[k]))
                on_link = p->link;
            else if (!on_host)
                on_host = topo.host_of(model, path.events[k]);
        }
        if (on_link)
            path_links[*on_link].push_back(h + 1);
        else if (on_host)
            path_hosts[*on_host].push_back(h + 1);
    }
    auto hop_list = [](const std::vector<std::size_t>& hops) {
        std::string s;
        for (std::size_t n : hops) s += (s.empty() ? "#" : " #") + std::to_string(n);
        return s;
    };

    // Each link's segment, parallel links beside each other.
    struct segment {
        ImVec2 a, b;  // client end, server end (outside the boxes)
        ImVec2 up;    // unit normal on the upper side
        float along;  // where its label would rather be, 0..1 from a
    };
    std::vector<segment> segments;
    for (const auto& l : topo.links()) {
        ImVec2 ca = centre(topo.hosts()[l.client]), cb = centre(topo.hosts()[l.server]);
        float dx = cb.x - ca.x, dy = cb.y - ca.y;
        float len = std::max(std::sqrt(dx * dx + dy * dy), 1.0f);
        ImVec2 side(-dy / len, dx / len);
        float offset = (static_cast<float>(l.parallel_index) -
                        static_cast<float>(l.parallel_count - 1) * 0.5f) *
                       font * 1.5f;
        // The same side for A->B and B->A, whichever end is the client.
        if (l.client > l.server) offset = -offset;
        ImVec2 shift(side.x * offset, side.y * offset);
        ImVec2 a(ca.x + shift.x, ca.y + shift.y), b(cb.x + shift.x, cb.y + shift.y);
        a = box_exit(a, half, b);
        b = box_exit(b, half, a);
        float along = 0.5f + (static_cast<float>(l.parallel_index) -
                              static_cast<float>(l.parallel_count - 1) * 0.5f) *
                                 0.18f;
        ImVec2 up = side.y <= 0 ? side : ImVec2(-side.x, -side.y);
        segments.push_back({a, b, up, along});
    }

    // What a link label must not cover: each host's icon, name and roles.
    using rect = std::pair<ImVec2, ImVec2>;
    std::vector<rect> taken;
    for (std::size_t i = 0; i < topo.hosts().size(); ++i) {
        const auto& h = topo.hosts()[i];
        ImVec2 c = centre(h);
        float name_w = ImGui::CalcTextSize(h.name.c_str()).x * name_scale * 0.5f;
        float w = std::max(half.x, name_w);
        // With the followed mail's hop numbers under the name.
        float below = font * std::max(host_scale, 0.75f) * (path_hosts.count(i) ? 3.0f : 1.8f);
        taken.push_back({ImVec2(c.x - w, c.y - half.y), ImVec2(c.x + w, c.y + half.y + below)});
    }
    auto overlaps = [&](const rect& r) {
        for (const auto& t : taken)
            if (r.first.x < t.second.x + 2 && r.second.x > t.first.x - 2 &&
                r.first.y < t.second.y + 2 && r.second.y > t.first.y - 2)
                return true;
        return false;
    };
    // A label sits beside its line (the upper side first), so the line and the envelope stay
    // visible; it slides along the line until it covers no host and no other label.
    auto place_label = [&](const segment& g, ImVec2 size) {
        // Far enough from the line for the label's extent across it.
        float gap =
            font * 0.2f + std::fabs(g.up.y) * size.y * 0.5f + std::fabs(g.up.x) * size.x * 0.5f;
        std::optional<ImVec2> first;
        for (float side : {1.0f, -1.0f})
            for (float shift : {0.0f, 0.12f, -0.12f, 0.24f, -0.24f, 0.34f, -0.34f}) {
                ImVec2 mid = lerp(g.a, g.b, std::clamp(g.along + shift, 0.15f, 0.85f));
                ImVec2 at(mid.x + g.up.x * gap * side, mid.y + g.up.y * gap * side);
                if (!first) first = at;
                rect r{ImVec2(at.x - size.x * 0.5f - 4, at.y - size.y * 0.5f - 1),
                       ImVec2(at.x + size.x * 0.5f + 4, at.y + size.y * 0.5f + 1)};
                if (!overlaps(r)) {
                    taken.push_back(r);
                    return at;
                }
            }
        return *first;
    };

    // Links, dimmed or hidden until the trace first uses them.
    for (std::size_t i = 0; i < topo.links().size(); ++i) {
        const auto& l = topo.links()[i];
        bool future = l.first_event > cursor;
        if (future && app.future == future_mode::hide) continue;
        float alpha = future && app.future == future_mode::dim ? 0.25f : 1.0f;
        link_style s = style_of(l, app.presentation);
        const segment& g = segments[i];
        if (path_links.count(i))
            draw->AddLine(g.a, g.b, IM_COL32(255, 205, 60, 90), s.thickness + font * 0.3f);
        bool current = hop && hop->link == i;
        if (current) {
            draw->AddLine(g.a, g.b, fade(s.color, 0.35f), s.thickness + 8.0f);
            s.thickness += 1.0f;
        }
        pattern_line(draw, g.a, g.b, s, fade(s.color, alpha));
        // The arrowhead at the end that was connected to.
        float dx = g.b.x - g.a.x, dy = g.b.y - g.a.y;
        float len = std::max(std::sqrt(dx * dx + dy * dy), 1.0f);
        ImVec2 u(dx / len, dy / len);
        float head = font * 0.55f;
        draw->AddTriangleFilled(g.b,
                                ImVec2(g.b.x - u.x * head - u.y * head * 0.55f,
                                       g.b.y - u.y * head + u.x * head * 0.55f),
                                ImVec2(g.b.x - u.x * head + u.y * head * 0.55f,
                                       g.b.y - u.y * head - u.x * head * 0.55f),
                                fade(s.color, alpha));
    }
    for (std::size_t i = 0; i < topo.links().size(); ++i) {
        const auto& l = topo.links()[i];
        bool future = l.first_event > cursor;
        if (future && app.future == future_mode::hide) continue;
        float alpha = future && app.future == future_mode::dim ? 0.45f : 1.0f;
        std::string text = l.label;
        if (l.uses > 1) text += fmt::format(" ×{}", l.uses);
        if (l.failures) text += fmt::format("  ✕{}", l.failures);
        ImVec2 size = ImGui::CalcTextSize(text.c_str());
        // The followed mail's hop numbers go under the label: place both as one block.
        auto hops = path_links.find(i);
        std::string numbers = hops != path_links.end() ? hop_list(hops->second) : "";
        ImVec2 block = size;
        if (!numbers.empty()) {
            block.x = std::max(block.x, ImGui::CalcTextSize(numbers.c_str()).x);
            block.y = size.y * 2 + 4;
        }
        ImVec2 at = place_label(segments[i], block);
        float line = numbers.empty() ? 0 : (size.y + 4) * 0.5f;
        auto [min, max] = tag(draw, ImVec2(at.x, at.y - line), text,
                              fade(style_of(l, app.presentation).color, alpha));
        if (!numbers.empty())
            tag(draw, ImVec2(at.x, at.y + line), numbers, IM_COL32(255, 215, 80, 255),
                IM_COL32(60, 45, 0, 230));
        if (ImGui::IsMouseHoveringRect(min, max))
            ImGui::SetTooltip(
                "%s → %s  %s\n%s %zu, %s #%llu%s", topo.hosts()[l.client].name.c_str(),
                topo.hosts()[l.server].name.c_str(), l.label.c_str(), tr("connections", lang),
                l.uses, tr("first at seq", lang),
                static_cast<unsigned long long>(model.at(l.first_event).seq),
                l.failures
                    ? fmt::format("\n{} {}", l.failures, tr("never got through", lang)).c_str()
                    : "");
    }

    // Hosts: an icon, the name and the roles under it.
    for (std::size_t i = 0; i < topo.hosts().size(); ++i) {
        const auto& h = topo.hosts()[i];
        ImVec2 c = centre(h);
        ImVec2 min(c.x - half.x, c.y - half.y), max(c.x + half.x, c.y + half.y);
        icon kind = icon_of(h);
        const auto& act = activity[i];
        // A DNS lookup flashes the hosts taking part, fading over the next events.
        if (act.events_since_dns < 4) {
            float glow = 1.0f - static_cast<float>(act.events_since_dns) / 4.0f;
            draw->AddCircleFilled(c, half.x * 1.35f, fade(protocol_color("dns", true), 0.5f * glow),
                                  32);
        }
        bool here = local_host && *local_host == i;
        bool on_path = path_hosts.count(i) > 0;
        ImU32 border = here      ? IM_COL32(255, 220, 60, 255)
                       : on_path ? IM_COL32(255, 205, 60, 220)
                                 : IM_COL32(150, 150, 165, 255);
        draw_icon(draw, c, half, kind, border, here ? 3.0f : 1.3f);

        ImFont* f = ImGui::GetFont();
        float name_size = font * name_scale;
        ImVec2 name = f->CalcTextSizeA(name_size, FLT_MAX, 0, h.name.c_str());
        float y = max.y + 3;
        draw->AddText(f, name_size, ImVec2(c.x - name.x * 0.5f, y), IM_COL32(255, 255, 255, 255),
                      h.name.c_str());
        y += name.y;
        std::string roles = roles_line(h);
        float roles_font = font * 0.72f * std::max(host_scale, 0.75f);
        float roles_size =
            std::min(roles_font, roles_font * (column_w * 0.94f) /
                                     std::max(ImGui::CalcTextSize(roles.c_str()).x * 0.72f, 1.0f));
        ImVec2 rs = f->CalcTextSizeA(roles_size, FLT_MAX, 0, roles.c_str());
        draw->AddText(f, roles_size, ImVec2(c.x - rs.x * 0.5f, y), IM_COL32(165, 165, 180, 255),
                      roles.c_str());
        y += rs.y;
        ImVec2 hover_min(std::min(min.x, c.x - name.x * 0.5f), min.y),
            hover_max(std::max(max.x, c.x + name.x * 0.5f), y);
        if (ImGui::IsMouseHoveringRect(hover_min, hover_max)) {
            const std::string& d = lang == language::zh && !h.description_zh.empty()
                                       ? h.description_zh
                                       : h.description_en;
            ImGui::SetTooltip("%s\n%s%s%s", h.name.c_str(), roles.c_str(), d.empty() ? "" : "\n",
                              d.c_str());
        }
        // Badges above the icon: MX lookups on the DNS host, the queue and its retries on a
        // relaying host.
        float badge_y = min.y - font * 0.75f;
        if (kind == icon::dns && act.dns_lookups)
            tag(draw, ImVec2(c.x, badge_y), fmt::format("MX? ×{}", act.dns_lookups),
                IM_COL32(30, 25, 0, 255), protocol_color("dns", true));
        if (act.queued || act.retries || act.bounces) {
            std::string q;
            auto part = [&](std::size_t n, const char* word) {
                if (n) q += fmt::format("{}{} {}", q.empty() ? "" : " · ", tr(word, lang), n);
            };
            part(act.queued, "queue");
            part(act.retries, "retries");
            part(act.bounces, "bounced");
            tag(draw, ImVec2(c.x, badge_y), q, IM_COL32(20, 20, 20, 255),
                act.bounces ? IM_COL32(240, 110, 90, 255) : IM_COL32(240, 170, 70, 255));
        }
        if (on_path)
            tag(draw, ImVec2(c.x, y + font * 0.6f), hop_list(path_hosts[i]),
                IM_COL32(255, 215, 80, 255), IM_COL32(60, 45, 0, 230));
    }

    // The current event: an envelope on its link, or its host outlined (above); what it is, in
    // a line at the top left, where it never covers a host.
    const event& e = model.at(cursor);
    std::string where = e.from + (e.to.empty() ? "" : " → " + e.to);
    ImU32 caption_colour = IM_COL32(255, 225, 120, 255);
    if (hop) {
        const segment& g = segments[hop->link];
        ImVec2 from = hop->towards_server ? g.a : g.b, to = hop->towards_server ? g.b : g.a;
        const auto& l = topo.links()[hop->link];
        caption_colour = style_of(l, app.presentation).color;
        envelope(draw, lerp(from, to, progress), font * 1.5f, caption_colour);
        where += "  " + l.label;
    }
    std::string caption =
        where.empty() ? fmt::format("#{}  {}", e.seq, cut(event_text(e, lang), 80))
                      : fmt::format("#{}  {}:  {}", e.seq, where, cut(event_text(e, lang), 70));
    draw->AddText(ImVec2(origin.x + 6, origin.y + 4), caption_colour, caption.c_str());

    legend(draw, ImVec2(origin.x + 4, origin.y + canvas.y + font * 0.3f), avail.x - 8, font, lang,
           app.presentation);
    draw->PopClipRect();
}

}  // namespace maillab::gui
