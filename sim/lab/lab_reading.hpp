// The lab loader's shared readers (internal to sim/lab): the helpers every part of a lab file
// needs, the question and hint reader (lab_question_reader.cpp) and the attempt-script reader
// (lab_attempt_reader.cpp: solutions, wrong attempts and saved attempt files). lab_loader.cpp
// reads the rest (steps, roles, checkpoints and their checks against the scenario). Every error
// is a file_format_error at the value's line and column.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "sim/core/strict_json.hpp"
#include "sim/lab/lab.hpp"

namespace maillab::lab::reading {

std::string read_file(const std::string& path, const char* what);
bilingual read_bilingual(const json_value& v);
std::string join(const std::vector<std::string>& items);
// An id: lower-case letters, digits, - and _.
void check_id(const json_value& v, const std::string& id);
// Fails at the value of `key` in `object`.
void fail_at_key(const json_value& object, const std::string& key, const std::string& message);
// The states of a server or client machine ({} if there is no such machine), and every name.
std::vector<std::string> machine_states(const std::string& machine);
std::vector<std::string> machine_names();

std::vector<hint> read_hints(const json_value& list);
question read_question(const json_value& v);
// {"student"?, "steps": [...]} checked against `l` (steps in the lab's order, known questions).
attempt_script read_script(const json_value& v, const lab_spec& l, const std::set<std::string>& extra_keys = {});

}  // namespace maillab::lab::reading
