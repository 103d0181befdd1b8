// What `maillab lab` was asked (lab_command.cpp reads the options) and what its jobs share:
// the student's runner (lab_command.cpp, its console in lab_console.hpp) and the teacher's
// commands `lab grade` and `lab check` (lab_teacher_commands.cpp).
#pragma once

#include <string>
#include <vector>


namespace maillab::cli {

struct lab_options {
    std::string lab_path;
    std::string lang = "en";
    bool solution = false;
    std::string wrong;
    std::string attempt_path;
    std::string save_path;
    std::string resume_path;
    std::string student;
    std::string report_path;
    bool no_explain = false;
    bool serve = false;
    int base_port = 0;
    // grade
    std::vector<std::string> grade_inputs;
    std::string out_dir;
    std::string grade_lab;
    // check
    std::vector<std::string> check_labs;
};

// Writes `text` whole to a temporary name, then renames it: a crash never leaves half a file.
void write_text(const std::string& path, const std::string& text);

// `maillab lab grade ATTEMPT... | DIR`: a report per attempt, a summary for a folder.
int grade_attempts(const lab_options& o);
// `maillab lab check LAB...`: each solution passes, each wrong attempt fails what it names.
int check_labs(const lab_options& o);

}  // namespace maillab::cli
