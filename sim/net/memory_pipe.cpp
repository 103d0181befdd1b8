#include "sim/net/memory_pipe.hpp"

namespace maillab {

memory_pipe::memory_pipe(scheduler& sched, std::int64_t latency_us)
    : sched_(sched), latency_us_(latency_us) {
    a_.pipe_ = this;
    b_.pipe_ = this;
    a_.peer_ = &b_;
    b_.peer_ = &a_;
}

void pipe_endpoint::send(std::string bytes) {
    if (!open_ || bytes.empty()) return;
    pipe_endpoint* peer = peer_;
    pipe_->sched_.schedule_after(pipe_->latency_us_, [peer, bytes = std::move(bytes)] {
        if (peer->open_ && peer->on_receive) peer->on_receive(bytes);
    });
}

void pipe_endpoint::close() {
    if (!open_) return;
    open_ = false;
    pipe_endpoint* peer = peer_;
    // The close travels behind any bytes already in flight, like a FIN.
    pipe_->sched_.schedule_after(pipe_->latency_us_, [peer] {
        if (!peer->open_) return;
        peer->open_ = false;
        if (peer->on_close) peer->on_close();
    });
}

}  // namespace maillab
