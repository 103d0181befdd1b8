// Delivery status notifications (RFC 3464, carried in multipart/report, RFC 6522): the bounce a
// relay sends back to the envelope sender when it gives up on some recipients. Text in English
// and Chinese for the classroom, the machine-readable part per RFC 3464, the original header
// (text/rfc822-headers) so the sender sees which mail it was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace maillab::smtp {

struct failed_recipient {
    std::string address;
    std::string status;       // RFC 3463 enhanced status: "5.1.1", "4.4.7"
    std::string remote_mta;   // "mx.b.example"; empty if no server was reached
    std::string diagnostic;   // the server's reply ("550 5.1.1 ... "), or why none came
};

struct bounce_request {
    std::string reporting_mta;  // this host
    std::string to;             // the original envelope sender
    std::string original_message;
    std::int64_t arrival_us = 0;
    std::int64_t now_us = 0;
    std::vector<failed_recipient> recipients;
    std::string message_id;  // of the bounce itself
};

// The complete message with CRLF line ends.
std::string build_bounce(const bounce_request& request);

}  // namespace maillab::smtp
