#include "sim/store/maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace maillab::maildir {
namespace fs = std::filesystem;
namespace {

constexpr const char* uidlist_name = "maillab-uidlist";
// A folder being deleted is renamed to this prefix first; it is not a ".Name", so no one lists it.
constexpr std::string_view deleting_prefix = "maillab-deleting.";

[[noreturn]] void io_error(const fs::path& p, const char* what) {
    throw std::runtime_error(fmt::format("{}: {}: {}", p.string(), what, std::strerror(errno)));
}

// `mtime_us`, when given, becomes the file's modification time: the message's internal date.
void write_all_and_sync(const fs::path& p, std::string_view bytes,
                        std::optional<std::int64_t> mtime_us = std::nullopt) {
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
    if (mtime_us) {
        // Floor division, so dates before 1970 get a non-negative tv_nsec as POSIX requires.
        std::int64_t sec = *mtime_us / 1000000, usec = *mtime_us % 1000000;
        if (usec < 0) {
            usec += 1000000;
            --sec;
        }
        timespec times[2];
        times[0].tv_sec = 0;
        times[0].tv_nsec = UTIME_OMIT;  // the access time means nothing here
        times[1].tv_sec = static_cast<time_t>(sec);
        times[1].tv_nsec = static_cast<long>(usec * 1000);
        if (::futimens(fd, times) != 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
            io_error(p, "cannot set the modification time");
        }
    }
    if (::fsync(fd) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        io_error(p, "fsync failed");
    }
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
    // An APPEND date before 1970 must not give a name like "-1.M-5".
    now_us = std::max<std::int64_t>(now_us, 0);
    return fmt::format("{}.M{}P{}Q{}.maillab,U={},S={}", now_us / 1000000, now_us % 1000000,
                       ::getpid(), counter++, uid, size);
}

}  // namespace

void sync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) io_error(dir, "cannot open directory");
    ::fsync(fd);
    ::close(fd);
}

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

void replace_file(const fs::path& dir, const std::string& name, std::string_view bytes) {
    fs::path tmp = dir / "tmp" / fmt::format("{}.{}", name, ::getpid());
    fs::remove(tmp);
    write_all_and_sync(tmp, bytes);
    fs::rename(tmp, dir / name);
    sync_dir(dir);
}

void save_uidlist(const fs::path& dir, std::uint32_t uid_validity, std::uint32_t next_uid) {
    replace_file(dir, uidlist_name, fmt::format("{} {}\n", uid_validity, next_uid));
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
    return write_message(dir, uid, bytes, now_us, {}).file_name;
}

entry write_message(const fs::path& dir, std::uint32_t uid, std::string_view bytes,
                    std::int64_t internal_date_us, const std::set<std::string>& flags) {
    entry e;
    e.uid = uid;
    e.flags = flags;
    e.internal_date_us = internal_date_us;
    std::string base = unique_base(uid, bytes.size(), internal_date_us);
    std::string info = flags_to_info(flags);
    // Maildir: new/ is for mail no client has marked; a message that arrives with flags (an
    // APPEND or COPY of a read message) can only keep them in cur/, in its info.
    e.in_cur = info.size() > 3;
    e.file_name = e.in_cur ? base + info : base;
    fs::path tmp = dir / "tmp" / base;
    fs::path sub = dir / (e.in_cur ? "cur" : "new");
    write_all_and_sync(tmp, bytes, internal_date_us);
    try {
        fs::rename(tmp, sub / e.file_name);
    } catch (...) {
        std::error_code ec;
        fs::remove(tmp, ec);  // never acknowledged; open() would remove it anyway
        throw;
    }
    sync_dir(sub);
    return e;
}

std::string base_name(std::string_view file_name) {
    auto info = file_name.rfind(":2,");
    return std::string(info == std::string_view::npos ? file_name : file_name.substr(0, info));
}

std::string move_to_cur(const fs::path& dir, const entry& e, const std::set<std::string>& flags,
                        bool sync) {
    // Maildir: a file moves from new/ to cur/ once a client has seen it, and its flags live in
    // the info after ":2," (the name before it stays, so the UID in ",U=" stays too).
    std::string name = base_name(e.file_name) + flags_to_info(flags);
    if (e.in_cur && name == e.file_name) return name;
    fs::rename(dir / (e.in_cur ? "cur" : "new") / e.file_name, dir / "cur" / name);
    if (sync) {
        sync_dir(dir / "cur");
        if (!e.in_cur) sync_dir(dir / "new");
    }
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

std::vector<std::string> scan_folders(const fs::path& user_dir) {
    std::vector<std::string> names;
    for (const auto& f : fs::directory_iterator(user_dir)) {
        std::string name = f.path().filename().string();
        if (name.rfind(deleting_prefix, 0) == 0) {
            std::error_code ec;
            fs::remove_all(f.path(), ec);  // a deletion the last run did not finish
            continue;
        }
        if (name.size() > 1 && name.front() == '.' && f.is_directory())
            names.push_back(name.substr(1));
    }
    std::sort(names.begin(), names.end());
    return names;
}

void remove_folder(const fs::path& user_dir, const fs::path& folder_dir) {
    static std::atomic<unsigned> counter{0};
    fs::path doomed =
        user_dir / fmt::format("{}{}.{}", deleting_prefix, ::getpid(), counter++);
    fs::rename(folder_dir, doomed);
    sync_dir(user_dir);  // from here on the folder is gone, whatever happens next
    std::error_code ec;
    fs::remove_all(doomed, ec);  // what is left over is removed by the next scan_folders()
}

}  // namespace maillab::maildir
