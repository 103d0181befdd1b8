#include "sim/record/annotations.hpp"

#include <doctest/doctest.h>

using namespace maillab;

namespace {
annotation note(std::uint64_t id, std::uint64_t seq, std::string text, std::string zh = "") {
    annotation a;
    a.id = id;
    a.type = annotation_type::note;
    a.seq = seq;
    a.text = std::move(text);
    a.text_zh = std::move(zh);
    return a;
}

std::string error_of(const std::string& json) {
    try {
        annotation_from_json(nlohmann::json::parse(json));
    } catch (const std::invalid_argument& err) {
        return err.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("annotations: notes, bookmarks and views survive JSON and back unchanged") {
    annotation n = note(1, 14, "The server says 354: now the message text,\nending with a lone \".\"",
                        "服务器回复 354：现在发送邮件正文，以单独一行的 \".\" 结束");
    annotation b;
    b.id = 2;
    b.type = annotation_type::bookmark;
    b.seq = 40;
    b.name = "the relay starts";
    annotation v;
    v.id = 7;
    v.type = annotation_type::view;
    v.name = "SMTP commands";
    v.seq = 12;
    v.filter.protos = {"smtp"};
    v.filter.hosts = {"mail.a.example"};
    v.filter.conns = {1, 3};
    v.filter.kinds = {event_kind::command, event_kind::reply};
    v.filter.text = "rcpt";
    v.filter.from_seq = 5;
    v.filter.to_seq = 90;
    annotation bare_view;
    bare_view.id = 8;
    bare_view.type = annotation_type::view;
    bare_view.name = "everything";

    for (const annotation& a : {n, b, v, bare_view}) {
        std::string line = annotation_line(a);
        auto j = nlohmann::json::parse(line);
        CHECK(is_annotation_line(j));
        CHECK(annotation_from_json(j["annotation"]) == a);
        CHECK(annotation_line(annotation_from_json(j["annotation"])) == line);  // byte for byte
    }
    CHECK(annotation_line(b) ==
          R"({"annotation":{"id":2,"type":"bookmark","seq":40,"name":"the relay starts"}})");
    CHECK(annotation_line(v) ==
          R"({"annotation":{"id":7,"type":"view","seq":12,"name":"SMTP commands","filter":)"
          R"({"proto":["smtp"],"host":["mail.a.example"],"conn":[1,3],"kind":["command","reply"],)"
          R"("text":"rcpt","from_seq":5,"to_seq":90}}})");
    // No Chinese text: the key is left out, and the English text is shown for both languages.
    annotation plain = note(3, 2, "hello");
    CHECK(annotation_line(plain).find("text_zh") == std::string::npos);
    CHECK(plain.note_text(language::zh) == "hello");
    CHECK(n.note_text(language::zh) == n.text_zh);
    CHECK(n.note_text(language::en) == n.text);
}

TEST_CASE("annotations: a bad annotation is refused with the key named") {
    CHECK(error_of(R"({"id":1,"seq":2,"text":"x"})").find("\"type\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"sticker","seq":2})").find("\"sticker\"") != std::string::npos);
    CHECK(error_of(R"({"type":"note","seq":2,"text":"x"})").find("\"id\"") != std::string::npos);
    CHECK(error_of(R"({"id":0,"type":"note","seq":2,"text":"x"})").find("\"id\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"note","seq":-2,"text":"x"})").find("\"seq\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"note","text":"x"})").find("needs \"seq\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"note","seq":2,"text":""})").find("non-empty \"text\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"note","seq":2,"text":7})").find("\"text\" must be a string") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"bookmark","seq":2})").find("\"name\"") != std::string::npos);
    // A key that belongs to another type, or to none: a typo in a hand-edited file shows.
    CHECK(error_of(R"({"id":1,"type":"bookmark","seq":2,"name":"a","text":"x"})").find("unknown field \"text\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"note","seq":2,"txt":"x"})").find("unknown field \"txt\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"view","name":"v","filter":{"kind":["comand"]}})").find("\"comand\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"view","name":"v","filter":{"protocol":["smtp"]}})").find("\"protocol\"") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"view","name":"v","filter":{"from_seq":9,"to_seq":3}})").find("after") != std::string::npos);
    CHECK(error_of(R"({"id":1,"type":"view","name":"v","filter":[]})").find("\"filter\"") != std::string::npos);
    CHECK(error_of("[1]").find("object") != std::string::npos);
}

TEST_CASE("annotations: the index finds notes and bookmarks by event; ids grow") {
    std::vector<annotation> all = {note(1, 5, "first"), note(4, 9, "second"), note(2, 5, "third")};
    annotation b;
    b.id = 3;
    b.type = annotation_type::bookmark;
    b.seq = 9;
    b.name = "here";
    all.push_back(b);
    annotation v;
    v.id = 6;
    v.type = annotation_type::view;
    v.name = "smtp";
    v.seq = 5;  // a view's cursor is not a note on the event
    all.push_back(v);

    annotation_index index(all);
    REQUIRE(index.on(5).size() == 2);
    CHECK(index.on(5)[0]->text == "first");  // file order
    CHECK(index.on(5)[1]->text == "third");
    REQUIRE(index.on(9).size() == 2);
    CHECK(index.on(9)[1]->name == "here");
    CHECK(index.on(6).empty());
    CHECK(index.has(9));
    CHECK_FALSE(index.has(6));
    CHECK(next_annotation_id(all) == 7);
    CHECK(next_annotation_id({}) == 1);
    CHECK(find_view(all, "smtp") == &all.back());
    CHECK(find_view(all, "here") == nullptr);  // a bookmark is not a view

    CHECK(all[0].summary() == "1    note      #5     first");
    CHECK(b.summary() == "3    bookmark  #9     here");
    all.back().filter.protos = {"smtp"};
    all.back().filter.kinds = {event_kind::command};
    CHECK(all.back().summary() == "6    view      smtp (proto smtp; kind command; cursor #5)");
}
