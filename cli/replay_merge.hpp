// `maillab replay --attach [TOKEN@]ADDR:PORT ...` and `maillab replay A.jsonl B.jsonl`: the
// class network's merged view in the terminal (sim/record/merged_follow, trace_merge). Live
// sources print the merged transcript as it happens until Ctrl-C or until every publisher has
// gone; files only are merged at once and replayed like one recording.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/record/merged_follow.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/transcript.hpp"

namespace maillab::cli {

struct merge_options {
    std::vector<std::string> attach;         // [TOKEN@]ADDR:PORT
    std::string token;                       // for the --attach without TOKEN@
    std::vector<std::string> clock_offsets;  // HOST=MS
    std::string record_path;                 // --record FILE
    double hold_s = 1.0;
    bool reconnect = false;                  // --reconnect
};

void add_merge_options(CLI::App& cmd, merge_options& opts);

// The sources as merged_follow takes them. Throws std::invalid_argument naming the option.
merged_follow_options follow_options(const merge_options& opts,
                                     const std::vector<std::string>& files);

// Files only: reads and merges them, prints each source with its offset, writes --record.
trace_file merge_files(const merge_options& opts, const std::vector<std::string>& files,
                       bool zh);

// With live sources: prints the merged transcript as it comes and records it. Returns the exit
// code: 0, or 1 when no source could be followed at all. Only the events `shown` accepts are
// printed (the --proto, --host ... filters); the recording gets all of them.
int follow_merged(const merge_options& opts, const std::vector<std::string>& files,
                  transcript_options topts, const std::function<bool(const event&)>& shown);

}  // namespace maillab::cli
