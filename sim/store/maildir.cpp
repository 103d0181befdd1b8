#include "sim/store/maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace maillab::maildir {
namespace fs = std::filesystem;
namespace {

constexpr const char* uidlist_name = "maillab-uidlist";

[[noreturn]] void io_error(const fs::path& p, const char* what) {
    throw std::runtime_error(fmt::format("{}: {}: {}", p.string(), what, std::strerror(errno)));
}

void write_all_and_sync(const fs::path& p, std::string_view bytes) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) io_error(p, "cannot create");
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            ::close(fd);
            errno = saved;
            io_error(p, "write failed");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        io_error(p, "fsync failed");
    }
    ::close(fd);
}

// A rename is durable only once the directory itself is synced.
void sync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) io_error(dir, "cannot open directory");
    ::fsync(fd);
    ::close(fd);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) io_error(p, "cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// "1736154000.M12P34Q5.maillab,U=17,S=120:2,S" -> 17; 0 when there is no U=.
std::uint32_t uid_from_name(std::string_view name) {
    auto pos = name.find(",U=");
    if (pos == std::string_view::npos) return 0;
    std::uint32_t uid = 0;
    for (std::size_t i = pos + 3; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
        uid = uid * 10 + static_cast<std::uint32_t>(name[i] - '0');
    return uid;
}

std::string unique_base(std::uint32_t uid, std::size_t size, std::int64_t now_us) {
    static std::atomic<unsigned> counter{0};
    return fmt::format("{}.M{}P{}Q{}.maillab,U={},S={}", now_us / 1000000, now_us % 1000000,
                       ::getpid(), counter++, uid, size);
}

}  // namespace

std::string flags_to_info(const std::set<std::string>& flags) {
    std::string letters;
    for (const auto& f : flags) {
        if (f == "\\Draft") letters += 'D';
        else if (f == "\\Flagged") letters += 'F';
        else if (f == "$Forwarded") letters += 'P';
        else if (f == "\\Answered") letters += 'R';
        else if (f == "\\Seen") letters += 'S';
        else if (f == "\\Deleted") letters += 'T';
    }
    std::sort(letters.begin(), letters.end());
    return ":2," + letters;
}

std::set<std::string> info_to_flags(std::string_view info) {
    std::set<std::string> flags;
    if (info.rfind(":2,", 0) != 0) return flags;
    for (char c : info.substr(3)) {
        switch (c) {
            case 'D': flags.insert("\\Draft"); break;
            case 'F': flags.insert("\\Flagged"); break;
            case 'P': flags.insert("$Forwarded"); break;
            case 'R': flags.insert("\\Answered"); break;
            case 'S': flags.insert("\\Seen"); break;
            case 'T': flags.insert("\\Deleted"); break;
            default: break;
        }
    }
    return flags;
}

void save_uidlist(const fs::path& dir, std::uint32_t uid_validity, std::uint32_t next_uid) {
    fs::path tmp = dir / "tmp" / (std::string(uidlist_name) + fmt::format(".{}", ::getpid()));
    fs::remove(tmp);
    write_all_and_sync(tmp, fmt::format("{} {}\n", uid_validity, next_uid));
    fs::rename(tmp, dir / uidlist_name);
    sync_dir(dir);
}

mailbox_files open(const fs::path& dir, std::uint32_t new_uid_validity) {
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) {
        fs::create_directories(dir / sub, ec);
        if (ec) throw std::runtime_error(fmt::format("{}: cannot create: {}",
                                                     (dir / sub).string(), ec.message()));
    }
    // Nothing in tmp/ was ever acknowledged: a crash cut its delivery short.
    for (const auto& f : fs::directory_iterator(dir / "tmp")) fs::remove(f.path(), ec);

    mailbox_files box;
    box.uid_validity = new_uid_validity;
    if (fs::exists(dir / uidlist_name)) {
        std::istringstream in(read_file(dir / uidlist_name));
        if (!(in >> box.uid_validity >> box.next_uid) || box.uid_validity == 0)
            throw std::runtime_error(fmt::format(
                "{}: expected \"UIDVALIDITY NEXTUID\"", (dir / uidlist_name).string()));
    }

    std::vector<entry> unnumbered;
    std::set<std::uint32_t> seen_uids;
    for (const char* sub : {"new", "cur"}) {
        for (const auto& f : fs::directory_iterator(dir / sub)) {
            if (!f.is_regular_file()) continue;
            entry e;
            e.file_name = f.path().filename().string();
            e.in_cur = std::string_view(sub) == "cur";
            auto colon = e.file_name.rfind(':');
            if (e.in_cur && colon != std::string::npos)
                e.flags = info_to_flags(std::string_view(e.file_name).substr(colon));
            e.uid = uid_from_name(e.file_name);
            e.bytes = read_file(f.path());
            auto mtime = fs::last_write_time(f.path());
            e.internal_date_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::file_clock::to_sys(mtime).time_since_epoch())
                                     .count();
            // A UID seen twice (a copied file) is renumbered like a file without one.
            if (e.uid == 0 || !seen_uids.insert(e.uid).second) unnumbered.push_back(std::move(e));
            else box.entries.push_back(std::move(e));
        }
    }
    std::sort(box.entries.begin(), box.entries.end(),
              [](const entry& a, const entry& b) { return a.uid < b.uid; });
    // A crash between the rename into new/ and the uidlist update is covered here.
    if (!box.entries.empty()) box.next_uid = std::max(box.next_uid, box.entries.back().uid + 1);
    std::sort(unnumbered.begin(), unnumbered.end(),
              [](const entry& a, const entry& b) { return a.file_name < b.file_name; });
    for (auto& e : unnumbered) {
        e.uid = box.next_uid++;
        fs::path from = dir / (e.in_cur ? "cur" : "new") / e.file_name;
        std::string info = e.in_cur ? flags_to_info(e.flags) : "";
        e.file_name = unique_base(e.uid, e.bytes.size(), e.internal_date_us) + info;
        fs::rename(from, dir / (e.in_cur ? "cur" : "new") / e.file_name);
        box.entries.push_back(std::move(e));
    }
    save_uidlist(dir, box.uid_validity, box.next_uid);
    return box;
}

std::string deliver(const fs::path& dir, std::uint32_t uid, std::string_view bytes,
                    std::int64_t now_us) {
    std::string name = unique_base(uid, bytes.size(), now_us);
    fs::path tmp = dir / "tmp" / name;
    write_all_and_sync(tmp, bytes);
    fs::rename(tmp, dir / "new" / name);
    sync_dir(dir / "new");
    return name;
}

void remove(const fs::path& dir, const entry& e) {
    fs::path p = dir / (e.in_cur ? "cur" : "new") / e.file_name;
    std::error_code ec;
    // A file someone already removed is as good as removed; any other error is reported.
    fs::remove(p, ec);
    if (ec) throw std::runtime_error(p.string() + ": cannot remove: " + ec.message());
    sync_dir(p.parent_path());
}

}  // namespace maillab::maildir
