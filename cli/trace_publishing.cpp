#include "cli/trace_publishing.hpp"

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>

#include <fmt/format.h>

#include "sim/record/trace_stream.hpp"

namespace maillab::cli {

void add_trace_publishing_options(CLI::App& cmd, trace_publishing_options& opts) {
    cmd.add_option("--publish-trace", opts.where,
                   "Publish this session's trace, read-only, on this TCP port (0: the OS "
                   "chooses; ADDR:PORT to pick the address, else --bind's) for the teacher's "
                   "`maillab-gui --attach` / `maillab replay --attach`; a subscriber must send "
                   "the token")
        ->option_text("[ADDR:]PORT")
        ->group("Class network");
    cmd.add_option("--trace-token", opts.token,
                   "The token subscribers must send (default: a random one, printed at start)")
        ->option_text("TOKEN")
        ->group("Class network");
    cmd.add_option("--trace-token-file", opts.token_file,
                   "Also write the token to this file (readable by its owner only), for a "
                   "teacher collecting the tokens of a class")
        ->option_text("FILE")
        ->group("Class network");
}

namespace {

unsigned short parse_port(const std::string& text, const std::string& whole) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > 65535)
        throw std::invalid_argument(fmt::format(
            "--publish-trace {}: \"{}\" is not a port number (0-65535; 0 lets the OS choose)",
            whole, text));
    return static_cast<unsigned short>(value);
}

void write_token_file(const std::string& path, const std::string& token) {
    std::ofstream f(path, std::ios::trunc);
    if (!f) throw std::runtime_error(fmt::format("--trace-token-file {}: cannot write it", path));
    ::chmod(path.c_str(), S_IRUSR | S_IWUSR);  // the token is a password
    f << token << '\n';
    if (!f.flush()) throw std::runtime_error(fmt::format("--trace-token-file {}: cannot write it", path));
}

}  // namespace

std::unique_ptr<trace_publisher> start_trace_publishing(const trace_publishing_options& opts,
                                                        boost::asio::io_context& io, trace& t,
                                                        const std::string& default_bind,
                                                        const std::string& host_name,
                                                        std::ostream& out) {
    if (opts.where.empty()) {
        if (!opts.token.empty() || !opts.token_file.empty())
            throw std::invalid_argument(
                "--trace-token and --trace-token-file need --publish-trace [ADDR:]PORT");
        return nullptr;
    }
    trace_publisher_options p;
    p.bind_address = default_bind;
    if (auto colon = opts.where.rfind(':'); colon != std::string::npos) {
        p.bind_address = opts.where.substr(0, colon);
        if (p.bind_address.size() > 2 && p.bind_address.front() == '[' &&
            p.bind_address.back() == ']')
            p.bind_address = p.bind_address.substr(1, p.bind_address.size() - 2);
        p.port = parse_port(opts.where.substr(colon + 1), opts.where);
    } else {
        p.port = parse_port(opts.where, opts.where);
    }
    if (opts.token.find_first_of(" \t\r\n@") != std::string::npos)
        throw std::invalid_argument("--trace-token: a token has no spaces, line breaks or @");
    p.token = opts.token.empty() ? random_trace_token() : opts.token;
    p.host_name = host_name;
    auto publisher = std::make_unique<trace_publisher>(io, t, std::move(p));
    if (!opts.token_file.empty()) write_token_file(opts.token_file, publisher->token());
    out << fmt::format("trace published on {} (token {}); the teacher attaches with: "
                       "maillab-gui --attach {}@ADDRESS:{}\n",
                       publisher->address(), publisher->token(), publisher->token(),
                       publisher->address().substr(publisher->address().rfind(':') + 1));
    if (!opts.token_file.empty()) out << "trace token written to " << opts.token_file << '\n';
    publisher->start();
    return publisher;
}

}  // namespace maillab::cli
