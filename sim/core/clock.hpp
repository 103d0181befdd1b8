// Time for the trace. Scenarios run on a virtual clock so that the same run gives the same trace
// byte for byte; real sockets stamp real time and their trace header says so.
#pragma once

#include <cstdint>
#include <string>

namespace maillab {

class clock_source {
public:
    virtual ~clock_source() = default;
    virtual std::int64_t now_us() const = 0;  // microseconds since the Unix epoch
    virtual bool is_virtual() const = 0;
};

class real_clock final : public clock_source {
public:
    std::int64_t now_us() const override;
    bool is_virtual() const override { return false; }
};

// Starts at a fixed instant (a Monday class morning) so virtual dates in Received: headers are
// stable across runs.
class virtual_clock final : public clock_source {
public:
    static constexpr std::int64_t default_epoch_us = 1736154000LL * 1000000;  // 2025-01-06 09:00Z
    explicit virtual_clock(std::int64_t start_us = default_epoch_us) : now_(start_us) {}
    std::int64_t now_us() const override { return now_; }
    bool is_virtual() const override { return true; }
    void advance_to(std::int64_t t_us) {
        if (t_us > now_) now_ = t_us;
    }

private:
    std::int64_t now_;
};

// RFC 5322 3.3 date-time in UTC, e.g. "Mon, 06 Jan 2025 09:00:00 +0000".
std::string rfc5322_date(std::int64_t t_us);

}  // namespace maillab
