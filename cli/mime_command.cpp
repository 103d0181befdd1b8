// `maillab mime FILE`: the part tree of a message, with every defect; `--json` the canonical
// form of docs/mime.md. `maillab compose ...`: writes a MIME message.

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "cli/commands.hpp"
#include "sim/core/clock.hpp"
#include "sim/mime/builder.hpp"
#include "sim/mime/describe.hpp"
#include "sim/mime/message.hpp"

namespace maillab::cli {
namespace {
std::string read_all(const std::string& path) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

std::function<int()> add_mime_command(CLI::App& app) {
    struct options {
        std::vector<std::string> files;
        bool json = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "mime", "Show the MIME structure of messages: parts, types, charsets, encodings, sizes, "
                "file names and defects");
    cmd->add_option("files", opts->files, "Message files (RFC 5322; - for standard input)")
        ->required();
    cmd->add_flag("--json", opts->json, "Print the canonical JSON form, one object per line");
    return [opts]() -> int {
        for (const auto& file : opts->files) {
            mime::message m(read_all(file));
            if (opts->json) {
                std::cout << mime::canonical_json(m).dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace)
                          << '\n';
            } else {
                if (opts->files.size() > 1) std::cout << "== " << file << '\n';
                std::cout << mime::part_tree_text(m);
            }
        }
        return 0;
    };
}

std::function<int()> add_compose_command(CLI::App& app) {
    struct options {
        std::string from;
        std::vector<std::string> to;
        std::vector<std::string> cc;
        std::string subject;
        std::string text;
        std::string html;
        std::vector<std::string> attach;
        std::vector<std::string> inline_images;
        std::string date;
        std::string message_id;
        std::string out = "-";
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand("compose", "Write a MIME message (text, HTML, attachments)");
    cmd->add_option("--from", opts->from, "Sender, e.g. \"张三 <zhang@example.org>\"")->required();
    cmd->add_option("--to", opts->to, "Recipient (repeatable)")->required();
    cmd->add_option("--cc", opts->cc, "Copy recipient (repeatable)");
    cmd->add_option("--subject", opts->subject, "Subject (UTF-8; encoded as needed)");
    cmd->add_option("--text", opts->text, "Plain-text body (@FILE reads a file)");
    cmd->add_option("--html", opts->html, "HTML body (@FILE reads a file)");
    cmd->add_option("--attach", opts->attach, "Attach a file (repeatable)");
    cmd->add_option("--inline", opts->inline_images,
                    "Inline image for the HTML, cited as cid:FILENAME (repeatable)");
    cmd->add_option("--date", opts->date, "Date header (RFC 5322 form)");
    cmd->add_option("--message-id", opts->message_id, "Message-ID header, e.g. <x@host>");
    cmd->add_option("-o,--output", opts->out, "Where to write (default: standard output)");
    return [opts]() -> int {
        auto body = [](const std::string& v) { return v.rfind('@', 0) == 0 ? read_all(v.substr(1)) : v; };
        auto guess_type = [](const std::string& name) -> std::string {
            auto dot = name.rfind('.');
            std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
            if (ext == "png") return "image/png";
            if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
            if (ext == "gif") return "image/gif";
            if (ext == "txt") return "text/plain";
            if (ext == "pdf") return "application/pdf";
            if (ext == "wav") return "audio/wav";
            if (ext == "mp3") return "audio/mpeg";
            return "application/octet-stream";
        };
        auto base_name = [](const std::string& path) {
            auto slash = path.rfind('/');
            return slash == std::string::npos ? path : path.substr(slash + 1);
        };
        mime::compose_request r;
        r.from = opts->from;
        r.to = opts->to;
        r.cc = opts->cc;
        r.subject = opts->subject;
        r.text = body(opts->text);
        r.html = body(opts->html);
        // RFC 5322 3.6 requires a Date field.
        r.date = opts->date.empty() ? rfc5322_date(real_clock().now_us()) : opts->date;
        r.message_id = opts->message_id;
        for (const auto& path : opts->attach)
            r.attachments.push_back({base_name(path), guess_type(path), read_all(path), ""});
        for (const auto& path : opts->inline_images)
            r.inline_images.push_back({base_name(path), guess_type(path), read_all(path), base_name(path)});
        std::string message = mime::build_message(r);
        if (opts->out == "-") {
            std::cout << message;
        } else {
            std::ofstream out(opts->out, std::ios::binary | std::ios::trunc);
            if (!out) throw std::runtime_error(opts->out + ": cannot write");
            out << message;
        }
        return 0;
    };
}

}  // namespace maillab::cli
