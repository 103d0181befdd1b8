// How the webmail reaches the mail servers behind it. The webmail is itself a mail client: for
// each browser request it opens its own IMAP connection (and, to send, its own authenticated
// SMTP submission connection), exactly like real webmail. Who carries those connections is not
// its business: in a scenario they are in-memory links on the virtual clock, under
// `maillab serve` real TCP connections (sim/world/webmail_legs.hpp implements both through
// relay_environment).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/imap/command_client.hpp"
#include "sim/smtp/client_session.hpp"

namespace maillab::http {

class mail_backend {
public:
    using imap_done = std::function<void(const imap::command_result&)>;
    using smtp_done = std::function<void(const smtp::client_result&)>;

    virtual ~mail_backend() = default;

    // Runs the IMAP job on a new connection; `cause` is the HTTP request it serves (the leg's
    // events point at it). `done` runs once, after the connection ended, also when it could not
    // be made (result.error says why).
    virtual void run_imap(imap::command_job job, std::uint64_t cause, imap_done done) = 0;
    // Submits one message (job.user and password set: AUTH) on a new connection.
    virtual void submit(smtp::client_job job, std::uint64_t cause, smtp_done done) = 0;

    // The clock the sessions expire by (virtual in a scenario, real under serve).
    virtual std::int64_t now_us() const = 0;
    // Unpredictable bytes for session and CSRF tokens (OpenSSL RAND_bytes live; a seeded
    // sequence in a scenario, so the trace stays the same every run).
    virtual std::string random_token() = 0;
    // "webmail.a.example": the host name shown in the trace and used in Message-IDs.
    virtual const std::string& host_name() const = 0;
    // The servers, for the trace's words ("IMAP to mail.a.example").
    virtual const std::string& imap_server() const = 0;
    virtual const std::string& submission_server() const = 0;
};

}  // namespace maillab::http
