// `maillab serve --publish-trace [ADDR:]PORT --trace-token T --trace-token-file F`: the options
// and what serve does with them (sim/record/trace_publisher does the publishing).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>

#include "sim/record/trace_publisher.hpp"

namespace maillab::cli {

struct trace_publishing_options {
    std::string where;       // [ADDR:]PORT; empty: not published
    std::string token;       // empty: a random one
    std::string token_file;  // empty: not written
};

void add_trace_publishing_options(CLI::App& cmd, trace_publishing_options& opts);

// Binds the port and subscribes to `t` (null when nothing is to be published). `default_bind`
// is serve's --bind, used when only a PORT is given; `host_name` names this machine's trace.
// Prints the address and the token to `out` and writes the token file. Throws
// std::invalid_argument for a bad [ADDR:]PORT, std::runtime_error for a port that cannot be
// bound or a token file that cannot be written.
std::unique_ptr<trace_publisher> start_trace_publishing(const trace_publishing_options& opts,
                                                        boost::asio::io_context& io, trace& t,
                                                        const std::string& default_bind,
                                                        const std::string& host_name,
                                                        std::ostream& out);

}  // namespace maillab::cli
