// One function per panel, each drawing into the current ImGui window (so a panel can also be
// drawn inside another window for tests and embedding).
#pragma once

#include "gui/app.hpp"

namespace maillab::gui {

void draw_timeline(app_state& app);
void draw_sequence(app_state& app);
void draw_event_log(app_state& app);
void draw_inspector(app_state& app);
void draw_state_machines(app_state& app);
void draw_open_dialog(app_state& app);
void draw_lab(app_state& app);  // lab_panel.cpp

// The whole-world views, as tabs of one window under the "follow one mail" bar (view_tabs.cpp).
void draw_views(app_state& app);
void draw_follow_bar(app_state& app);
void draw_topology(app_state& app);
void draw_mailboxes(app_state& app);
void draw_message_view(app_state& app, const view::stored_mail& mail);  // mime_panel.cpp
void draw_side_by_side(app_state& app);
void draw_what_if(app_state& app);  // what_if_panel.cpp
// The inspector's "What if…" box for a client command: edit, Skip, Run branch.
void draw_what_if_editor(app_state& app, std::size_t index);

}  // namespace maillab::gui
