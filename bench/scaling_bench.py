#!/usr/bin/env python3
"""Multi-ring scaling: ringhttp with 1, 2, 4, 8 rings beside nginx with as
many workers and Go with as many GOMAXPROCS, on a machine with more cores.

The server gets the first N of --server-cpus (ringhttp pins ring i to the
i-th of them, nginx pins worker i likewise, Go is confined to them), wrk
runs on --wrk-cpus with one thread per CPU. Workloads: `c256` (256
connections, one request at a time) and `pipe16` (256 connections, 16
pipelined requests per write; ringhttp and nginx). Every server must answer
a GET and 16 pipelined GETs correctly before its numbers count. Rounds
interleave servers and ring counts; results are medians.

The machine that has the cores need not have the build tools, so this runs
in three steps:
  bench/scaling_bench.py pack DIR        build here; copy hello, the Go seed
                                         program, wrk, nginx and the shared
                                         libraries they need into DIR
  bench/scaling_bench.py run DIR OUT     on the big machine: run, writing
                                         OUT/scaling.jsonl (one line per run)
                                         and OUT/scaling.log as it goes
  bench/scaling_bench.py report OUT/scaling.jsonl [--update]
                                         medians, as rows of bench/RESULTS.md
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import http_bench as hb  # noqa: E402
import results  # noqa: E402

# Libraries every Linux has (and that must match its loader): never packed.
SYSTEM_LIBS = ("linux-vdso", "libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "ld-linux")


def cpu_list(spec):
    """'0-3,8' -> [0, 1, 2, 3, 8]"""
    cpus = []
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        cpus += range(int(lo), int(hi or lo) + 1)
    return cpus


def shared_libs(binary):
    # ldd fails on a static binary (the Go program): it needs nothing.
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split("=>")
        if len(parts) == 2 and not any(parts[0].strip().startswith(s) for s in SYSTEM_LIBS):
            path = parts[1].split("(")[0].strip()
            if path:
                yield path


def pack(args):
    dest = os.path.abspath(args.dir)
    os.makedirs(os.path.join(dest, "lib"), exist_ok=True)
    bdir = hb.build(args.build)
    tmp = tempfile.mkdtemp(prefix="ringhttp-scaling-")
    binaries = {
        "hello": os.path.join(bdir, "tools", "hello"),
        "go_seed": hb.build_go(tmp),
        "wrk": shutil.which("wrk"),
        "nginx": shutil.which("nginx") or "/usr/sbin/nginx",
    }
    for name, path in binaries.items():
        shutil.copy(path, os.path.join(dest, name))
        for lib in shared_libs(path):
            shutil.copy(lib, os.path.join(dest, "lib", os.path.basename(lib)))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout.strip()
    with open(os.path.join(dest, "BUILD"), "w") as f:
        f.write("%s%s\n" % (commit, " (with uncommitted changes)" if dirty else ""))
    shutil.rmtree(tmp, ignore_errors=True)
    hb.say("packed %s into %s" % (", ".join(binaries), dest))


def tree_ticks(pid):
    """CPU ticks of a process and its children (nginx's workers)."""
    total = hb.cpu_ticks(pid)
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            children = [int(c) for c in f.read().split()]
    except OSError:  # no CONFIG_PROC_CHILDREN: look for them
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry) as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                            children.append(int(entry))
                except OSError:
                    pass
    for child in children:
        try:
            total += hb.cpu_ticks(child)
        except OSError:
            pass
    return total


def run(args):
    pack_dir = os.path.abspath(args.dir)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "scaling.log"), "a")
    out = open(os.path.join(args.out, "scaling.jsonl"), "a")

    def say(msg):
        hb.say(msg)
        log.write(msg + "\n")
        log.flush()

    os.environ["LD_LIBRARY_PATH"] = os.path.join(pack_dir, "lib")
    server_cpus, wrk_cpus = cpu_list(args.server_cpus), cpu_list(args.wrk_cpus)
    rings = [int(n) for n in args.rings.split(",")]
    if max(rings) > len(server_cpus):
        sys.exit("more rings than server CPUs")
    tmp = tempfile.mkdtemp(prefix="ringhttp-scaling-")
    with open(os.path.join(pack_dir, "BUILD")) as f:
        build = f.read().strip()
    say("build %s; %d CPUs online; kernel %s" % (build, os.cpu_count(), os.uname().release))

    def server(name, n):
        cpus = server_cpus[:n]
        cpuspec = ",".join(map(str, cpus))
        if name == "ringhttp":
            s = hb.Server(name, lambda p: [os.path.join(pack_dir, "hello"), "--addr", "127.0.0.1:%d" % p,
                                           "--threads", str(n), "--pin"])
        elif name == "go":
            s = hb.Server(name, lambda p: [os.path.join(pack_dir, "go_seed"), "-addr", "127.0.0.1:%d" % p],
                          env={"GOMAXPROCS": str(n)})
        else:
            s = hb.nginx_server(tmp, binary=os.path.join(pack_dir, "nginx"), workers=n, cpus=cpus)
        return s, ["taskset", "-c", cpuspec]

    plan = [(w, name) for w in args.workloads.split(",") for name in args.servers.split(",")
            if not (w == "pipe16" and name == "go")]
    for rnd in range(1, args.rounds + 1):
        for n in rings:
            for w, name in plan:
                s, prefix = server(name, n)
                port = hb.free_port()
                say("round %d/%d, %d rings, %s: %s" % (rnd, args.rounds, n, w, name))
                try:
                    s.start(port, pin=False, prefix=prefix)
                    r = hb.run_wrk(port, args.duration, w, s.pid(), tmp, cpus=args.wrk_cpus, threads=len(wrk_cpus),
                                   connections=args.connections, wrk=os.path.join(pack_dir, "wrk"),
                                   server_ticks=lambda: tree_ticks(s.pid()))
                except Exception as e:  # one failed run is reported, the rest go on
                    say("  failed: %s" % e)
                    try:
                        with open(os.path.join(tmp, "nginx-error.log")) as f:
                            say("  nginx's error log: %s" % f.read()[-500:])
                    except OSError:
                        pass
                    continue
                finally:
                    if s.proc is not None:
                        s.stop()
                if r["errors"]:
                    say("  socket errors or non-2xx answers: run dropped")
                    continue
                say("  %.0f req/s, p50 %.0f us, p99 %.0f us, %.2f us server CPU/request, wrk %.0f%% CPU" %
                    (r["rps"], r["p50"], r["p99"], r["cpu_us"], r["wrk_cpu"]))
                out.write(json.dumps(dict(r, server=name, workload=w, rings=n, round=rnd, build=build,
                                          connections=args.connections, wrk_threads=len(wrk_cpus),
                                          server_cpus=args.server_cpus, wrk_cpus=args.wrk_cpus,
                                          online_cpus=os.cpu_count())) + "\n")
                out.flush()
    shutil.rmtree(tmp, ignore_errors=True)


def report(args):
    runs = [json.loads(line) for line in open(args.jsonl) if line.strip()]
    groups = {}
    for r in runs:
        groups.setdefault((r["workload"], r["server"]), {}).setdefault(r["rings"], []).append(r)
    today = datetime.date.today().isoformat()
    all_rings = sorted({r["rings"] for r in runs})
    rows = []
    for (w, name), by_rings in sorted(groups.items()):
        ns = sorted(by_rings)
        # Runs with socket errors are dropped by run(); say where none is left.
        missing = [n for n in all_rings if n not in by_rings]
        med = {n: {k: statistics.median(r[k] for r in by_rings[n]) for k in ("rps", "p99", "cpu_us", "wrk_cpu")}
               for n in ns}
        base = med[ns[0]]["rps"] / ns[0]
        rounds = min(len(by_rings[n]) for n in ns)
        # wrk's percentiles are per batch when pipelining; left out there.
        p99 = "" if w == "pipe16" else "; p99 %s us" % "/".join("%.0f" % med[n]["p99"] for n in ns)
        result = "%s rings: %s req/s (%s x %s)%s; %s us server CPU/req; wrk %s%% CPU%s" % (
            "/".join(map(str, ns)),
            "/".join("%.0f" % med[n]["rps"] for n in ns),
            "/".join("%.1f" % (med[n]["rps"] / base) for n in ns),
            "one ring" if ns[0] == 1 else "%d rings' rate per ring" % ns[0],
            p99,
            "/".join("%.2f" % med[n]["cpu_us"] for n in ns),
            "/".join("%.0f" % med[n]["wrk_cpu"] for n in ns),
            "; at %s: every run had socket errors, none counted" % "/".join(map(str, missing)) if missing else "")
        r0 = by_rings[ns[0]][0]
        rows.append({"date": args.date or today, "benchmark": "scaling %s" % w, "subject": name, "result": result,
                     "vs": "%d-CPU machine, server on CPUs %s, wrk %d threads on %s, %d connections, build %s"
                           % (r0["online_cpus"], r0["server_cpus"], r0["wrk_threads"], r0["wrk_cpus"],
                              r0["connections"], r0["build"]),
                     "command": "bench/scaling_bench.py pack .scaling; run .scaling OUT (there); report %s "
                                "--update (median of %d)" % (os.path.relpath(args.jsonl, ROOT), rounds)})
    # ringhttp against the others at each ring count, same run.
    for w in sorted({w for w, _ in groups}):
        mine = groups.get((w, "ringhttp"))
        if not mine:
            continue
        for other in ("nginx", "go"):
            theirs = groups.get((w, other))
            if not theirs:
                continue
            ns = sorted(set(mine) & set(theirs))
            ratio = "/".join("%.2f" % (statistics.median(r["rps"] for r in mine[n]) /
                                       statistics.median(r["rps"] for r in theirs[n])) for n in ns)
            print("%s: ringhttp / %s req/s at %s rings: %s" % (w, other, "/".join(map(str, ns)), ratio))
    for r in rows:
        print("| %(date)s | %(benchmark)s | %(subject)s | %(result)s | %(vs)s | `%(command)s` |" % r)
    if args.update:
        results.update(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("pack")
    p.add_argument("dir")
    p.add_argument("--build", default="build-bench")
    p = sub.add_parser("run")
    p.add_argument("dir")
    p.add_argument("out")
    p.add_argument("--rings", default="1,2,4,8")
    p.add_argument("--server-cpus", default="0-7")
    p.add_argument("--wrk-cpus", default="8-15")
    p.add_argument("--servers", default="ringhttp,nginx,go")
    p.add_argument("--workloads", default="c256,pipe16")
    p.add_argument("--connections", type=int, default=256)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=int, default=4)
    p = sub.add_parser("report")
    p.add_argument("jsonl")
    p.add_argument("--date", help="the date the runs were made (default: today)")
    p.add_argument("--update", action="store_true", help="write the rows into bench/RESULTS.md")
    args = ap.parse_args()
    {"pack": pack, "run": run, "report": report}[args.step](args)


if __name__ == "__main__":
    main()
