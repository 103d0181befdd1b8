#include "gui/world_views.hpp"

#include <algorithm>

namespace maillab::gui {

std::optional<main_view> main_view_from_name(std::string_view name) {
    if (name == "sequence") return main_view::sequence;
    if (name == "topology") return main_view::topology;
    if (name == "mailboxes") return main_view::mailboxes;
    if (name == "side-by-side") return main_view::side_by_side;
    if (name == "what-if") return main_view::what_if;
    return std::nullopt;
}

const char* main_view_title(main_view view) {
    switch (view) {
        case main_view::sequence:
            return "Sequence diagram";
        case main_view::topology:
            return "Topology";
        case main_view::mailboxes:
            return "Mailboxes";
        case main_view::side_by_side:
            return "Side by side";
        case main_view::what_if:
            return "What if";
    }
    return "Sequence diagram";
}

void world_views::reset() {
    textures.release();
    main_view keep = view;
    bool requested = view_requested;
    *this = world_views{};
    // The tab the user was looking at stays; only what belongs to the old trace goes.
    view = keep;
    view_requested = requested;
}

void world_views::follow_growth(const view::trace_model& model) {
    // A trace that grows (a live run) makes the whole-trace models stale.
    if (model.size() == built_for_size_) return;
    topology_.reset();
    connections_.reset();
    has_queue_.reset();
    activity_cursor_ = mailboxes_cursor_ = SIZE_MAX;
    lanes_for_.reset();
    summaries_for_.reset();
    built_for_size_ = model.size();
}

const view::topology& world_views::topology(const view::trace_model& model) {
    follow_growth(model);
    if (!topology_) topology_ = view::topology::build(model);
    return *topology_;
}

const std::vector<view::connection_info>& world_views::connections(const view::trace_model& model) {
    follow_growth(model);
    if (!connections_) connections_ = view::list_connections(model);
    return *connections_;
}

bool world_views::has_queue(const view::trace_model& model) {
    follow_growth(model);
    if (!has_queue_)
        has_queue_ = std::any_of(model.events().begin(), model.events().end(),
                                 [](const event& e) { return e.kind == event_kind::queue; });
    return *has_queue_;
}

const std::vector<view::user_mail>& world_views::mailboxes(const view::trace_model& model,
                                                           std::size_t cursor) {
    follow_growth(model);
    history_.update(model);
    if (cursor != mailboxes_cursor_) {
        mailboxes_ = history_.at(model, cursor);
        mailboxes_cursor_ = cursor;
    }
    return mailboxes_;
}

const std::vector<view::queue_entry>& world_views::queue(const view::trace_model& model,
                                                         std::size_t cursor) {
    follow_growth(model);
    return queue_.at(model, cursor);
}

const std::vector<view::host_activity>& world_views::activity(const view::trace_model& model,
                                                              std::size_t cursor) {
    follow_growth(model);
    if (cursor != activity_cursor_) {
        activity_ = view::activity_at(model, topology(model), cursor);
        activity_cursor_ = cursor;
    }
    return activity_;
}

const std::vector<view::lane_row>& world_views::lanes(const view::trace_model& model) {
    follow_growth(model);
    auto wanted = std::make_tuple(left_conn, right_conn, clock);
    if (lanes_for_ != wanted) {
        lanes_ = view::align_lanes(model, left_conn, right_conn, clock);
        lanes_for_ = wanted;
    }
    return lanes_;
}

const std::pair<view::lane_summary, view::lane_summary>& world_views::lane_summaries(
    const view::trace_model& model, std::size_t cursor) {
    follow_growth(model);
    auto wanted = std::make_tuple(left_conn, right_conn, cursor);
    if (summaries_for_ != wanted) {
        summaries_ = {view::summarize_lane(model, left_conn, cursor),
                      view::summarize_lane(model, right_conn, cursor)};
        summaries_for_ = wanted;
    }
    return summaries_;
}

void world_views::follow(const view::trace_model& model, const std::string& message_id) {
    path = message_id.empty() ? view::mail_path{} : view::follow_mail(model, message_id);
}

void world_views::show_message(const view::trace_model& model, std::size_t source_event) {
    if (shown && shown->source_event == source_event) return;
    if (source_event >= model.size() || !model.at(source_event).raw) return;
    shown.emplace();
    shown->source_event = source_event;
    shown->message = std::make_unique<mime::message>(*model.at(source_event).raw);
    shown->parts = view::flatten_parts(*shown->message);
    std::size_t part = 0;
    for (std::size_t i = 0; i < shown->parts.size(); ++i)
        if (!requested_part.empty() && shown->parts[i].number == requested_part) part = i;
    requested_part.clear();  // asked for once (--part), not for every message opened later
    select_part(part);
}

void world_views::select_part(std::size_t index) {
    if (!shown || index >= shown->parts.size()) return;
    shown->selected_part = index;
    shown->lines = view::source_lines(*shown->message, shown->parts[index].part);
    shown->scroll_to_part = true;
}

}  // namespace maillab::gui
