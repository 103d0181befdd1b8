// The mailboxes as they are at the cursor: every user of every server host, their folders and
// the messages in them with their flags, rebuilt from the trace's store events (deliver, append,
// flags, expunge; docs/trace-format.md). The panel never looks into a live store (STYLE.md 9), so
// stepping back un-delivers, un-flags and un-expunges, and a recording shows what a live run did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/view/trace_model.hpp"

namespace maillab::view {

struct stored_mail {
    std::uint32_t uid = 0;
    std::set<std::string> flags;  // "\\Seen", "\\Deleted", ...
    std::size_t size = 0;
    std::string message_id;
    std::string subject;  // decoded (RFC 2047), UTF-8
    std::string from;     // decoded
    // The event whose raw bytes are this message (its deliver or append); none for a COPY in a
    // trace that does not say where the copy came from.
    std::optional<std::size_t> source_event;
    std::size_t added_event = 0;
    std::size_t changed_event = 0;  // the last event that changed it (added, flags)
};

struct mail_folder {
    std::string name;
    std::vector<stored_mail> messages;  // ascending UID
};

struct user_mail {
    std::string host;  // the server that keeps the mailbox
    std::string user;
    std::vector<mail_folder> folders;  // INBOX first, then in order of first use

    const mail_folder* folder(std::string_view name) const;
    std::size_t message_count() const;
};

// "(\\Seen \\Flagged)" -> {"\\Seen", "\\Flagged"}
std::set<std::string> parse_flag_list(std::string_view list);

// Where an IMAP COPY (a store "append" without bytes) took its message from. The store event
// names only the target: the source UID is in its text ("copied UID 2 to Trash as UID 1"), the
// source mailbox is the one its connection selected last. nullopt when the trace cannot tell.
struct copy_origin {
    std::string mailbox;
    std::uint32_t uid = 0;
};
std::optional<copy_origin> copy_source(const trace_model& model, std::size_t store_event);

// The store events of a trace with what the panel shows of each message (subject, sender),
// parsed once; at() replays them up to a cursor.
class mailbox_history {
  public:
    // Looks only at events appended since the last call.
    void update(const trace_model& model);

    // Users in order of first appearance, at the cursor (events after it have not happened).
    std::vector<user_mail> at(const trace_model& model, std::size_t cursor) const;

    const std::vector<std::size_t>& store_events() const { return store_events_; }

  private:
    struct summary {
        std::string subject, from, message_id;
        std::set<std::string> flags;  // an APPEND's flags, read from its command
        // An IMAP COPY: where the message came from (its connection's selected mailbox).
        std::string copied_from_mailbox;
        std::uint32_t copied_from_uid = 0;
    };
    std::size_t scanned_ = 0;
    std::vector<std::size_t> store_events_;
    std::vector<summary> summaries_;  // parallel to store_events_
};

}  // namespace maillab::view
