// The HTTP/1.1 server session (sim/http/server_session) fed bytes directly on a virtual clock:
// the tests play the browser, and a small request_handler written here plays the application.
// It answers at once or later (it keeps the respond callback and calls it after more input),
// the way the webmail answers after its IMAP or SMTP leg.
#include "sim/http/server_session.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/explain/catalog.hpp"
#include "catalog_check.hpp"

using namespace maillab;
using namespace maillab::http;

namespace {

// The application side: records what it was asked, answers now or keeps the callback.
struct test_handler final : request_handler {
    bool answer_now = true;
    std::vector<request> seen;
    std::vector<std::uint64_t> seqs;
    std::vector<std::function<void(response)>> pending;

    void handle(const request& req, std::uint64_t request_seq, connection_tracer&,
                std::function<void(response)> respond) override {
        seen.push_back(req);
        seqs.push_back(request_seq);
        if (answer_now) respond(page_for(req));
        else pending.push_back(std::move(respond));
    }

    // A login POST redirects to the inbox; anything else is a small page naming its target.
    static response page_for(const request& req) {
        if (req.method() == beast_http::verb::post && req.target() == "/login") {
            response res{beast_http::status::see_other, 11};
            res.set(beast_http::field::location, "/inbox");
            return res;
        }
        response res{beast_http::status::ok, 11};
        res.set(beast_http::field::content_type, "text/html; charset=utf-8");
        res.body() = "page for " + std::string(req.target());
        return res;
    }

    // Answers the oldest waiting request.
    void answer_next() {
        REQUIRE_FALSE(pending.empty());
        auto respond = std::move(pending.front());
        pending.erase(pending.begin());
        respond(page_for(seen[seen.size() - pending.size() - 1]));
    }
};

struct http_harness {
    virtual_clock clock;
    trace t{clock};
    connection_tracer tracer{t, 1, "http", "webmail.a.example", "pc.alice"};
    test_handler handler;
    server_config config;
    std::unique_ptr<server_session> session;
    int wakes = 0;
    std::string woken_output;  // what a transport flushing inside wake() would have sent

    explicit http_harness(server_config c = {}, bool flush_in_wake = false) : config(c) {
        session = std::make_unique<server_session>(config, handler, tracer);
        session->set_wake([this, flush_in_wake] {
            ++wakes;
            if (flush_in_wake) woken_output += session->take_output();
        });
        session->start();
    }

    // Feeds bytes, returns the output produced.
    std::string send(std::string_view bytes) {
        session->receive(bytes);
        return session->take_output();
    }

    std::vector<const event*> http_events(std::string_view direction) const {
        std::vector<const event*> out;
        for (const auto& e : t.events())
            if (e.kind == event_kind::http && e.fields.value("direction", "") == direction)
                out.push_back(&e);
        return out;
    }
    const event* note(std::string_view key) const {
        for (const auto& e : t.events())
            if (e.kind == event_kind::note && e.explain == key) return &e;
        return nullptr;
    }
};

// Every response in `wire`, in order; the whole text must be whole responses.
std::vector<response> parse_responses(std::string wire) {
    std::vector<response> out;
    while (!wire.empty()) {
        beast_http::response_parser<beast_http::string_body> parser;
        parser.eager(true);
        boost::beast::error_code ec;
        std::size_t used = parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
        REQUIRE_MESSAGE(!ec, ec.message());
        REQUIRE(parser.is_done());
        out.push_back(parser.release());
        wire.erase(0, used);
    }
    return out;
}

std::string get(std::string_view target, std::string_view extra_headers = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: webmail.a.example\r\n" +
           std::string(extra_headers) + "\r\n";
}

std::string post(std::string_view target, std::string_view content_type, std::string_view body,
                 std::string_view extra_headers = "") {
    return "POST " + std::string(target) + " HTTP/1.1\r\nHost: webmail.a.example\r\n" +
           "Content-Type: " + std::string(content_type) + "\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extra_headers) +
           "\r\n" + std::string(body);
}

// The [name, value] pairs of an event's "headers" field.
std::string header_of(const event& e, std::string_view name) {
    for (const auto& h : e.fields.at("headers"))
        if (h.at(0).get<std::string>() == name) return h.at(1).get<std::string>();
    return "(absent)";
}

}  // namespace

TEST_CASE("http: a GET answered with keep-alive, a second request on the same connection") {
    http_harness h;
    std::string out = h.send(get("/inbox?page=2"));
    auto responses = parse_responses(out);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].result_int() == 200);
    CHECK(responses[0].body() == "page for /inbox?page=2");
    CHECK(responses[0].keep_alive());
    CHECK(responses[0][beast_http::field::content_length] == "22");
    CHECK_FALSE(h.session->wants_close());
    CHECK_FALSE(h.session->wants_tls());
    REQUIRE(h.handler.seen.size() == 1);
    CHECK(h.handler.seen[0].target() == "/inbox?page=2");
    CHECK(h.handler.seen[0][beast_http::field::host] == "webmail.a.example");

    responses = parse_responses(h.send(get("/compose")));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body() == "page for /compose");
    CHECK_FALSE(h.session->wants_close());
    CHECK(h.handler.seen.size() == 2);
    CHECK(h.http_events("request").size() == 2);
    CHECK(h.http_events("response").size() == 2);
    // A synchronous answer wakes the transport too.
    CHECK(h.wakes == 2);
    maillab::test::check_explanations(h.t.events());
}

TEST_CASE("http: two pipelined requests in one receive() are answered in order, one at a time") {
    http_harness h;
    h.handler.answer_now = false;
    std::string out = h.send(get("/first") + get("/second"));
    CHECK(out.empty());
    // Only the first request is handed to the application while it is unanswered.
    REQUIRE(h.handler.seen.size() == 1);
    CHECK(h.handler.seen[0].target() == "/first");
    CHECK(h.http_events("request").size() == 1);

    h.handler.answer_next();
    CHECK(h.wakes == 1);
    // Answering the first reads the second.
    REQUIRE(h.handler.seen.size() == 2);
    CHECK(h.handler.seen[1].target() == "/second");
    auto responses = parse_responses(h.session->take_output());
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body() == "page for /first");

    h.handler.answer_next();
    CHECK(h.wakes == 2);
    responses = parse_responses(h.session->take_output());
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body() == "page for /second");
    CHECK_FALSE(h.session->wants_close());

    // Trace order: request 1, response 1, request 2, response 2; each response caused by its request.
    std::vector<std::string> order;
    for (const auto& e : h.t.events())
        if (e.kind == event_kind::http)
            order.push_back(e.fields["direction"].get<std::string>() + " " +
                            (e.fields.contains("target") ? e.fields["target"].get<std::string>()
                                                         : std::to_string(e.fields["status"].get<unsigned>())));
    CHECK(order == std::vector<std::string>{"request /first", "response 200", "request /second",
                                            "response 200"});
    auto requests = h.http_events("request");
    auto answers = h.http_events("response");
    REQUIRE(requests.size() == 2);
    REQUIRE(answers.size() == 2);
    CHECK(answers[0]->cause == requests[0]->seq);
    CHECK(answers[1]->cause == requests[1]->seq);
    CHECK(h.handler.seqs == std::vector<std::uint64_t>{requests[0]->seq, requests[1]->seq});
}

TEST_CASE("http: pipelined requests answered at once come out in order in one output") {
    http_harness h;
    auto responses = parse_responses(h.send(get("/a") + get("/b") + get("/c")));
    REQUIRE(responses.size() == 3);
    CHECK(responses[0].body() == "page for /a");
    CHECK(responses[1].body() == "page for /b");
    CHECK(responses[2].body() == "page for /c");
    CHECK(h.wakes == 3);
}

TEST_CASE("http: requests split byte by byte are read whole") {
    http_harness h;
    std::string wire = post("/login", "application/x-www-form-urlencoded",
                            "user=alice%40a.example&password=alice-pw") +
                       get("/inbox");
    std::string out;
    for (char c : wire) out += h.send(std::string_view(&c, 1));
    REQUIRE(h.handler.seen.size() == 2);
    CHECK(h.handler.seen[0].method() == beast_http::verb::post);
    CHECK(h.handler.seen[0].body() == "user=alice%40a.example&password=alice-pw");
    CHECK(h.handler.seen[1].target() == "/inbox");
    auto responses = parse_responses(out);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].result_int() == 303);
    CHECK(responses[0][beast_http::field::location] == "/inbox");
    CHECK(responses[1].result_int() == 200);
    CHECK(h.http_events("request").size() == 2);
}

TEST_CASE("http: a late answer wakes the transport, which may flush inside wake()") {
    http_harness h({}, /*flush_in_wake=*/true);
    h.handler.answer_now = false;
    CHECK(h.send(get("/slow")).empty());
    CHECK(h.wakes == 0);
    // More input while the first is unanswered: kept, not read yet.
    CHECK(h.send(get("/next")).empty());
    CHECK(h.handler.seen.size() == 1);
    h.handler.answer_next();
    CHECK(h.wakes == 1);
    // The transport took the answer inside wake(); nothing is left behind.
    auto responses = parse_responses(h.woken_output);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body() == "page for /slow");
    CHECK(h.session->take_output().empty());
    CHECK(h.handler.seen.size() == 2);
    h.handler.answer_next();
    CHECK(h.wakes == 2);
    CHECK(parse_responses(h.woken_output).size() == 2);
}

TEST_CASE("http: HTTP/1.0 without keep-alive closes after the answer") {
    http_harness h;
    h.handler.answer_now = false;
    CHECK(h.send("GET /old HTTP/1.0\r\nHost: webmail.a.example\r\n\r\n").empty());
    // Not while the answer is still being made.
    CHECK_FALSE(h.session->wants_close());
    h.handler.answer_next();
    CHECK(h.session->wants_close());
    auto responses = parse_responses(h.session->take_output());
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].result_int() == 200);
    CHECK_FALSE(responses[0].keep_alive());
    CHECK(responses[0][beast_http::field::connection] == "close");
    // Nothing more is read.
    CHECK(h.send(get("/more")).empty());
    CHECK(h.handler.seen.size() == 1);
}

TEST_CASE("http: HTTP/1.0 with Connection: keep-alive stays open") {
    http_harness h;
    auto responses = parse_responses(
        h.send("GET /old HTTP/1.0\r\nHost: webmail.a.example\r\nConnection: keep-alive\r\n\r\n"));
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].keep_alive());
    CHECK_FALSE(h.session->wants_close());
    CHECK(parse_responses(h.send(get("/more"))).size() == 1);
}

TEST_CASE("http: Connection: close closes after the answer; a pipelined request after it is dropped") {
    http_harness h;
    std::string out = h.send(get("/bye", "Connection: close\r\n") + get("/never"));
    auto responses = parse_responses(out);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].body() == "page for /bye");
    CHECK(responses[0][beast_http::field::connection] == "close");
    CHECK(h.session->wants_close());
    REQUIRE(h.handler.seen.size() == 1);
    CHECK(h.http_events("request").size() == 1);
}

TEST_CASE("http: a malformed request line gets 400 with the reason, a note, and close") {
    for (std::string bad : {std::string("this is not http\r\n\r\n"),
                            std::string("GET / HTTP/1.1 extra\r\n\r\n"),
                            std::string("GET\r\n\r\n"),
                            std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
                            std::string("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n")}) {
        CAPTURE(bad);
        http_harness h;
        auto responses = parse_responses(h.send(bad));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 400);
        CHECK(responses[0][beast_http::field::connection] == "close");
        CHECK(responses[0][beast_http::field::content_type] == "text/plain; charset=utf-8");
        const event* note = h.note("http.note.bad_request");
        REQUIRE(note != nullptr);
        std::string reason = note->fields.at("reason").get<std::string>();
        CHECK_FALSE(reason.empty());
        CHECK(note->fields.at("status") == 400);
        CHECK(note->text.find(reason) != std::string::npos);
        // The body says what was wrong, the same reason as the note.
        CHECK(responses[0].body() == "400 Bad Request: " + reason + "\n");
        CHECK(h.session->wants_close());
        CHECK(h.handler.seen.empty());
        CHECK(h.http_events("request").empty());
        auto answers = h.http_events("response");
        REQUIRE(answers.size() == 1);
        CHECK(answers[0]->explain == "http.status.400");
        // Later bytes are not read.
        CHECK(h.send(get("/")).empty());
        maillab::test::check_explanations(h.t.events());
    }
    // The reasons themselves, as Boost.Beast words them.
    auto reason_for = [](const std::string& bad) {
        http_harness h;
        h.send(bad);
        const event* note = h.note("http.note.bad_request");
        return note ? note->fields.at("reason").get<std::string>() : std::string("(no note)");
    };
    CHECK(reason_for("GET\r\n\r\n") == "bad method");
    CHECK(reason_for("GET / HTTP/1.1 extra\r\n\r\n") == "bad version");
    CHECK(reason_for("GET / HTTP/1.1\r\nBad Header\r\n\r\n") == "bad field");
}

TEST_CASE("http: a bad request after a good one on the same connection: 200, then 400 and close") {
    http_harness h;
    auto responses = parse_responses(h.send(get("/ok") + "nonsense\r\n\r\n"));
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].result_int() == 200);
    CHECK(responses[1].result_int() == 400);
    CHECK(h.session->wants_close());
    CHECK(h.handler.seen.size() == 1);
}

TEST_CASE("http: a header over max_header_bytes gets 431, even before it ends") {
    server_config config;
    config.max_header_bytes = 256;
    {
        http_harness h(config);
        auto responses =
            parse_responses(h.send(get("/", "X-Long: " + std::string(400, 'a') + "\r\n")));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 431);
        CHECK(responses[0].body() == "431 Request Header Fields Too Large: header limit exceeded\n");
        CHECK(h.session->wants_close());
        const event* note = h.note("http.note.bad_request");
        REQUIRE(note != nullptr);
        CHECK(note->fields.at("status") == 431);
        CHECK(h.handler.seen.empty());
        maillab::test::check_explanations(h.t.events());
    }
    {
        // A header that never ends is refused once it is too long, not buffered for ever.
        http_harness h(config);
        std::string out = h.send("GET / HTTP/1.1\r\nX-Endless: ");
        for (int i = 0; i < 20 && out.empty(); ++i) out += h.send(std::string(32, 'b'));
        auto responses = parse_responses(out);
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 431);
    }
    {
        // Just under the limit is fine.
        http_harness h(config);
        auto responses = parse_responses(h.send(get("/", "X-Short: " + std::string(100, 'a') + "\r\n")));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 200);
    }
}

TEST_CASE("http: a body over max_body_bytes gets 413, announced or chunked") {
    server_config config;
    config.max_body_bytes = 100;
    {
        // Refused from the Content-Length alone, before the body is sent.
        http_harness h(config);
        auto responses = parse_responses(h.send(
            "POST /send HTTP/1.1\r\nHost: w\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 413);
        CHECK(responses[0].body() == "413 Payload Too Large: body limit exceeded\n");
        CHECK(h.session->wants_close());
        const event* note = h.note("http.note.bad_request");
        REQUIRE(note != nullptr);
        CHECK(note->fields.at("status") == 413);
        CHECK(note->fields.at("reason") == "body limit exceeded");
        CHECK(h.handler.seen.empty());
        maillab::test::check_explanations(h.t.events());
    }
    {
        http_harness h(config);
        auto responses = parse_responses(
            h.send("POST /send HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n" +
                   std::string(128, 'x') + "\r\n0\r\n\r\n"));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 413);
        CHECK(h.handler.seen.empty());
    }
    {
        // Exactly at the limit is fine.
        http_harness h(config);
        auto responses = parse_responses(h.send(post("/send", "text/plain", std::string(100, 'y'))));
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].result_int() == 200);
        REQUIRE(h.handler.seen.size() == 1);
        CHECK(h.handler.seen[0].body().size() == 100);
    }
}

TEST_CASE("http: a late answer after connection_lost() is dropped without a crash") {
    http_harness h;
    h.handler.answer_now = false;
    CHECK(h.send(get("/slow") + get("/queued")).empty());
    h.session->connection_lost();
    h.handler.answer_next();
    CHECK(h.session->take_output().empty());
    CHECK(h.wakes == 0);
    CHECK(h.http_events("response").empty());
    // The queued request is not read after the loss, and input after it is ignored.
    CHECK(h.handler.seen.size() == 1);
    CHECK(h.send(get("/after")).empty());
    CHECK(h.handler.seen.size() == 1);
}

TEST_CASE("http: a late answer after the session is gone is dropped without a crash") {
    http_harness h;
    h.handler.answer_now = false;
    CHECK(h.send(get("/slow")).empty());
    h.session.reset();
    REQUIRE(h.handler.pending.size() == 1);
    h.handler.pending[0](test_handler::page_for(h.handler.seen[0]));
    CHECK(h.wakes == 0);
    CHECK(h.http_events("response").empty());
}

TEST_CASE("http: the request event: request line, path, headers, urlencoded form, password as stars") {
    http_harness h;
    std::string body = "user=alice%40a.example&password=alice-pw&lang=&note=a+b%20c";
    h.send(post("/login?next=%2Finbox", "application/x-www-form-urlencoded", body,
                "Cookie: ml_pre_webmail_a_example=0123456789abcdef\r\nAuthorization: Basic YWxpY2U6cHc=\r\n"));
    auto requests = h.http_events("request");
    REQUIRE(requests.size() == 1);
    const event& e = *requests[0];
    CHECK(e.text == "POST /login?next=%2Finbox HTTP/1.1");
    CHECK(e.explain == "http.request.POST");
    CHECK(e.proto == "http");
    CHECK(e.from == "pc.alice");
    CHECK(e.to == "webmail.a.example");
    CHECK(e.conn == 1);
    CHECK(e.fields["direction"] == "request");
    CHECK(e.fields["method"] == "POST");
    CHECK(e.fields["target"] == "/login?next=%2Finbox");
    CHECK(e.fields["path"] == "/login");
    CHECK(e.fields["body"] ==
          std::to_string(body.size()) + " octets of application/x-www-form-urlencoded");
    // The size is the request as written on the wire.
    std::string wire = post("/login?next=%2Finbox", "application/x-www-form-urlencoded", body,
                            "Cookie: ml_pre_webmail_a_example=0123456789abcdef\r\nAuthorization: Basic YWxpY2U6cHc=\r\n");
    CHECK(e.fields["size"] == wire.size());
    // Headers in order as [name, value]; the cookie shortened, Authorization hidden.
    CHECK(header_of(e, "Host") == "webmail.a.example");
    CHECK(header_of(e, "Content-Length") == std::to_string(body.size()));
    CHECK(header_of(e, "Cookie") == "ml_pre_webmail_a_example=012345…");
    CHECK(header_of(e, "Authorization") == "(hidden)");
    CHECK(e.fields["headers"][0] == nlohmann::json::array({"Host", "webmail.a.example"}));
    // The form, decoded; the password only as stars, as long as it is.
    CHECK(e.fields["form"] == nlohmann::json::parse(R"([
        {"name": "user", "value": "alice@a.example"},
        {"name": "password", "value": "********"},
        {"name": "lang", "value": ""},
        {"name": "note", "value": "a b c"}])"));
    // The raw text is the request head only: no body, no password.
    REQUIRE(e.raw.has_value());
    CHECK(e.raw->starts_with("POST /login?next=%2Finbox HTTP/1.1\r\n"));
    CHECK(e.raw->ends_with("\r\n\r\n"));
    // The password appears in no event of the trace at all.
    for (const auto& ev : h.t.events()) {
        CHECK(ev.fields.dump().find("alice-pw") == std::string::npos);
        CHECK(ev.text.find("alice-pw") == std::string::npos);
        CHECK(ev.raw.value_or("").find("alice-pw") == std::string::npos);
    }
    // The application still gets the real password.
    REQUIRE(h.handler.seen.size() == 1);
    CHECK(h.handler.seen[0].body() == body);
}

TEST_CASE("http: the request event: multipart form, a file shown by name, type and size only") {
    const std::string file_bytes = std::string("SECRET-FILE-BYTES\r\n\x00\xff", 21) + std::string(300, 'z');
    std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok123\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"subject\"\r\n\r\nHi 你好\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nabc\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"报告.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n" + file_bytes + "\r\n--XyZ--\r\n";
    http_harness h;
    h.send(post("/send", "multipart/form-data; boundary=XyZ", body));
    auto requests = h.http_events("request");
    REQUIRE(requests.size() == 1);
    const event& e = *requests[0];
    REQUIRE(e.fields.contains("form"));
    nlohmann::json expected = nlohmann::json::array();
    expected.push_back({{"name", "csrf"}, {"value", "tok123"}});
    expected.push_back({{"name", "subject"}, {"value", "Hi 你好"}});
    expected.push_back({{"name", "password"}, {"value", "********"}});
    expected.push_back({{"name", "attachment"}, {"filename", "报告.pdf"},
                        {"content_type", "application/pdf"}, {"size", file_bytes.size()}});
    CHECK(e.fields["form"] == expected);
    CHECK_FALSE(e.fields["form"][3].contains("value"));
    CHECK(e.fields["body"] == std::to_string(body.size()) + " octets of multipart/form-data; boundary=XyZ");
    for (const auto& ev : h.t.events()) {
        CHECK(ev.fields.dump().find("SECRET-FILE-BYTES") == std::string::npos);
        CHECK(ev.raw.value_or("").find("SECRET-FILE-BYTES") == std::string::npos);
    }
    maillab::test::check_explanations(h.t.events());
}

TEST_CASE("http: the request event: no form for a GET, nor for a body that is not a form") {
    http_harness h;
    h.send(get("/inbox?page=2"));
    h.send(post("/api", "application/json", "{\"a\":1}"));
    auto requests = h.http_events("request");
    REQUIRE(requests.size() == 2);
    CHECK(requests[0]->fields["body"] == "no body");
    CHECK_FALSE(requests[0]->fields.contains("form"));
    CHECK(requests[0]->fields["path"] == "/inbox");
    CHECK(requests[1]->fields["body"] == "7 octets of application/json");
    CHECK_FALSE(requests[1]->fields.contains("form"));
}

TEST_CASE("http: the response event: status, location, headers, cause") {
    http_harness h;
    std::string out = h.send(post("/login", "application/x-www-form-urlencoded", "user=a&password=b") +
                             get("/inbox"));
    auto requests = h.http_events("request");
    auto answers = h.http_events("response");
    REQUIRE(requests.size() == 2);
    REQUIRE(answers.size() == 2);
    const event& redirect = *answers[0];
    CHECK(redirect.text == "HTTP/1.1 303 See Other");
    CHECK(redirect.explain == "http.status.303");
    CHECK(redirect.fields["direction"] == "response");
    CHECK(redirect.fields["status"] == 303);
    CHECK(redirect.fields["location"] == "/inbox");
    CHECK(redirect.fields["body"] == "no body");
    CHECK(redirect.cause == requests[0]->seq);
    CHECK(redirect.from == "webmail.a.example");
    CHECK(redirect.to == "pc.alice");
    const event& page = *answers[1];
    CHECK(page.explain == "http.status.200");
    CHECK(page.fields["status"] == 200);
    CHECK_FALSE(page.fields.contains("location"));
    CHECK(page.fields["body"] == "15 octets of text/html; charset=utf-8");
    CHECK(header_of(page, "Content-Length") == "15");
    CHECK(page.cause == requests[1]->seq);
    // The sizes add up to what went out.
    CHECK(redirect.fields["size"].get<std::size_t>() + page.fields["size"].get<std::size_t>() ==
          out.size());
    REQUIRE(page.raw.has_value());
    CHECK(page.raw->starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(page.raw->find("page for /inbox") == std::string::npos);  // the head only
    maillab::test::check_explanations(h.t.events());
}

TEST_CASE("http: explanation keys per method and status, all in the catalog") {
    const auto& catalog = explain_catalog::builtin();
    for (std::string method : {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "BREW", "PATCH"}) {
        CAPTURE(method);
        http_harness h;
        h.send(method + " /pot HTTP/1.1\r\nHost: webmail.a.example\r\nContent-Length: 0\r\n\r\n");
        auto requests = h.http_events("request");
        REQUIRE(requests.size() == 1);
        CHECK(requests[0]->fields["method"] == method);
        bool known = method != "BREW" && method != "PATCH";
        CHECK(requests[0]->explain == (known ? "http.request." + method : "http.request.other"));
        maillab::test::check_explanations(h.t.events());
    }
    // Every status a webmail answers has its explanation.
    for (unsigned status : {200u, 204u, 301u, 302u, 303u, 304u, 400u, 401u, 403u, 404u, 405u, 413u,
                            431u, 500u, 502u, 503u}) {
        CAPTURE(status);
        response res{static_cast<beast_http::status>(status), 11};
        event e = response_event(res, 0);
        CHECK(e.explain == "http.status." + std::to_string(status));
        CHECK(catalog.find(e.explain) != nullptr);
    }
}

TEST_CASE("http: request_event and response_event outside a session") {
    request req{beast_http::verb::get, "/read?uid=7&folder=INBOX", 11};
    req.set(beast_http::field::host, "webmail.a.example");
    event e = request_event(req, 123);
    CHECK(e.kind == event_kind::http);
    CHECK(e.text == "GET /read?uid=7&folder=INBOX HTTP/1.1");
    CHECK(e.fields["path"] == "/read");
    CHECK(e.fields["size"] == 123);
    CHECK(e.fields["body"] == "no body");
    // HTTP/1.0 in the request line.
    request old{beast_http::verb::head, "/", 10};
    CHECK(request_event(old, 0).text == "HEAD / HTTP/1.0");
    CHECK(request_event(old, 0).explain == "http.request.HEAD");
    // A short cookie is shown whole; Set-Cookie is shortened like Cookie.
    response res{beast_http::status::found, 11};
    res.set(beast_http::field::location, "/login");
    res.insert(beast_http::field::set_cookie, "ml_session_x=abcdefghijklmnop; Path=/; HttpOnly");
    res.insert(beast_http::field::set_cookie, "ml_lang=zh; Path=/");
    event r = response_event(res, 0);
    CHECK(r.fields["location"] == "/login");
    CHECK(r.fields["headers"][1] == nlohmann::json::array({"Set-Cookie", "ml_session_x=abcdef…; Path=/; HttpOnly"}));
    CHECK(r.fields["headers"][2] == nlohmann::json::array({"Set-Cookie", "ml_lang=zh; Path=/"}));
    // serialize() writes what goes on the wire.
    CHECK(serialize(req) == "GET /read?uid=7&folder=INBOX HTTP/1.1\r\nHost: webmail.a.example\r\n\r\n");
}

// A Cookie header with more than one cookie: every value is shortened, so the session cookie
// after ml_lang (a browser that chose a language sends both) does not show in full.
TEST_CASE("http: every cookie of a Cookie header is shortened in the trace") {
    request req{beast_http::verb::get, "/inbox", 11};
    req.set(beast_http::field::cookie, "ml_lang=zh; ml_session_webmail_a_example=0123456789abcdef");
    event e = request_event(req, 0);
    CHECK(e.fields["headers"].dump().find("0123456789abcdef") == std::string::npos);
}

// A response to HEAD has no body (RFC 9110 9.3.2, RFC 9112 6.3 rule 1), whatever body the
// application gave: otherwise a client reads those octets as the start of the next response.
TEST_CASE("http: the answer to HEAD carries no body") {
    http_harness h;
    std::string out = h.send("HEAD /a HTTP/1.1\r\nHost: webmail.a.example\r\n\r\n" + get("/b"));
    REQUIRE(h.handler.seen.size() == 2);
    CHECK(out.starts_with("HTTP/1.1 200 OK\r\n"));
    std::size_t end_of_head = out.find("\r\n\r\n");
    REQUIRE(end_of_head != std::string::npos);
    // Right after the head of the HEAD answer comes the answer to the GET.
    CHECK(out.substr(end_of_head + 4).starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(out.find("page for /a") == std::string::npos);
    CHECK(out.ends_with("page for /b"));
}

// RFC 9112 2.2: a server SHOULD ignore at least one empty line (CRLF) before a request line
// (some clients send one after a POST body); Beast alone would answer 400 "bad method".
TEST_CASE("http: an empty line before a request line is ignored") {
    http_harness h;
    auto responses = parse_responses(
        h.send(post("/d", "text/plain", "abc") + "\r\n" + get("/e")));
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].result_int() == 200);
    CHECK(responses[1].result_int() == 200);
    CHECK(responses[1].body() == "page for /e");
}
