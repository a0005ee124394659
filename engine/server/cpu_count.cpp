// The default ring count: affinity mask, capped by the cgroup CPU limit.
#include "engine/server/cpu_count.hpp"

#include <sched.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>

namespace ringhttp::engine {
namespace {

// Splits text into its whitespace-separated words.
std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
        std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

// Calls f(line) for each line of text.
template <class F>
void for_each_line(std::string_view text, F f) {
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

std::optional<long long> to_integer(std::string_view s) {
    long long v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// True when the comma-separated list holds item.
bool list_has(std::string_view list, std::string_view item) {
    for (;;) {
        std::size_t comma = list.find(',');
        if (list.substr(0, comma) == item) return true;
        if (comma == std::string_view::npos) return false;
        list.remove_prefix(comma + 1);
    }
}

// The directory under mount_point for a cgroup path, given the cgroup path
// the mount shows as its root (not "/" inside some containers).
std::string join(std::string_view mount_point, std::string_view mount_root, std::string_view cgroup) {
    if (mount_root != "/" && cgroup.substr(0, mount_root.size()) == mount_root)
        cgroup.remove_prefix(mount_root.size());
    else if (mount_root != "/")
        cgroup = {};  // outside what is mounted: the mount point's own limit is what we can see
    std::string out(mount_point);
    if (!cgroup.empty() && cgroup != "/") {
        if (cgroup.front() != '/') out += '/';
        out += cgroup;
    }
    return out;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double dir_limit(const std::string& dir, bool v2) {
    if (v2) {
        auto max = read_file(dir + "/cpu.max");
        return max ? cpu_max_limit(*max) : 0;
    }
    auto quota = read_file(dir + "/cpu.cfs_quota_us");
    auto period = read_file(dir + "/cpu.cfs_period_us");
    return quota && period ? cfs_limit(*quota, *period) : 0;
}

}  // namespace

std::vector<cpu_limit_dir> cpu_limit_dirs(std::string_view proc_self_cgroup, std::string_view mountinfo) {
    // /proc/self/cgroup: "0::/path" for v2, "N:cpu,cpuacct:/path" for v1.
    std::optional<std::string_view> v2_path, v1_path;
    for_each_line(proc_self_cgroup, [&](std::string_view line) {
        std::size_t a = line.find(':');
        std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
        if (b == std::string_view::npos) return;
        std::string_view controllers = line.substr(a + 1, b - a - 1);
        std::string_view path = line.substr(b + 1);
        if (line.substr(0, a) == "0" && controllers.empty()) v2_path = path;
        else if (list_has(controllers, "cpu")) v1_path = path;
    });
    // mountinfo: "id parent dev root mount-point options [optional...] - fstype source super-options".
    std::vector<cpu_limit_dir> out;
    for_each_line(mountinfo, [&](std::string_view line) {
        std::vector<std::string_view> w = words(line);
        std::size_t dash = 0;
        while (dash < w.size() && w[dash] != "-") ++dash;
        if (dash < 5 || dash + 1 >= w.size()) return;
        std::string_view root = w[3], mount_point = w[4], fstype = w[dash + 1];
        std::string_view super_options = dash + 3 < w.size() ? w[dash + 3] : std::string_view{};
        if (fstype == "cgroup2" && v2_path) {
            out.push_back({join(mount_point, root, *v2_path), std::string(mount_point), true});
            v2_path.reset();
        } else if (fstype == "cgroup" && v1_path && list_has(super_options, "cpu")) {
            out.push_back({join(mount_point, root, *v1_path), std::string(mount_point), false});
            v1_path.reset();
        }
    });
    return out;
}

double cpu_max_limit(std::string_view cpu_max) noexcept {
    std::vector<std::string_view> w = words(cpu_max);
    if (w.size() != 2 || w[0] == "max") return 0;
    auto quota = to_integer(w[0]);
    auto period = to_integer(w[1]);
    if (!quota || !period || *quota <= 0 || *period <= 0) return 0;
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

double cfs_limit(std::string_view quota_us, std::string_view period_us) noexcept {
    std::vector<std::string_view> q = words(quota_us), p = words(period_us);
    if (q.size() != 1 || p.size() != 1) return 0;
    auto quota = to_integer(q[0]);
    auto period = to_integer(p[0]);
    if (!quota || !period || *quota <= 0 || *period <= 0) return 0;  // -1: no limit
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

unsigned ring_count(unsigned affinity_cpus, double limit_cpus) noexcept {
    unsigned n = affinity_cpus > 0 ? affinity_cpus : 1;
    if (limit_cpus > 0) {
        double up = std::ceil(limit_cpus);
        if (up < n) n = static_cast<unsigned>(up);
    }
    return n > 0 ? n : 1;
}

double cgroup_cpu_limit(const std::vector<cpu_limit_dir>& dirs) {
    double lowest = 0;
    for (const cpu_limit_dir& d : dirs) {
        // A parent's limit bounds its children too: walk up to the mount point.
        std::string dir = d.path;
        for (;;) {
            double limit = dir_limit(dir, d.v2);
            if (limit > 0 && (lowest == 0 || limit < lowest)) lowest = limit;
            if (dir.size() <= d.mount_point.size()) break;
            std::size_t slash = dir.rfind('/');
            if (slash == std::string::npos || slash < d.mount_point.size()) break;
            dir.resize(slash);
        }
    }
    return lowest;
}

unsigned default_ring_count() {
    unsigned affinity = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) affinity = static_cast<unsigned>(CPU_COUNT(&set));
    if (affinity == 0) {
        long online = ::sysconf(_SC_NPROCESSORS_ONLN);
        affinity = online > 0 ? static_cast<unsigned>(online) : 1;
    }
    auto cgroup = read_file("/proc/self/cgroup");
    auto mountinfo = read_file("/proc/self/mountinfo");
    double limit = cgroup && mountinfo ? cgroup_cpu_limit(cpu_limit_dirs(*cgroup, *mountinfo)) : 0;
    return ring_count(affinity, limit);
}

}  // namespace ringhttp::engine
