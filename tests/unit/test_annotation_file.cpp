#include "sim/record/annotation_file.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include "sim/record/trace_io.hpp"
#include "sim/world/builtin_demo.hpp"

using namespace maillab;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
    fs::path path = fs::temp_directory_path() / ("maillab-annot-" + std::to_string(::getpid()));
    temp_dir() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

template <typename F>
std::string invalid_argument_of(F f) {
    try {
        f();
    } catch (const std::invalid_argument& err) {
        return err.what();
    }
    return "(no std::invalid_argument)";
}

annotation note_on(std::uint64_t seq, std::string text) {
    annotation a;
    a.type = annotation_type::note;
    a.seq = seq;
    a.text = std::move(text);
    return a;
}
}  // namespace

TEST_CASE("annotation file: add, list, remove; atomic rewrite; ids never reused") {
    temp_dir dir;
    demo_result demo = run_builtin_demo();
    std::string path = (dir.path / "class.jsonl").string();
    write_trace_file(path, demo.header, demo.events);
    ::chmod(path.c_str(), 0640);
    std::string original = slurp(path);
    CHECK(read_trace_file(path).version == 1);

    annotation_change first = add_annotation(path, note_on(5, "first"));
    CHECK(first.changed.id == 1);
    CHECK(first.annotations.size() == 1);
    CHECK(first.warnings.empty());
    annotation bookmark;
    bookmark.type = annotation_type::bookmark;
    bookmark.seq = 20;
    bookmark.name = "POP3";
    annotation_change second = add_annotation(path, bookmark);
    CHECK(second.changed.id == 2);

    trace_file f = read_trace_file(path);
    CHECK(f.version == 2);
    CHECK(f.events == demo.events);
    REQUIRE(f.annotations.size() == 2);
    CHECK(f.annotations[0].text == "first");
    CHECK(f.annotations[1].name == "POP3");

    // The rewrite replaced the file: same permissions, no temporary file left beside it.
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
        (void)entry;
        ++files;
    }
    CHECK(files == 1);

    // Removing note 1 and adding another: the new one is 3, so "1" never names a different note.
    annotation_change removed = remove_annotation(path, 1);
    CHECK(removed.changed.text == "first");
    CHECK(removed.annotations.size() == 1);
    CHECK(add_annotation(path, note_on(6, "third")).changed.id == 3);
    remove_annotation(path, 2);
    remove_annotation(path, 3);
    // No annotations left: back to the version 1 file, byte for byte.
    CHECK(slurp(path) == original);
}

TEST_CASE("annotation file: what does not fit the file is refused, and the file is untouched") {
    temp_dir dir;
    demo_result demo = run_builtin_demo();
    std::string path = (dir.path / "class.jsonl").string();
    write_trace_file(path, demo.header, demo.events);
    std::string before = slurp(path);
    std::uint64_t last = demo.events.back().seq;

    try {
        add_annotation(path, note_on(last + 1, "nowhere"));
        FAIL("a note on a missing event was accepted");
    } catch (const std::invalid_argument& err) {
        CHECK(std::string(err.what()) ==
              path + ": no event #" + std::to_string(last + 1) + " (the file has #1 to #" +
                  std::to_string(last) + ")");
    }
    CHECK_THROWS_AS(add_annotation(path, note_on(3, "")), std::invalid_argument);
    annotation unplaced = note_on(3, "x");
    unplaced.seq.reset();
    CHECK_THROWS_AS(add_annotation(path, unplaced), std::invalid_argument);
    CHECK(invalid_argument_of([&] { remove_annotation(path, 9); }) ==
          path + ": no annotation with id 9");
    CHECK(slurp(path) == before);

    annotation view;
    view.type = annotation_type::view;
    view.name = "smtp";
    view.filter.protos = {"smtp"};
    CHECK(add_annotation(path, view).changed.id == 1);
    CHECK(invalid_argument_of([&] { add_annotation(path, view); }) ==
          path + ": there is already a view named \"smtp\" (id 1); remove it first");
    CHECK_THROWS_AS(add_annotation((dir.path / "missing.jsonl").string(), note_on(1, "x")),
                    trace_format_error);
}

TEST_CASE("annotation file: a cut-off recording is annotated, and its broken line is dropped") {
    temp_dir dir;
    demo_result demo = run_builtin_demo();
    std::string path = (dir.path / "cut.jsonl").string();
    {
        std::ofstream out(path, std::ios::binary);
        out << header_line(demo.header) << '\n';
        for (std::size_t i = 0; i < 10; ++i) out << event_line(demo.events[i]) << '\n';
        out << event_line(demo.events[10]).substr(0, 20);  // the crash
    }
    annotation_change c = add_annotation(path, note_on(10, "the last event before the crash"));
    REQUIRE(c.warnings.size() == 1);
    CHECK(c.warnings[0] == path + ":12: last line is incomplete (recording cut off?); it was skipped");
    trace_file f = read_trace_file(path);
    CHECK(f.warnings.empty());  // written back whole
    CHECK(f.events.size() == 10);
    CHECK(f.annotations.size() == 1);
}
