#include "sim/world/background_serve.hpp"

#include <exception>

#include <boost/asio/post.hpp>

namespace maillab::world {

background_serve::background_serve(serve_options opts)
    : servers_(std::make_unique<live_servers>(std::move(opts))),
      trace_(clock_, servers_->trace_header()),
      work_(boost::asio::make_work_guard(io_)) {
    // A long class session streams to the inbox and the file; the GUI's model keeps the events.
    trace_.set_retain(false);
    if (!servers_->options().record_path.empty()) {
        recorder_ = std::make_unique<trace_recorder>(servers_->options().record_path);
        trace_.subscribe(*recorder_);
    }
    trace_.subscribe(inbox_);
    servers_->open(io_, trace_);
}

background_serve::~background_serve() {
    stop();
    // The listeners and sessions hold the io_context: they go before it does.
    servers_.reset();
}

void background_serve::start() {
    if (thread_.joinable() || stopped_) return;
    servers_->start();
    thread_ = std::thread([this] { run(); });
}

void background_serve::run() {
    try {
        io_.run();
    } catch (const std::exception& err) {
        std::lock_guard lock(failure_mutex_);
        failure_ = std::string("the servers stopped: ") + err.what();
    }
}

void background_serve::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (thread_.joinable()) {
        // On the servers' own thread: the sessions and the trace are not thread-safe.
        boost::asio::post(io_, [this] {
            servers_->stop();
            work_.reset();
            io_.stop();
        });
        thread_.join();
    } else {
        servers_->stop();
    }
}

std::string background_serve::failure() const {
    std::lock_guard lock(failure_mutex_);
    return failure_;
}

}  // namespace maillab::world
