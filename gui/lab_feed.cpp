#include <fstream>
#include <ostream>

#include "gui/app.hpp"
#include "gui/lab_state.hpp"
#include "sim/lab/lab_loader.hpp"

namespace maillab::gui {

bool looks_like_lab(const std::string& path) {
    std::ifstream in(path);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    return head.find("\"maillab_lab\"") != std::string::npos;
}

namespace {

// The lab's trace as the model: loaded whole when the runner made a new one (the start, a
// retry), appended to otherwise, so the cursor follows the newest event as in a live session.
void sync_model(app_state& app) {
    lab_panel_state& lab = *app.lab;
    const lab::lab_session& session = lab.runner->session();
    const auto& events = session.events();
    if (lab.generation_seen != lab.runner->generation() || app.model.size() > events.size()) {
        lab.generation_seen = lab.runner->generation();
        std::string source = app.source;
        app.load(view::trace_model(session.header(), events), source);
        if (!app.model.empty()) app.set_cursor(app.model.size() - 1);
        return;
    }
    if (events.size() > app.model.size())
        app.append_live(std::vector<event>(events.begin() + static_cast<std::ptrdiff_t>(app.model.size()), events.end()));
}

}  // namespace

void open_lab(app_state& app, const std::string& path) {
    auto fresh = std::make_unique<lab_panel_state>();
    fresh->path = path;
    fresh->spec = std::make_unique<lab::lab_spec>(lab::load_lab_file(path));
    fresh->runner = std::make_unique<lab::lab_runner>(*fresh->spec);
    app.lab = std::move(fresh);
    app.load(view::trace_model(app.lab->runner->session().header(), app.lab->runner->session().events()), path);
    app.lab->generation_seen = app.lab->runner->generation();
    if (!app.model.empty()) app.set_cursor(app.model.size() - 1);
}

std::string lab_texts(const lab::lab_spec& l) {
    std::string all = "•✓·—（）：，。" + l.title.zh;
    for (const auto& g : l.goals) all += g.zh;
    for (const auto& st : l.steps) {
        all += st.title.zh + st.instructions.zh;
        for (const auto& cp : st.checkpoints) all += cp.title.zh;
        for (const auto& h : st.hints) all += h.text.zh;
        for (const auto& q : st.questions) {
            all += q.prompt.zh + q.explanation.zh;
            for (const auto& [id, text] : q.choices) all += text.zh;
            for (const auto& h : q.hints) all += h.text.zh;
        }
    }
    // The runner's own sentences (sim/lab/lab_runner.cpp).
    all += "步骤问题正确不对提示通过失败检查点全部重来跳过此题得分结束未知命令还没有先用你是连接到端口输入命令运行器列出答案";
    return all;
}

void enter_lab_line(app_state& app, const std::string& line) {
    if (!app.lab) return;
    app.lab->runner->enter(line);
    if (!line.empty() && (app.lab->history.empty() || app.lab->history.back() != line)) app.lab->history.push_back(line);
    app.lab->history_pos = -1;
    sync_model(app);
}

void pump_lab(app_state& app, std::ostream& progress) {
    if (!app.lab) return;
    lab_panel_state& lab = *app.lab;
    if (!lab.scripted.empty()) {
        std::string line = std::move(lab.scripted.front());
        lab.scripted.pop_front();
        enter_lab_line(app, line);
    }
    sync_model(app);
    const auto& lines = lab.runner->lines();
    for (; lab.lines_reported < lines.size(); ++lab.lines_reported) {
        const auto& l = lines[lab.lines_reported];
        using kind = lab::runner_line::kind;
        if (l.what == kind::passed || l.what == kind::failed || l.what == kind::heading || l.what == kind::right ||
            l.what == kind::wrong)
            progress << "lab: " << l.text.en << '\n';
    }
    progress.flush();
}

}  // namespace maillab::gui
