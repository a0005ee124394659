// ringhttp: how many rings to run when server_options::threads is 0.
//
// One ring per CPU the process may actually use: the CPUs in its affinity
// mask (taskset, a cpuset), capped by its cgroup's CPU bandwidth limit
// rounded up (a container's --cpus=1.5 allows 2), as Go 1.25 sizes
// GOMAXPROCS, with two differences: no floor of 2 (Go keeps two for its
// garbage collector; a ring is a thread that wants a whole CPU), and the
// limits of the parent cgroups count too (Go reads the process's own).
// Counting online CPUs instead puts several rings on one CPU, where they only
// take turns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ringhttp::engine {

/// cpu_limit_dir is a cgroup directory whose CPU bandwidth limit applies to
/// this process, with the mount point it lies under (the walk to its
/// ancestors stops there).
struct cpu_limit_dir {
    std::string path;
    std::string mount_point;
    bool v2 = false;  // cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us, cpu.cfs_period_us)
};

/// cpu_limit_dirs finds, from the text of /proc/self/cgroup and
/// /proc/self/mountinfo, the directories of the cgroups that hold this
/// process: the v2 one and the v1 cpu controller's one, where mounted.
std::vector<cpu_limit_dir> cpu_limit_dirs(std::string_view proc_self_cgroup, std::string_view mountinfo);

/// cpu_max_limit parses a cgroup v2 cpu.max ("150000 100000"): the CPUs it
/// allows (1.5), or 0 for "max" or text it does not understand.
double cpu_max_limit(std::string_view cpu_max) noexcept;

/// cfs_limit parses cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us the
/// same way; a quota of -1 means no limit (0).
double cfs_limit(std::string_view quota_us, std::string_view period_us) noexcept;

/// ring_count is the ring count for affinity_cpus allowed CPUs under a
/// bandwidth limit of limit_cpus (0: none): the limit rounded up, at most
/// affinity_cpus, at least 1.
unsigned ring_count(unsigned affinity_cpus, double limit_cpus) noexcept;

/// cgroup_cpu_limit reads the limits of dirs and of their ancestors up to
/// each mount point and returns the smallest (0: none).
double cgroup_cpu_limit(const std::vector<cpu_limit_dir>& dirs);

/// default_ring_count is ring_count for this process now: its affinity mask
/// and its cgroups' limits.
unsigned default_ring_count();

}  // namespace ringhttp::engine
