// libFuzzer target: the trace loader (sim/record/trace_io's read_trace) on any bytes, as
// `maillab replay`, `export` and the GUI open a recording someone handed them; what it loads
// is written out again as the recorder and `maillab annotate` would, and then shown the way
// they show it: the annotated transcript, the RFC transcript, the sequence diagram as SVG and
// HTML, and the GUI's views (topology, connections, mailboxes, relay queue, state machines,
// mail path, side by side, sequence layout). A loaded file may carry fields of any type
// ("tls": "yes", "size": 1e69): the views must ignore what they cannot use. A damaged file is
// refused with a trace_format_error naming the line, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "sim/export/diagram_model.hpp"
#include "sim/export/export_source.hpp"
#include "sim/export/html_export.hpp"
#include "sim/export/rfc_transcript.hpp"
#include "sim/export/svg_export.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/transcript.hpp"
#include "sim/view/connections.hpp"
#include "sim/view/machine_status.hpp"
#include "sim/view/mail_path.hpp"
#include "sim/view/mailbox_state.hpp"
#include "sim/view/relay_queue.hpp"
#include "sim/view/sequence_layout.hpp"
#include "sim/view/side_by_side.hpp"
#include "sim/view/topology.hpp"
#include "sim/view/trace_model.hpp"

namespace {

void show_in_terminal(const maillab::trace_file& file) {
    std::ostringstream out;
    maillab::transcript_printer printer(out, {});
    for (const auto& e : file.events) printer.print(e);
}

void export_everything(const maillab::trace_file& file) {
    using namespace maillab::exporting;
    export_source src;
    try {
        src = make_export_source(file, {}, maillab::language::en);
    } catch (const std::invalid_argument&) {
        return;  // nothing left to export: the command says so
    }
    std::ostringstream out;
    write_rfc_transcript(src, out);
    diagram d = build_diagram(src);
    write_svg(d, src, {}, out);
    write_html(d, src, out);
}

void show_in_gui_views(const maillab::trace_file& file) {
    using namespace maillab::view;
    trace_model model(file.header, file.events);
    std::size_t last = model.size() - 1;
    auto topo = topology::build(model);
    (void)activity_at(model, topo, last);
    for (std::size_t i = 0; i < model.size(); ++i) (void)topo.hop_of(model, i);
    auto conns = list_connections(model);
    mailbox_history mailboxes;
    mailboxes.update(model);
    (void)mailboxes.at(model, last);
    for (std::size_t i : mailboxes.store_events()) (void)copy_source(model, i);
    (void)queue_at(model, last);
    (void)machines_at(model, last);
    for (const auto& id : message_ids(model)) (void)follow_mail(model, id);
    auto [left, right] = default_lanes(model, conns);
    (void)align_lanes(model, left, right, lane_clock::from_start);
    (void)summarize_lane(model, left, last);
    std::vector<std::size_t> all(model.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    (void)layout_sequence(model, all);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    maillab::trace_file file;
    try {
        file = maillab::read_trace(in, "fuzz.jsonl");
    } catch (const maillab::trace_format_error&) {
        return 0;  // The one expected way to refuse a file; anything else escapes and is a finding.
    }
    (void)maillab::header_line(file.header, file.version);
    for (const auto& e : file.events) (void)maillab::event_line(e);
    if (file.events.empty()) return 0;
    show_in_terminal(file);
    export_everything(file);
    show_in_gui_views(file);
    return 0;
}
