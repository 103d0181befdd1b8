// Loads a lab file (docs/lab-format.md) and checks it all before anything runs, the way the
// scenario loader does: every mistake is a file_format_error with file:line:col and the path; a
// key the format does not know is an error; and a checkpoint that names something the lab's
// trace cannot contain (a protocol no host of its scenario speaks, a verb the server does not
// know, a state its machine does not have, an explanation key that does not exist, a host that
// is not in the scenario) is an error at the place that names it.
#pragma once

#include <string>

#include "sim/core/strict_json.hpp"
#include "sim/lab/lab.hpp"

namespace maillab::lab {

constexpr int lab_format_version = 1;
constexpr int attempt_format_version = 1;

lab_spec load_lab_file(const std::string& path);
// `file` names the text in messages and locates a scenario given by path.
lab_spec load_lab_text(const std::string& file, const std::string& text);

// An attempt file (what `maillab lab` saves, or a scripted attempt for --attempt):
// {"maillab_lab_attempt": 1, "lab": "labs/x.json", "student": "...", "steps": [...]}.
// Its steps and answers are checked against `l`.
struct attempt_file {
    std::string lab_path;  // as written in the file ("" if absent)
    attempt_script script;
};
// Reads only the "lab" key, to find the lab an attempt belongs to.
std::string attempt_lab_path(const std::string& path);
attempt_file load_attempt_file(const std::string& path, const lab_spec& l);
attempt_file load_attempt_text(const std::string& file, const std::string& text, const lab_spec& l);

// The canonical form of an answer: trimmed, lower case, runs of white space made one space.
std::string normalise_answer(std::string_view text);

}  // namespace maillab::lab
