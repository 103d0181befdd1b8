// The trace as plain text in the style of RFC 5321 appendix D: one section per connection,
// headed by its two hosts, protocol and port, then "C: " lines for what the client sent and
// "S: " lines for what the server answered, exactly as they crossed the wire (line ends left
// out, dot-stuffing and literals kept), with the state changes as "   [server state A -> B]",
// maillab's notes as "   * ..." and the teacher's annotations as "   >> ...". Events of no
// connection (DNS, the relay queue, the scenario's steps) stand between the sections at their
// place in time. For handouts, exam questions and the appendix of a lab report.
#pragma once

#include <cstddef>
#include <ostream>

#include "sim/export/export_source.hpp"

namespace maillab::exporting {

struct rfc_transcript_options {
    // A longer message text or multi-line reply (DATA, a POP3 RETR, an IMAP literal) shows its
    // first lines, "... N more lines" and its final line.
    std::size_t max_message_lines = 24;
};

void write_rfc_transcript(const export_source& src, std::ostream& out,
                          const rfc_transcript_options& options = {});

}  // namespace maillab::exporting
