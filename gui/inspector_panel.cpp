// Inspector: the selected event's exact bytes (CR LF and dot-stuffing visible, and a hex view),
// its fields, the explanation in English or Chinese with the RFC section, what the protocol
// expects next from the state machine of its connection, and the teacher's notes on it (with a
// box to add one, saved into the recording).

#include <optional>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/core/bytes.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/view/hex_dump.hpp"
#include "sim/view/machine_status.hpp"

namespace maillab::gui {
namespace {
// ImGui 1.86 has no SeparatorText: a heading and a rule.
void heading(const char* text) {
    ImGui::Spacing();
    ImGui::TextDisabled("%s", text);
    ImGui::Separator();
}

void draw_notes(app_state& app, const event& e) {
    language lang = app.lang;
    const auto& on_event = app.notes.on(e.seq);
    if (on_event.empty()) return;
    heading(tr("Teacher's notes", lang));
    // Removing rewrites the list being drawn: do it after the loop.
    std::optional<std::uint64_t> remove;
    for (const annotation* a : on_event) {
        ImGui::PushID(static_cast<int>(a->id));
        if (a->type == annotation_type::bookmark) {
            ImGui::TextColored(ImVec4(1.0f, 0.84f, 0.0f, 1.0f), "★ %s", a->name.c_str());
        } else {
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1.0f), "✎ %s",
                               a->note_text(lang).c_str());
            ImGui::PopTextWrapPos();
            if (!app.annotations_file.empty()) {
                ImGui::SameLine();
                if (ImGui::SmallButton(tr("Remove", lang))) remove = a->id;
            }
        }
        ImGui::PopID();
    }
    if (remove) app.remove_note(*remove);
}

// A box and a Save button: the note goes into the recording at once (an atomic rewrite), so
// closing the window loses nothing.
void draw_note_editor(app_state& app) {
    language lang = app.lang;
    if (!ImGui::CollapsingHeader(tr("Add a note", lang))) return;
    if (app.annotations_file.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", tr("Notes are kept in a recording: record this with maillab run "
                                     "... --record FILE, then open FILE.",
                                     lang));
        ImGui::PopTextWrapPos();
        return;
    }
    ImGui::InputTextMultiline("##note", app.note_draft, sizeof app.note_draft,
                              ImVec2(-1.0f, ImGui::GetTextLineHeight() * 4));
    if (ImGui::Button(tr("Save", lang))) app.save_note();
    if (!app.note_status.empty()) {
        ImGui::SameLine();
        ImGui::PushTextWrapPos(0);
        if (app.note_status_error)
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.4f, 1.0f), "%s", app.note_status.c_str());
        else
            ImGui::TextDisabled("%s", app.note_status.c_str());
        ImGui::PopTextWrapPos();
    }
}
}  // namespace

void draw_inspector(app_state& app) {
    language lang = app.lang;
    if (!app.selected || *app.selected >= app.model.size()) {
        ImGui::TextDisabled("%s", tr("No event selected", lang));
        return;
    }
    std::size_t index = *app.selected;
    const event& e = app.model.at(index);
    ImGui::TextColored(protocol_color_vec(e.proto), "#%llu  %s  %s",
                       static_cast<unsigned long long>(e.seq), e.proto.c_str(),
                       std::string(to_string(e.kind)).c_str());
    ImGui::SameLine();
    if (e.conn) ImGui::Text("  %s #%llu", tr("Connection", lang), static_cast<unsigned long long>(e.conn));
    ImGui::Text("%s → %s", e.from.c_str(), e.to.empty() ? "·" : e.to.c_str());
    if (e.cause) {
        ImGui::SameLine();
        std::string label = fmt::format("{} #{}", tr("Cause", lang), *e.cause);
        if (ImGui::SmallButton(label.c_str()))
            if (auto i = app.model.index_of_seq(*e.cause)) app.select(*i);
    }
    if (flag_field(e, "tls"))
        ImGui::TextColored(protocol_color_vec("tls"), "%s",
                           tr("inside TLS: a network observer sees only encrypted records", lang));
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(event_text(e, lang).c_str());
    ImGui::PopTextWrapPos();
    draw_what_if_editor(app, index);
    draw_notes(app, e);
    draw_note_editor(app);

    // The explanation first: it is what students read.
    if (!e.explain.empty()) {
        const auto& catalog = explain_catalog::builtin();
        if (const explanation* x = catalog.find(e.explain)) {
            heading(tr("Explanation", lang));
            ImGui::PushTextWrapPos(0);
            std::string text = fill_placeholders(x->text(lang), e.fields);
            ImGui::TextUnformatted(text.c_str());
            ImGui::PopTextWrapPos();
            if (!x->rfc.empty()) ImGui::TextDisabled("%s", x->rfc.c_str());
        }
    }

    // What the protocol expects next, from the state machine of this connection.
    static view::machine_tracker tracker;  // asked every frame (view/machine_status.hpp)
    for (const auto& m : tracker.at(app.model, index)) {
        // The servers' machines: a client's next step is its program's, not a set of commands.
        if (m.conn != e.conn || !m.spec || !m.spec->commands_allowed) continue;
        heading(tr("What comes next", lang));
        ImGui::Text("%s: %s", std::string(m.spec->title).c_str(), m.current.c_str());
        auto verbs = view::expected_commands(m);
        if (verbs.empty()) {
            ImGui::TextDisabled("%s", tr("Waiting for the peer's data, not commands.", lang));
        } else {
            std::string list;
            for (const auto& v : verbs) list += (list.empty() ? "" : "  ") + v;
            ImGui::TextUnformatted(tr("The server now accepts:", lang));
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(protocol_color_vec(e.proto), "%s", list.c_str());
            ImGui::PopTextWrapPos();
        }
    }

    if (e.raw) {
        heading(tr("Raw bytes", lang));
        ImGui::TextDisabled("%zu %s", e.raw->size(), tr("octets", lang));
        ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
        std::size_t start = 0, lines = 0;
        const std::string& raw = *e.raw;
        while (start < raw.size() && lines < 200) {
            auto lf = raw.find('\n', start);
            std::size_t end = lf == std::string::npos ? raw.size() : lf + 1;
            std::string line = visible_bytes(std::string_view(raw).substr(start, end - start));
            ImGui::TextUnformatted(line.c_str());
            start = end;
            ++lines;
        }
        if (start < raw.size()) ImGui::TextDisabled("...");
        ImGui::PopFont();
        if (ImGui::CollapsingHeader(tr("Hex", lang))) {
            ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
            for (const auto& l : view::hex_dump(raw, 256)) ImGui::TextUnformatted(l.c_str());
            ImGui::PopFont();
        }
    }
    if (!e.fields.empty() && ImGui::CollapsingHeader(tr("Fields", lang), ImGuiTreeNodeFlags_DefaultOpen)) {
        ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
        for (const auto& [key, value] : e.fields.items()) {
            std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
            ImGui::Text("%s: %s", key.c_str(), shown.c_str());
        }
        ImGui::PopFont();
    }
}

}  // namespace maillab::gui
