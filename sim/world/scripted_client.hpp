// A client that does exactly what a script of lines says, no more: the way the seed's SMTPDemo
// and POP3Demo (seed 003) or a student at telnet talk to a server. Steps:
//   "<"      read one line (and print nothing: the server's reply is traced by the server)
//   "<."     read lines up to and including a lone "." (a POP3 multi-line answer)
//   ">text"  send text and the line end ("\r\n", or "\n" as Java's println does on Linux)
// Sends never wait for anything but the reads before them, so "data" followed at once by the
// message lines (as SMTPDemo does, without reading the 354) is reproduced faithfully. After the
// last step the client closes the connection, whatever state the server is in.
#pragma once

#include <string>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"

namespace maillab::world {

class scripted_client final : public protocol_session {
public:
    scripted_client(std::vector<std::string> steps, std::string line_end,
                    connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info&) override {}
    void connection_lost() override;
    std::string take_output() override { return std::exchange(out_, {}); }
    bool wants_tls() const override { return false; }
    bool wants_close() const override { return want_close_; }

    bool completed() const { return next_ == steps_.size(); }
    const std::vector<std::string>& lines_read() const { return lines_read_; }

private:
    void advance();

    std::vector<std::string> steps_;
    std::string line_end_;
    connection_tracer& tracer_;
    std::size_t next_ = 0;
    std::string buffer_;
    std::vector<std::string> lines_read_;
    std::string out_;
    bool want_close_ = false;
    bool lost_ = false;
};

}  // namespace maillab::world
