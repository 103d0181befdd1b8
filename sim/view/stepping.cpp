#include "sim/view/stepping.hpp"

namespace maillab::view {

std::size_t step(const trace_model& model, std::size_t cursor, int direction, step_unit unit) {
    if (model.empty()) return 0;
    if (cursor >= model.size()) cursor = model.size() - 1;
    auto wanted = [&](const event& e) {
        switch (unit) {
            case step_unit::event: return true;
            case step_unit::exchange: return e.kind == event_kind::reply;
            case step_unit::connection: return e.conn != 0 && e.conn == model.at(cursor).conn;
        }
        return true;
    };
    if (direction > 0) {
        for (std::size_t i = cursor + 1; i < model.size(); ++i)
            if (wanted(model.at(i))) return i;
    } else {
        for (std::size_t i = cursor; i-- > 0;)
            if (wanted(model.at(i))) return i;
    }
    return cursor;
}

}  // namespace maillab::view
