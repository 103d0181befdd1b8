// What a transport needs from any sans-I/O protocol engine (SMTP, POP3, IMAP; server or client).
// The engine never touches a socket, a clock or a file: the transport feeds it bytes and sends
// whatever it produced; the engine says when it wants TLS started or the connection closed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace maillab {

struct tls_info {
    std::string version;  // "TLSv1.3"
    std::string cipher;   // "TLS_AES_256_GCM_SHA384"
};

class protocol_session {
public:
    virtual ~protocol_session() = default;

    // The connection is up (and, for implicit TLS, the handshake done): a server greets here.
    virtual void start() = 0;
    // Bytes from the peer; any split is fine (a command may arrive byte by byte).
    virtual void receive(std::string_view bytes) = 0;
    // The transport finished the TLS handshake the engine asked for with wants_tls().
    virtual void tls_established(const tls_info& info) = 0;
    // The peer closed or reset the connection, or it was lost.
    virtual void connection_lost() = 0;
    // Something outside this connection changed (new mail, another client's flags): a session
    // that pushes updates (IMAP IDLE) may produce output now. The transport sends it.
    virtual void world_changed() {}
    // A session that answers later, without new input (an HTTP request waiting for the
    // webmail's IMAP leg), calls `wake` when it has output; the transport sets it at start and
    // then sends what take_output() gives. `wake` may run the transport's flush at once.
    virtual void set_wake(std::function<void()> wake) { (void)wake; }
    // Real connections only: nothing came from the peer for the idle timeout. A server says
    // goodbye in its protocol's words (SMTP 421, POP3 -ERR, IMAP BYE); the transport sends
    // what take_output() gives and closes, whatever the engine wants.
    virtual void idle_timeout() {}
    // True while a message text is arriving (SMTP after 354): RFC 5321 4.5.3.2.6 gives the
    // server a longer timeout there than between commands.
    virtual bool receiving_message_text() const { return false; }
    // How many complete units of input (command lines, lines of message text) the engine has
    // taken so far. The idle timeout restarts only when this grows, so a client that trickles
    // one byte a minute (slowloris) is dropped when the timeout is up. nullopt: the engine does
    // not count, and every byte restarts the timeout.
    virtual std::optional<std::uint64_t> completed_inputs() const { return std::nullopt; }
    // How long the transport should hold the output now pending before sending it (after a
    // failed login: password guessing gets slow). Taking it resets it to 0. The engine keeps
    // no clock; a virtual-time transport may ignore it.
    virtual std::uint32_t take_output_delay_ms() { return 0; }

    // Bytes to send now, in order; taking them empties the buffer.
    virtual std::string take_output() = 0;
    // After sending the pending output: start a TLS handshake (the engine stops reading until
    // tls_established), or close the connection.
    virtual bool wants_tls() const = 0;
    virtual bool wants_close() const = 0;
};

}  // namespace maillab
