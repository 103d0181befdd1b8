// SEARCH criteria (RFC 3501 6.4.4): parsed into a tree once, then evaluated per message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/imap/command_parser.hpp"
#include "sim/imap/sequence_set.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::imap {

struct search_context {
    const stored_message* message;
    std::uint32_t sequence;       // 1-based number in the session
    std::uint32_t max_sequence;   // for "*"
    std::uint32_t max_uid;
    bool recent;
};

class search_program {
public:
    // Parses args[from..]; nullopt with `error` set on bad syntax (the session answers BAD).
    static std::optional<search_program> parse(const std::vector<token>& args, std::size_t from,
                                               std::string& error);
    bool matches(const search_context& c) const;

    struct node;
private:
    std::shared_ptr<node> root_;
};

}  // namespace maillab::imap
