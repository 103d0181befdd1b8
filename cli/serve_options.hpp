// The command-line options of a live session, declared once for `maillab serve` and
// `maillab-gui --serve`: the ports, users, domains, store, TLS files and --record. The values
// land in world::serve_options (sim/world/serve_setup.hpp), which does the work.
#pragma once

#include <CLI/CLI.hpp>

#include "sim/world/serve_setup.hpp"

namespace maillab::cli {

// Adds the options to `app` (a subcommand, or the GUI's main app). The scenario is not among
// them: each program takes it as its own positional argument.
void add_serve_options(CLI::App& app, world::serve_options& opts);

// After parsing: with a scenario, the single server's options do not apply. Throws
// std::invalid_argument naming the option.
void check_serve_options(const CLI::App& app, const world::serve_options& opts);

}  // namespace maillab::cli
