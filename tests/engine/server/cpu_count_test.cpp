// The default ring count: cgroup files parsed, the limit rounded up and
// capped by the affinity mask.
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/server/cpu_count.hpp"

using namespace ringhttp::engine;

TEST_CASE("cpu_count: cgroup v2 cpu.max is quota over period, 'max' is no limit", "[cpu_count]") {
    CHECK(cpu_max_limit("150000 100000\n") == 1.5);
    CHECK(cpu_max_limit("100000 100000") == 1.0);
    CHECK(cpu_max_limit("50000 100000\n") == 0.5);
    CHECK(cpu_max_limit("max 100000\n") == 0);
    CHECK(cpu_max_limit("") == 0);
    CHECK(cpu_max_limit("garbage") == 0);
    CHECK(cpu_max_limit("10x 100000") == 0);
    CHECK(cpu_max_limit("100000 0") == 0);
}

TEST_CASE("cpu_count: cgroup v1 cfs quota and period, -1 is no limit", "[cpu_count]") {
    CHECK(cfs_limit("200000\n", "100000\n") == 2.0);
    CHECK(cfs_limit("-1\n", "100000\n") == 0);
    CHECK(cfs_limit("", "100000") == 0);
}

TEST_CASE("cpu_count: the limit rounds up and never exceeds the allowed CPUs", "[cpu_count]") {
    struct row {
        unsigned affinity;
        double limit;
        unsigned rings;
    };
    auto r = GENERATE(row{8, 0, 8}, row{8, 1.5, 2}, row{8, 2.0, 2}, row{8, 0.25, 1}, row{2, 16, 2},
                      row{1, 0, 1}, row{0, 0, 1}, row{16, 7.01, 8});
    CAPTURE(r.affinity, r.limit);
    CHECK(ring_count(r.affinity, r.limit) == r.rings);
}

TEST_CASE("cpu_count: the cgroup directories come from /proc/self/cgroup and mountinfo", "[cpu_count]") {
    SECTION("cgroup v2, unified") {
        auto dirs = cpu_limit_dirs("0::/system.slice/app.service\n",
                                   "24 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        REQUIRE(dirs.size() == 1);
        CHECK(dirs[0].v2);
        CHECK(dirs[0].path == "/sys/fs/cgroup/system.slice/app.service");
        CHECK(dirs[0].mount_point == "/sys/fs/cgroup");
    }
    SECTION("cgroup v1 cpu controller beside a v2 hierarchy without it (hybrid)") {
        auto dirs = cpu_limit_dirs("4:memory:/x\n1:cpu,cpuacct:/docker/abc\n0::/\n",
                                   "32 31 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                                   "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                                   "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
        REQUIRE(dirs.size() == 2);
        CHECK_FALSE(dirs[0].v2);
        CHECK(dirs[0].path == "/sys/fs/cgroup/cpu,cpuacct/docker/abc");
        CHECK(dirs[1].v2);
        CHECK(dirs[1].path == "/sys/fs/cgroup/unified");
    }
    SECTION("a container whose mount shows its own cgroup as the root") {
        auto dirs = cpu_limit_dirs("0::/kubepods/pod1/c1\n",
                                   "500 400 0:30 /kubepods/pod1/c1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n");
        REQUIRE(dirs.size() == 1);
        CHECK(dirs[0].path == "/sys/fs/cgroup");
    }
    SECTION("no cgroup mounted") {
        CHECK(cpu_limit_dirs("0::/\n", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n").empty());
    }
}

TEST_CASE("cpu_count: the smallest limit on the way up to the mount point applies", "[cpu_count]") {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("ringhttp-cgroup-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "parent" / "child");
    auto write = [](const fs::path& p, const std::string& text) { std::ofstream(p) << text; };
    write(root / "cpu.max", "max 100000\n");
    write(root / "parent" / "cpu.max", "150000 100000\n");
    write(root / "parent" / "child" / "cpu.max", "max 100000\n");
    const std::vector<cpu_limit_dir> dirs{{(root / "parent" / "child").string(), root.string(), true}};
    CHECK(cgroup_cpu_limit(dirs) == 1.5);
    write(root / "parent" / "child" / "cpu.max", "50000 100000\n");
    CHECK(cgroup_cpu_limit(dirs) == 0.5);
    fs::remove_all(root);
}

TEST_CASE("cpu_count: this process's default is within its affinity mask", "[cpu_count]") {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
    const unsigned n = default_ring_count();
    CHECK(n >= 1);
    CHECK(n <= static_cast<unsigned>(CPU_COUNT(&set)));
}
