// The teacher's side of `maillab lab`: `lab grade ATTEMPT... | DIR` grades saved attempts (each
// run again from its input; JSON and Markdown reports, a summary for a folder), and `lab check
// LAB...` proves a lab: its solution passes everything, and each wrong attempt fails exactly the
// checkpoints and questions it names.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/lab_options.hpp"
#include "sim/lab/grading.hpp"
#include "sim/lab/lab_loader.hpp"

namespace maillab::cli {

namespace fs = std::filesystem;
using namespace maillab::lab;
using lab_file = maillab::lab::lab_spec;

void write_text(const std::string& path, const std::string& text) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("{}: cannot write", path));
        out << text;
        if (!out.flush()) throw std::runtime_error(fmt::format("{}: cannot write", path));
    }
    fs::rename(tmp, path);
}

namespace {

// The lab an attempt file belongs to: --lab, else its "lab" key (as given, else next to it).
std::string lab_for_attempt(const std::string& attempt, const std::string& override_lab) {
    if (!override_lab.empty()) return override_lab;
    std::string path = attempt_lab_path(attempt);
    if (path.empty())
        throw std::runtime_error(fmt::format("{}: the attempt does not say which lab it is (\"lab\"); give --lab", attempt));
    if (fs::exists(path)) return path;
    fs::path beside = fs::path(attempt).parent_path() / path;
    if (fs::exists(beside)) return beside.string();
    throw std::runtime_error(fmt::format("{}: cannot find its lab \"{}\"; give --lab", attempt, path));
}

bool is_attempt_file(const fs::path& p) {
    if (p.extension() != ".json") return false;
    std::ifstream in(p);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    return head.find("\"maillab_lab_attempt\"") != std::string::npos;
}

}  // namespace

int grade_attempts(const lab_options& o) {
    std::vector<std::string> files;
    for (const auto& in : o.grade_inputs) {
        if (fs::is_directory(in)) {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(in))
                if (entry.is_regular_file() && is_attempt_file(entry.path())) found.push_back(entry.path().string());
            std::sort(found.begin(), found.end());
            if (found.empty()) throw std::runtime_error(fmt::format("{}: no attempt files (*.json with \"maillab_lab_attempt\")", in));
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.push_back(in);
        }
    }
    auto lang = *language_from_string(o.lang);
    std::map<std::string, std::unique_ptr<lab_file>> labs;
    std::vector<std::pair<std::string, nlohmann::json>> reports;
    for (const auto& file : files) {
        std::string lab_path = lab_for_attempt(file, o.grade_lab);
        auto& l = labs[lab_path];
        if (!l) l = std::make_unique<lab_file>(load_lab_file(lab_path));
        attempt_file a = load_attempt_file(file, *l);
        nlohmann::json report = grade_attempt(*l, a.script);
        fs::path out_dir = o.out_dir.empty() ? fs::path(file).parent_path() : fs::path(o.out_dir);
        if (!o.out_dir.empty()) fs::create_directories(out_dir);
        std::string stem = fs::path(file).stem().string();
        write_text((out_dir / (stem + ".report.json")).string(), report.dump(2) + "\n");
        write_text((out_dir / (stem + ".report.md")).string(), report_markdown(report, lang));
        std::cout << fmt::format("{}: {} / {}{}\n", file, report["score"]["passed"].get<std::size_t>(),
                                 report["score"]["total"].get<std::size_t>(),
                                 report["complete"].get<bool>() ? " (complete)" : "");
        reports.emplace_back(fs::path(file).filename().string(), std::move(report));
    }
    if (!o.out_dir.empty() && reports.size() > 1) {
        write_text((fs::path(o.out_dir) / "summary.md").string(), summary_markdown(reports));
        nlohmann::json all = nlohmann::json::array();
        for (const auto& [file, r] : reports) all.push_back({{"attempt", file}, {"report", r}});
        write_text((fs::path(o.out_dir) / "summary.json").string(), all.dump(2) + "\n");
    }
    return 0;
}

int check_labs(const lab_options& o) {
    bool ok = true;
    for (const auto& path : o.check_labs) {
        lab_file l = load_lab_file(path);
        if (!l.solution) {
            std::cout << fmt::format("{}: [FAIL] no solution\n", path);
            ok = false;
            continue;
        }
        auto failed = failed_items(grade_attempt(l, *l.solution));
        if (failed.empty()) {
            std::cout << fmt::format("{}: [ok]   the solution passes every checkpoint and question\n", path);
        } else {
            ok = false;
            std::string list;
            for (const auto& f : failed) list += (list.empty() ? "" : ", ") + f;
            std::cout << fmt::format("{}: [FAIL] the solution fails {}\n", path, list);
        }
        for (const auto& w : l.wrong_attempts) {
            auto got = failed_items(grade_attempt(l, w.script));
            std::set<std::string> want(w.fails.begin(), w.fails.end()), have(got.begin(), got.end());
            if (want == have) {
                std::cout << fmt::format("{}: [ok]   wrong attempt \"{}\" fails exactly: {}\n", path, w.name,
                                         fmt::join(got, ", "));
            } else {
                ok = false;
                std::cout << fmt::format("{}: [FAIL] wrong attempt \"{}\" should fail [{}] but fails [{}]\n", path,
                                         w.name, fmt::join(w.fails, ", "), fmt::join(got, ", "));
            }
        }
    }
    return ok ? 0 : 1;
}

}  // namespace maillab::cli
