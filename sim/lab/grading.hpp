// Grading an attempt: the attempt's input is run again through a lab_session (the trace is made
// anew, so what counts is what the server saw, not what the file claims), and the records become
// a report, as JSON and as Markdown. The same attempt gives the same report, byte for byte.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/explain/catalog.hpp"
#include "sim/lab/lab.hpp"
#include "sim/lab/lab_session.hpp"

namespace maillab::lab {

// The report of what a session recorded. Steps not ended are "not attempted".
nlohmann::json report_json(const lab_spec& l, const std::string& student,
                           const std::vector<step_record>& records);
std::string report_markdown(const nlohmann::json& report, language lang = language::en);

// Runs `script` through a fresh session and reports.
nlohmann::json grade_attempt(const lab_spec& l, const attempt_script& script);

// "step/checkpoint" and "step/question" ids that did not pass, in lab order.
std::vector<std::string> failed_items(const nlohmann::json& report);

// What `maillab lab` saves: the ended steps' input and answers, enough to replay the attempt.
nlohmann::json attempt_json(const lab_spec& l, const std::string& lab_path, const std::string& student,
                            const std::vector<step_record>& records);

// A summary table of several reports (a teacher grading a folder).
std::string summary_markdown(const std::vector<std::pair<std::string, nlohmann::json>>& reports);

}  // namespace maillab::lab
