// What a teacher chose last time, kept between runs: the window layout (ImGui's own ini file)
// and, in the same file, the language, presentation mode, how future events look, the view
// shown first, playback speed and step unit. The next class starts where this one ended; an
// option given on the command line still wins (main.cpp applies those after loading).
#pragma once

#include <string>

#include "gui/app.hpp"

namespace maillab::gui {

// $XDG_CONFIG_HOME/maillab/maillab-gui.ini (or ~/.config/maillab/...), its folder created;
// "" when there is no home to keep it in (the layout is then simply not saved).
std::string settings_path();

// Makes ImGui read and write app's choices in its ini file. Call after ImGui::CreateContext()
// and before the ini is loaded; `app` must outlive the ImGui context.
void register_saved_choices(app_state& app);

// Call once a frame: asks ImGui to save the ini soon when a choice has changed.
void keep_choices_saved(const app_state& app);

// One line of the [Maillab][Choices] section applied to app (exposed for the tests): "lang=zh",
// "presentation=1", "future=hide", "view=topology", "speed=2", "step=exchange". Unknown keys and
// bad values are ignored: an ini from a newer or older maillab must not stop the GUI.
void apply_saved_choice(app_state& app, const std::string& line);
// The section's lines for the current choices, in the order apply_saved_choice reads them.
std::string saved_choices_text(const app_state& app);

}  // namespace maillab::gui
