// The subcommands of `maillab`; each registers its options on the CLI11 app and runs.
#pragma once

#include <CLI/CLI.hpp>

namespace maillab::cli {

// Each returns the function to call when its subcommand was chosen; it returns the exit code.
std::function<int()> add_run_command(CLI::App& app);
std::function<int()> add_serve_command(CLI::App& app);
std::function<int()> add_mime_command(CLI::App& app);
std::function<int()> add_compose_command(CLI::App& app);
std::function<int()> add_import_command(CLI::App& app);
std::function<int()> add_replay_command(CLI::App& app);
std::function<int()> add_annotate_command(CLI::App& app);
std::function<int()> add_export_command(CLI::App& app);
std::function<int()> add_whatif_command(CLI::App& app);
std::function<int()> add_lab_command(CLI::App& app);
std::function<int()> add_class_command(CLI::App& app);

// Terminal colours only when stdout is a terminal and NO_COLOR is unset.
bool stdout_wants_color();

}  // namespace maillab::cli
