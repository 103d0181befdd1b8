// The state of the whole-world views (topology, mailboxes with their MIME view, side by side,
// follow one mail) in one place, beside app_state: what the user chose in them, and the models
// from sim/view they draw, rebuilt when the trace is loaded or the cursor moves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "gui/textures.hpp"
#include "sim/mime/message.hpp"
#include "sim/view/connections.hpp"
#include "sim/view/mail_path.hpp"
#include "sim/view/mailbox_state.hpp"
#include "sim/view/mime_view.hpp"
#include "sim/view/relay_queue.hpp"
#include "sim/view/side_by_side.hpp"
#include "sim/view/topology.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::gui {

// The tabs of the main view area.
enum class main_view { sequence, topology, mailboxes, side_by_side, what_if };
std::optional<main_view> main_view_from_name(std::string_view name);  // "topology", "what-if", ...
const char* main_view_title(main_view view);                          // English; tr() translates it

// A message in a mailbox, by where it is (it is looked up again at every cursor).
struct mail_ref {
    std::string host, user, folder;
    std::uint32_t uid = 0;
    bool operator==(const mail_ref&) const = default;
};

// The message shown in the MIME view, parsed once.
struct shown_message {
    std::size_t source_event = 0;  // the event whose raw bytes it is
    std::unique_ptr<mime::message> message;
    std::vector<view::mime_node> parts;
    std::vector<view::source_line> lines;  // for the selected part
    std::size_t selected_part = 0;         // index into parts
    bool scroll_to_part = false;
};

struct world_views {
    main_view view = main_view::sequence;
    bool view_requested = false;  // select `view`'s tab on the next frame (--view, a button)

    // Mailboxes and MIME.
    mail_ref selected_mail;
    std::string requested_part;  // an IMAP part number to select when the message opens
    std::optional<shown_message> shown;

    // Side by side.
    std::uint64_t left_conn = 0, right_conn = 0;
    view::lane_clock clock = view::lane_clock::from_start;
    std::size_t lanes_cursor = SIZE_MAX;  // the cursor the lanes last scrolled to

    // Follow one mail.
    view::mail_path path;

    // The relay queue entry drawn in the state panel (host and queue id); none: the latest.
    std::optional<std::pair<std::string, std::uint64_t>> queue_entry;

    texture_cache textures;

    // Everything back to the start, for a newly loaded trace.
    void reset();
    // Models of the whole trace, built on first use and again when the trace grows.
    const view::topology& topology(const view::trace_model& model);
    const std::vector<view::connection_info>& connections(const view::trace_model& model);
    bool has_queue(const view::trace_model& model);
    // Models at the cursor, rebuilt when it moves.
    const std::vector<view::user_mail>& mailboxes(const view::trace_model& model,
                                                  std::size_t cursor);
    const std::vector<view::queue_entry>& queue(const view::trace_model& model, std::size_t cursor);
    const std::vector<view::host_activity>& activity(const view::trace_model& model,
                                                     std::size_t cursor);
    // The side-by-side rows of left_conn and right_conn on `clock`, and what each lane did up to
    // the cursor; rebuilt when the choice or the cursor changes, not every frame.
    const std::vector<view::lane_row>& lanes(const view::trace_model& model);
    const std::pair<view::lane_summary, view::lane_summary>& lane_summaries(
        const view::trace_model& model, std::size_t cursor);

    void follow(const view::trace_model& model, const std::string& message_id);
    bool following() const { return !path.empty(); }
    bool in_followed_mail(std::size_t event_index) const { return path.contains(event_index); }
    // Opens the message stored by `source_event` in the MIME view (no-op if already shown).
    void show_message(const view::trace_model& model, std::size_t source_event);
    void select_part(std::size_t index);

  private:
    void follow_growth(const view::trace_model& model);

    std::size_t built_for_size_ = 0;
    std::optional<view::topology> topology_;
    std::optional<std::vector<view::connection_info>> connections_;
    std::optional<bool> has_queue_;
    view::mailbox_history history_;
    std::size_t mailboxes_cursor_ = SIZE_MAX;
    std::vector<view::user_mail> mailboxes_;
    view::queue_tracker queue_;  // asked every frame: answers from its last answer
    std::size_t activity_cursor_ = SIZE_MAX;
    std::vector<view::host_activity> activity_;
    std::optional<std::tuple<std::uint64_t, std::uint64_t, view::lane_clock>> lanes_for_;
    std::vector<view::lane_row> lanes_;
    std::optional<std::tuple<std::uint64_t, std::uint64_t, std::size_t>> summaries_for_;
    std::pair<view::lane_summary, view::lane_summary> summaries_;
};

}  // namespace maillab::gui
