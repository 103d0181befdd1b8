#include "sim/core/clock.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace maillab {

std::int64_t real_clock::now_us() const {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc5322_date(std::int64_t t_us) {
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t seconds = static_cast<std::time_t>(t_us / 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", days[tm.tm_wday], tm.tm_mday,
                       months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace maillab
