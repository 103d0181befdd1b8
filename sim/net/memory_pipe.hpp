// An in-memory duplex pipe on the virtual clock: what one end sends arrives at the other
// `latency_us` later, in order. Deterministic: the scheduler orders deliveries by (time, order).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sim/core/scheduler.hpp"

namespace maillab {

class memory_pipe;

class pipe_endpoint {
public:
    std::function<void(std::string_view)> on_receive;
    std::function<void()> on_close;  // the other end closed

    void send(std::string bytes);
    void close();
    bool open() const { return open_; }

private:
    friend class memory_pipe;
    memory_pipe* pipe_ = nullptr;
    pipe_endpoint* peer_ = nullptr;
    bool open_ = true;
};

class memory_pipe {
public:
    memory_pipe(scheduler& sched, std::int64_t latency_us);
    memory_pipe(const memory_pipe&) = delete;
    memory_pipe& operator=(const memory_pipe&) = delete;

    pipe_endpoint& client_end() { return a_; }
    pipe_endpoint& server_end() { return b_; }
    std::int64_t latency_us() const { return latency_us_; }

private:
    friend class pipe_endpoint;
    scheduler& sched_;
    std::int64_t latency_us_;
    pipe_endpoint a_;
    pipe_endpoint b_;
};

}  // namespace maillab
