// The helpers the simulated browser reads pages and cookies with (sim/http/browser_session):
// links_on, input_value, cookie_jar. The browser itself against a real webmail is in
// test_webmail.cpp.
#include <doctest/doctest.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/http/browser_session.hpp"

using namespace maillab::http;

namespace {

using link_pairs = std::vector<std::pair<std::string, std::string>>;

link_pairs links(const std::string& html) {
    link_pairs out;
    for (const auto& l : links_on(html)) out.emplace_back(l.href, l.text);
    return out;
}

response with_cookies(std::initializer_list<std::string> set_cookies) {
    response res{beast_http::status::ok, 11};
    for (const auto& c : set_cookies) res.insert(beast_http::field::set_cookie, c);
    return res;
}

// Set-Cookie exactly as maillab's webmail writes it (sim/http/webmail_app.cpp).
std::string webmail_cookie(const std::string& name, const std::string& value, bool remove = false) {
    return name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" + (remove ? "; Max-Age=0" : "");
}

}  // namespace

TEST_CASE("links_on: href and text in page order, entities decoded in both") {
    std::string html =
        "<ul><li><a href=\"/read?folder=INBOX&amp;uid=3\">Re: &lt;b&gt; &amp; &quot;x&quot; "
        "&#39;y&#39; &apos;z&#x27;</a></li>\n"
        "<li><a class=\"row\" href=\"/inbox?page=2\" title=\"next\">Next &gt;</a></li></ul>";
    CHECK(links(html) == link_pairs{{"/read?folder=INBOX&uid=3", "Re: <b> & \"x\" 'y' 'z'"},
                                    {"/inbox?page=2", "Next >"}});
    // One level of entities only: "&amp;lt;" is the text "&lt;".
    CHECK(links("<a href=\"/x?a=1&amp;amp;b=2\">&amp;lt;</a>") == link_pairs{{"/x?a=1&amp;b=2", "&lt;"}});
    // Entities it does not know, and a lone '&', stay as written.
    CHECK(links("<a href=\"/x\">a & b &nbsp;&copy; &unterminated</a>") ==
          link_pairs{{"/x", "a & b &nbsp;&copy; &unterminated"}});
    // UTF-8 text is kept as it is.
    CHECK(links("<a href=\"/read?uid=1\">你好 Grüße</a>") == link_pairs{{"/read?uid=1", "你好 Grüße"}});
}

TEST_CASE("links_on: tags inside the link text are removed, the text between them kept") {
    std::string html =
        "<p><a class=\"x\" href=\"/a\"><b>bold</b> <span class=\"s\">and</span> <img src=\"i.png\" "
        "alt=\"\">more</a> text outside <a href=\"/b\"><strong>B</strong></a></p>";
    CHECK(links(html) == link_pairs{{"/a", "bold and more"}, {"/b", "B"}});
    // The text ends at the first </a>, and links may span lines.
    CHECK(links("<a\nhref=\"/nl\"\n>multi\nline</a>") == link_pairs{{"/nl", "multi\nline"}});
    CHECK(links("<a href=\"/1\">one</a><a href=\"/2\">two</a>") ==
          link_pairs{{"/1", "one"}, {"/2", "two"}});
}

TEST_CASE("links_on: only <a> elements with a double-quoted href") {
    CHECK(links("").empty());
    CHECK(links("<p>no links here</p>").empty());
    // An anchor without href is no link; the next one still is.
    CHECK(links("<a name=\"top\">top</a><a href=\"/after\">after</a>") ==
          link_pairs{{"/after", "after"}});
    // Other elements with an href-like attribute, or tags starting with "a", are not links.
    CHECK(links("<abbr href=\"/abbr\">abbr</abbr><link href=\"/style.css\">").empty());
    // data-href is not href; the real href is found after it.
    CHECK(links("<a data-href=\"/data\" href=\"/real\">t</a>") == link_pairs{{"/real", "t"}});
    // An empty href is a link to the page itself.
    CHECK(links("<a href=\"\">here</a>") == link_pairs{{"", "here"}});
    // A link without its </a> is not read.
    CHECK(links("<a href=\"/open\">never closed").empty());
}

TEST_CASE("input_value: the value of the first input of that name, entities decoded") {
    std::string page =
        "<form method=\"post\" action=\"/send\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"a&amp;b&quot;c&lt;d\">"
        "<input name=\"to\" value=\"bob@b.example\">"
        "<input name=\"subject\" value=\"\">"
        "<input name=\"csrf\" value=\"second\">"
        "</form>";
    CHECK(input_value(page, "csrf") == std::optional<std::string>("a&b\"c<d"));
    CHECK(input_value(page, "to") == std::optional<std::string>("bob@b.example"));
    CHECK(input_value(page, "subject") == std::optional<std::string>(""));
    CHECK_FALSE(input_value(page, "nosuch").has_value());
    CHECK_FALSE(input_value("", "csrf").has_value());
    // A name that only ends like the one asked for is another input.
    CHECK(input_value("<input name=\"xcsrf\" value=\"bad\"><input name=\"csrf\" value=\"good\">",
                      "csrf") == std::optional<std::string>("good"));
    // An input without a value attribute has none; the value of the next input is not taken.
    CHECK_FALSE(input_value("<input name=\"csrf\"><input name=\"x\" value=\"v\">", "csrf").has_value());
    // Not a general HTML parser: value before name is not read.
    CHECK_FALSE(input_value("<input value=\"v\" name=\"csrf\">", "csrf").has_value());
}

TEST_CASE("cookie_jar: Set-Cookie pairs kept, attributes dropped, header() in name order") {
    cookie_jar jar;
    CHECK(jar.header() == "");
    jar.take(with_cookies({webmail_cookie("ml_session_webmail_a_example", "s3cr3t-id"),
                           webmail_cookie("ml_lang", "zh")}));
    CHECK(jar.cookies == std::map<std::string, std::string>{
                             {"ml_lang", "zh"}, {"ml_session_webmail_a_example", "s3cr3t-id"}});
    CHECK(jar.header() == "ml_lang=zh; ml_session_webmail_a_example=s3cr3t-id");
    // A new value replaces the old one.
    jar.take(with_cookies({webmail_cookie("ml_lang", "en")}));
    CHECK(jar.header() == "ml_lang=en; ml_session_webmail_a_example=s3cr3t-id");
    // A response without Set-Cookie changes nothing.
    jar.take(with_cookies({}));
    CHECK(jar.header() == "ml_lang=en; ml_session_webmail_a_example=s3cr3t-id");
    // A value may contain '=' (base64); only the first '=' separates.
    jar.take(with_cookies({"tok=YWJj==; Path=/"}));
    CHECK(jar.cookies["tok"] == "YWJj==");
    // No '=' at all: not a cookie (RFC 6265 5.2), ignored.
    jar.take(with_cookies({"garbage; Path=/"}));
    CHECK(jar.cookies.count("garbage") == 0);
    // A cookie without attributes, an empty value.
    jar.take(with_cookies({"bare=1", "empty="}));
    CHECK(jar.cookies["bare"] == "1");
    CHECK(jar.cookies.count("empty") == 1);
    CHECK(jar.cookies["empty"] == "");
}

TEST_CASE("cookie_jar: Max-Age=0 removes the cookie (log out, the login form's token)") {
    cookie_jar jar;
    jar.take(with_cookies({webmail_cookie("ml_pre_webmail_a_example", "tok")}));
    CHECK(jar.header() == "ml_pre_webmail_a_example=tok");
    // Logging in: the pre-session token goes, the session comes, in one response.
    jar.take(with_cookies({webmail_cookie("ml_pre_webmail_a_example", "", true),
                           webmail_cookie("ml_session_webmail_a_example", "id1")}));
    CHECK(jar.header() == "ml_session_webmail_a_example=id1");
    // Max-Age other than 0 keeps it.
    jar.take(with_cookies({"ml_lang=zh; Max-Age=600"}));
    CHECK(jar.cookies["ml_lang"] == "zh");
    // Logging out.
    jar.take(with_cookies({webmail_cookie("ml_session_webmail_a_example", "", true)}));
    CHECK(jar.header() == "ml_lang=zh");
    // Removing a cookie the jar does not have is fine.
    jar.take(with_cookies({webmail_cookie("nosuch", "", true)}));
    CHECK(jar.header() == "ml_lang=zh");
}

// RFC 6265 5.2's reading of the attributes, so a Set-Cookie written unlike the webmail's own
// is read right too.
TEST_CASE("cookie_jar: attributes as RFC 6265 reads them") {
    cookie_jar jar;
    jar.take(with_cookies({"a=1", "b=2", "c=3", "d=4", "e=5"}));
    // Attribute names are case-insensitive: "max-age=0" removes too.
    jar.take(with_cookies({"a=; max-age=0"}));
    CHECK(jar.cookies.count("a") == 0);
    // Max-Age=05 is five seconds, not zero: the cookie stays.
    jar.take(with_cookies({"b=2; Max-Age=05"}));
    CHECK(jar.cookies.count("b") == 1);
    // "Max-Age=0" inside the value is no attribute: the cookie is set to that value.
    jar.take(with_cookies({"c=Max-Age=0"}));
    CHECK(jar.cookies["c"] == "Max-Age=0");
    // Whitespace around name and value is removed.
    jar.take(with_cookies({" d = 9 ; Path=/"}));
    CHECK(jar.cookies.count("d") == 1);
    CHECK(jar.cookies["d"] == "9");
    // Expires is not read (the simulated browser has no calendar; the webmail uses Max-Age).
}

// The name is matched as literal text (no regex metacharacters), and only as the name
// attribute itself (not inside data-name).
TEST_CASE("input_value: the name is literal text, the attribute is name=") {
    CHECK_NOTHROW(input_value("<input name=\"a(\" value=\"1\">", "a("));
    CHECK(input_value("<input name=\"axb\" value=\"2\"><input name=\"a.b\" value=\"1\">", "a.b") ==
          std::optional<std::string>("1"));
    CHECK(input_value("<input data-name=\"csrf\" value=\"bad\"><input name=\"csrf\" value=\"good\">",
                      "csrf") == std::optional<std::string>("good"));
}
