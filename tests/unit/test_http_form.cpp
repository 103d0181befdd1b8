// What a browser sends: percent-encoding, query strings, urlencoded and multipart/form-data
// bodies (sim/http/form). Pure functions, checked on exact inputs and outputs.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "sim/http/form.hpp"

using namespace maillab::http;

namespace {

using name_value = std::pair<std::string, std::string>;

// The fields of a form as (name, value) pairs, in order.
std::vector<name_value> pairs(const form_data& form) {
    std::vector<name_value> out;
    for (const auto& f : form.fields) out.emplace_back(f.name, f.value);
    return out;
}

// One multipart/form-data body with boundary "XyZ" from ready-made parts.
std::string multipart_body(const std::vector<std::string>& parts) {
    std::string body;
    for (const auto& p : parts) body += "--XyZ\r\n" + p + "\r\n";
    body += "--XyZ--\r\n";
    return body;
}

std::string text_part(const std::string& name, const std::string& value) {
    return "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value;
}

}  // namespace

TEST_CASE("percent_decode: UTF-8 escapes, + as space only in forms") {
    CHECK(percent_decode("%E4%BD%A0+x", true) == std::optional<std::string>("你 x"));
    CHECK(percent_decode("%E4%BD%A0+x", false) == std::optional<std::string>("你+x"));
    CHECK(percent_decode("%e4%bd%a0", true) == std::optional<std::string>("你"));  // lower case hex
    CHECK(percent_decode("a%20b", false) == std::optional<std::string>("a b"));
    CHECK(percent_decode("%2B", true) == std::optional<std::string>("+"));  // an escaped + stays +
    CHECK(percent_decode("%41", true) == std::optional<std::string>("A"));  // escape at the very end
    CHECK(percent_decode("", true) == std::optional<std::string>(""));
    CHECK(percent_decode("plain-text_1.2~", true) == std::optional<std::string>("plain-text_1.2~"));
    // Any octet, NUL and 0xFF included, comes through as that octet.
    CHECK(percent_decode("%00%FF", false) == std::optional<std::string>(std::string("\0\xff", 2)));
    // Bytes that are not UTF-8 are decoded as they are (checking is the caller's business).
    CHECK(percent_decode("%E4%BD", false) == std::optional<std::string>("\xe4\xbd"));
}

TEST_CASE("percent_decode: a bad % escape is nullopt, never a guess") {
    for (const char* bad : {"%", "%4", "a%4", "100%", "%zz", "%4g", "%g4", "%%41", "%-1", "% 1", "x%"}) {
        CAPTURE(bad);
        CHECK_FALSE(percent_decode(bad, true).has_value());
        CHECK_FALSE(percent_decode(bad, false).has_value());
    }
}

TEST_CASE("percent_encode: RFC 3986 unreserved kept, the rest as %XX; decode gives it back") {
    CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(percent_encode("a b/你~-._*") == "a%20b%2F%E4%BD%A0~-._%2A");
    CHECK(percent_encode("a+b&c=d?e#f%") == "a%2Bb%26c%3Dd%3Fe%23f%25");
    CHECK(percent_encode("") == "");
    CHECK(percent_encode(std::string("\0\r\n\xff", 4)) == "%00%0D%0A%FF");
    // Round trip, in forms (+ as space) and outside them: every octet.
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (const std::string& text : {all, std::string("Grüße, 你好 + 100% = 😀"),
                                    std::string("INBOX/Sent Items"), std::string("a+b c")}) {
        std::string encoded = percent_encode(text);
        CAPTURE(encoded);
        CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789-._~%") == std::string::npos);
        CHECK(percent_decode(encoded, true) == std::optional<std::string>(text));
        CHECK(percent_decode(encoded, false) == std::optional<std::string>(text));
    }
}

TEST_CASE("parse_urlencoded: names and values in order, + and % decoded") {
    form_data f = parse_urlencoded("a=1&b=x%20y&c=p+q&subject=%E4%BD%A0%E5%A5%BD");
    CHECK(f.error.empty());
    CHECK(pairs(f) == std::vector<name_value>{{"a", "1"}, {"b", "x y"}, {"c", "p q"},
                                              {"subject", "你好"}});
    for (const auto& field : f.fields) {
        CHECK_FALSE(field.filename.has_value());
        CHECK(field.content_type.empty());
    }
    CHECK(f.value("b") == "x y");
    CHECK(f.value("nosuch") == "");
    CHECK(f.find("nosuch") == nullptr);
    REQUIRE(f.find("c") != nullptr);
    CHECK(f.find("c")->value == "p q");
    // Names are decoded too, and only the first '=' separates.
    CHECK(pairs(parse_urlencoded("x%5By%5D=a=b%3Dc")) == std::vector<name_value>{{"x[y]", "a=b=c"}});
}

TEST_CASE("parse_urlencoded: empty values, repeated names, missing '=', stray '&'") {
    CHECK(parse_urlencoded("").fields.empty());
    CHECK(parse_urlencoded("").error.empty());
    CHECK(pairs(parse_urlencoded("a=&b=&=c")) ==
          std::vector<name_value>{{"a", ""}, {"b", ""}, {"", "c"}});
    // Repeated names are all kept, in order; find() and value() give the first.
    form_data repeated = parse_urlencoded("to=x&to=y&to=z");
    CHECK(pairs(repeated) == std::vector<name_value>{{"to", "x"}, {"to", "y"}, {"to", "z"}});
    CHECK(repeated.value("to") == "x");
    CHECK(repeated.find("to") == &repeated.fields[0]);
    // A name without '=' is a field with an empty value (WHATWG URL 5.1).
    CHECK(pairs(parse_urlencoded("flag&a=1")) == std::vector<name_value>{{"flag", ""}, {"a", "1"}});
    CHECK(pairs(parse_urlencoded("flag")) == std::vector<name_value>{{"flag", ""}});
    // Empty sequences between '&' are skipped.
    CHECK(pairs(parse_urlencoded("&&a=1&&b=2&")) == std::vector<name_value>{{"a", "1"}, {"b", "2"}});
    CHECK(parse_urlencoded("&").fields.empty());
}

TEST_CASE("parse_urlencoded: a bad %-escape is an error, not a field") {
    form_data f = parse_urlencoded("a=1&b=%zz&c=3");
    CHECK(f.error == "a bad %-escape in the form data");
    CHECK(f.find("b") == nullptr);
    CHECK(f.find("c") == nullptr);  // reading stops at the bad field
    CHECK_FALSE(parse_urlencoded("%G1=1").error.empty());
    CHECK_FALSE(parse_urlencoded("a=100%").error.empty());
}

TEST_CASE("parse_query and path_of split a request target at '?'") {
    form_data q = parse_query("/inbox?page=2&folder=INBOX%2FSent+Items");
    CHECK(q.error.empty());
    CHECK(pairs(q) == std::vector<name_value>{{"page", "2"}, {"folder", "INBOX/Sent Items"}});
    CHECK(parse_query("/inbox").fields.empty());
    CHECK(parse_query("/inbox").error.empty());
    CHECK(parse_query("/inbox?").fields.empty());
    CHECK(parse_query("").fields.empty());
    // Only the first '?' separates; a later one is part of a value.
    CHECK(pairs(parse_query("/s?q=a?b")) == std::vector<name_value>{{"q", "a?b"}});
    CHECK_FALSE(parse_query("/s?q=%").error.empty());

    CHECK(path_of("/inbox?page=2") == "/inbox");
    CHECK(path_of("/inbox") == "/inbox");
    CHECK(path_of("/") == "/");
    CHECK(path_of("/a?b?c") == "/a");
    CHECK(path_of("?x=1") == "");
    CHECK(path_of("") == "");
    // The path is returned as sent: no %-decoding here.
    CHECK(path_of("/folder/INBOX%2FSent?x") == "/folder/INBOX%2FSent");
}

TEST_CASE("parse_form: urlencoded by its Content-Type, with parameters, any case, or none") {
    for (const char* type : {"application/x-www-form-urlencoded",
                             "application/x-www-form-urlencoded; charset=UTF-8",
                             "Application/X-WWW-Form-Urlencoded", "  application/x-www-form-urlencoded ;x=y",
                             ""}) {
        CAPTURE(type);
        form_data f = parse_form(type, "user=alice&password=p%40ss");
        CHECK(f.error.empty());
        CHECK(pairs(f) == std::vector<name_value>{{"user", "alice"}, {"password", "p@ss"}});
    }
}

TEST_CASE("parse_form: a body that is not a form says so") {
    form_data json = parse_form("application/json", "{\"a\":1}");
    CHECK(json.fields.empty());
    CHECK(json.error == "the form body is application/json, not a form");
    form_data text = parse_form("Text/Plain; charset=utf-8", "a=1");
    CHECK(text.fields.empty());
    CHECK(text.error == "the form body is text/plain, not a form");  // the type lower-cased
}

TEST_CASE("parse_form: multipart/form-data text fields, empty and UTF-8 values, CRLF inside") {
    std::string body = multipart_body({text_part("to", "bob@b.example"),
                                       text_part("subject", "Hi 你好"),
                                       text_part("cc", ""),
                                       text_part("text", "line 1\r\nline 2\r\n\r\n--XyZx not a boundary"),
                                       text_part("to", "carol@b.example")});
    form_data f = parse_form("multipart/form-data; boundary=XyZ", body);
    CHECK(f.error.empty());
    CHECK(pairs(f) == std::vector<name_value>{{"to", "bob@b.example"},
                                              {"subject", "Hi 你好"},
                                              {"cc", ""},
                                              {"text", "line 1\r\nline 2\r\n\r\n--XyZx not a boundary"},
                                              {"to", "carol@b.example"}});
    for (const auto& field : f.fields) {
        CAPTURE(field.name);
        CHECK_FALSE(field.filename.has_value());
        CHECK(field.content_type.empty());
    }
    CHECK(f.value("to") == "bob@b.example");
    // The boundary parameter may be quoted, the type written in any case.
    form_data quoted = parse_form("Multipart/Form-Data; boundary=\"XyZ\"", body);
    CHECK(quoted.error.empty());
    CHECK(pairs(quoted) == pairs(f));
}

TEST_CASE("parse_form: a file upload keeps every byte, CRLF and boundary-like lines included") {
    static const char raw[] = "\x00\x01\xff\r\n--XyZ-not\r\n\r\n--XyZx\r\n--XyZ \tno\r\nend\r\n";
    const std::string bytes(raw, sizeof raw - 1);
    REQUIRE(bytes.size() == 42);
    std::string body = multipart_body(
        {text_part("subject", "with a file"),
         "Content-Disposition: form-data; name=\"attachment\"; filename=\"data.bin\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n" + bytes,
         "Content-Disposition: form-data; name=\"attachment\"; filename=\"notes.txt\"\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\nhello\n"});
    form_data f = parse_form("multipart/form-data; boundary=XyZ", body);
    CHECK(f.error.empty());
    REQUIRE(f.fields.size() == 3);
    const form_field& file = f.fields[1];
    CHECK(file.name == "attachment");
    REQUIRE(file.filename.has_value());
    CHECK(*file.filename == "data.bin");
    CHECK(file.content_type == "application/octet-stream");
    CHECK(file.value.size() == bytes.size());
    CHECK(file.value == bytes);
    const form_field& text_file = f.fields[2];
    CHECK(text_file.filename == std::optional<std::string>("notes.txt"));
    CHECK(text_file.content_type == "text/plain");  // the type, without its parameters
    CHECK(text_file.value == "hello\n");
    // find() gives the first of the repeated name.
    CHECK(f.find("attachment") == &f.fields[1]);
}

TEST_CASE("parse_form: file names in UTF-8, RFC 2231, empty; a file without Content-Type") {
    auto one_file = [](const std::string& disposition, const std::string& extra_headers = "") {
        std::string body = "--b\r\nContent-Disposition: form-data; name=\"f\"; " + disposition +
                           "\r\n" + extra_headers + "\r\nhello\r\n--b--\r\n";
        form_data f = parse_form("multipart/form-data; boundary=b", body);
        CHECK(f.error.empty());
        REQUIRE(f.fields.size() == 1);
        CHECK(f.fields[0].name == "f");
        CHECK(f.fields[0].value == "hello");
        return f.fields[0];
    };
    // What browsers send: the UTF-8 bytes of the name in quotes (RFC 7578 4.2).
    form_field raw_utf8 = one_file("filename=\"你好 Grüße.txt\"", "Content-Type: text/plain\r\n");
    CHECK(raw_utf8.filename == std::optional<std::string>("你好 Grüße.txt"));
    CHECK(raw_utf8.content_type == "text/plain");
    // RFC 2231 / 8187 extended notation.
    form_field extended = one_file("filename*=UTF-8''%E4%BD%A0.txt");
    CHECK(extended.filename == std::optional<std::string>("你.txt"));
    // No Content-Type header on the part: content_type stays empty.
    CHECK(extended.content_type.empty());
    // A path some old browsers send is kept as written (the webmail uses only what it shows).
    form_field windows = one_file("filename=\"C:\\\\Users\\\\a.txt\"");
    CHECK(windows.filename == std::optional<std::string>("C:\\Users\\a.txt"));
    // An empty file input: filename="" is a file field with an empty name, not a text field.
    std::string empty_body =
        "--b\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
    form_data empty = parse_form("multipart/form-data; boundary=b", empty_body);
    CHECK(empty.error.empty());
    REQUIRE(empty.fields.size() == 1);
    CHECK(empty.fields[0].filename == std::optional<std::string>(""));
    CHECK(empty.fields[0].value.empty());
}

TEST_CASE("parse_form: parts without Content-Disposition are skipped; lenient endings") {
    std::string body =
        "--b\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n"
        "--b\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--b--\r\n";
    CHECK(pairs(parse_form("multipart/form-data; boundary=b", body)) ==
          std::vector<name_value>{{"k", "v"}});
    // No closing delimiter: the part is still read.
    form_data open = parse_form("multipart/form-data; boundary=b",
                                "--b\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv");
    CHECK(pairs(open) == std::vector<name_value>{{"k", "v"}});
    // A preamble and an epilogue are not fields.
    form_data framed = parse_form(
        "multipart/form-data; boundary=b",
        "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--b--\r\nepilogue");
    CHECK(pairs(framed) == std::vector<name_value>{{"k", "v"}});
    // An empty body has no fields.
    CHECK(parse_form("multipart/form-data; boundary=b", "").fields.empty());
}

TEST_CASE("parse_form: multipart/form-data without a usable boundary is no form") {
    std::string body = multipart_body({text_part("to", "bob@b.example")});
    // Whatever the error says, no field may be made up from such a body.
    CHECK(parse_form("multipart/form-data", body).fields.empty());
    CHECK(parse_form("multipart/form-data; boundary=", body).fields.empty());
    CHECK(parse_form("multipart/form-data; boundary=nope", body).fields.empty());
}

// A multipart body whose Content-Type names no boundary, or one the body never uses, is an
// error with a message, not a silently empty form.
TEST_CASE("parse_form: a missing or wrong boundary is reported as an error") {
    std::string body = multipart_body({text_part("to", "bob@b.example")});
    CHECK(parse_form("multipart/form-data", body).error ==
          "multipart/form-data without a usable boundary");
    CHECK_FALSE(parse_form("multipart/form-data; boundary=nope", body).error.empty());
}
