// maillab: the command. `maillab run` prints the annotated classroom demo; `maillab serve`
// runs the protocol servers on real sockets for real clients.

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include "cli/commands.hpp"

namespace maillab::cli {
bool stdout_wants_color() {
    const char* no_color = std::getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color);
}
}  // namespace maillab::cli

int main(int argc, char** argv) {
    CLI::App app{"maillab: see how e-mail really moves (SMTP, POP3, IMAP, MIME, webmail)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("maillab 0.1.0"));
    auto run = maillab::cli::add_run_command(app);
    auto serve = maillab::cli::add_serve_command(app);
    auto mime = maillab::cli::add_mime_command(app);
    auto compose = maillab::cli::add_compose_command(app);
    auto import_capture = maillab::cli::add_import_command(app);
    auto replay = maillab::cli::add_replay_command(app);
    auto annotate = maillab::cli::add_annotate_command(app);
    auto export_ = maillab::cli::add_export_command(app);
    auto whatif = maillab::cli::add_whatif_command(app);
    auto lab = maillab::cli::add_lab_command(app);
    auto class_ = maillab::cli::add_class_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        if (app.got_subcommand("run")) return run();
        if (app.got_subcommand("serve")) return serve();
        if (app.got_subcommand("mime")) return mime();
        if (app.got_subcommand("compose")) return compose();
        if (app.got_subcommand("import")) return import_capture();
        if (app.got_subcommand("replay")) return replay();
        if (app.got_subcommand("annotate")) return annotate();
        if (app.got_subcommand("export")) return export_();
        if (app.got_subcommand("whatif")) return whatif();
        if (app.got_subcommand("lab")) return lab();
        if (app.got_subcommand("class")) return class_();
    } catch (const std::exception& e) {
        std::cerr << "maillab: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
