#!/usr/bin/env python3
"""Same-run A/B of tools/hello at two commits: is a change free?

Builds tools/hello (release) at commit A and at B (default: HEAD), each in its own worktree and
build directory under /tmp, then interleaves rounds A, B, A, B, ... with the
server on CPU 0 and wrk on CPU 1 (as bench/http_bench.py does): non-pipelined
server CPU per request at 64 connections (c64) and pipelined requests/s at
depth 16 (pipe16). Then idle RSS per keep-alive connection and callgrind's
user-space instructions per request for both. Prints medians and B/A ratios
of per-round pairs.

usage: bench/ab_bench.py --a COMMIT [--b COMMIT] [--rounds 7] [--duration 5] [--idle 10000]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_at(commit, tag):
    """A worktree of commit and a release build of tools/hello in it."""
    sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    tree = os.path.join(tempfile.gettempdir(), "ringhttp-ab-%s-%s" % (tag, sha))
    if not os.path.isdir(tree):
        subprocess.run(["git", "worktree", "add", "--detach", tree, sha], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bdir = os.path.join(tree, "build-ab")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        subprocess.run(["meson", "setup", bdir, "--buildtype=release", "-Dtests=false", "-Dbenchmarks=false"],
                       cwd=tree, check=True, stdout=subprocess.DEVNULL)
    hb.say("building %s (%s)" % (commit, sha))
    subprocess.run(["ninja", "-C", bdir, "tools/hello"], check=True, stdout=subprocess.DEVNULL)
    return sha, bdir


def hello(name, bdir):
    return hb.Server(name, lambda p: [os.path.join(bdir, "tools", "hello"), "--addr", "127.0.0.1:%d" % p,
                                      "--threads", "1"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="the baseline commit")
    ap.add_argument("--b", default="HEAD", help="the commit to compare (default HEAD)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--no-callgrind", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ringhttp-ab-")
    builds = {"A": build_at(args.a, "a"), "B": build_at(args.b, "b")}
    servers = {k: hello("%s %s" % (k, sha), bdir) for k, (sha, bdir) in builds.items()}
    runs = {(k, w): [] for k in servers for w in ("c64", "pipe16")}
    for rnd in range(1, args.rounds + 1):
        order = ("A", "B") if rnd % 2 else ("B", "A")
        for w in ("c64", "pipe16"):
            for k in order:
                port = hb.free_port()
                servers[k].start(port)
                try:
                    r = hb.run_wrk(port, args.duration, w, servers[k].pid(), tmp)
                finally:
                    servers[k].stop()
                hb.say("round %d %s %s: %.0f req/s, %.3f us CPU/request (%.3f user), p99 %.0f us" %
                       (rnd, w, servers[k].name, r["rps"], r["cpu_us"], r["user_us"], r["p99"]))
                if not r["errors"]:
                    r["round"] = rnd
                    runs[(k, w)].append(r)
    if args.rounds:
        print("\n== medians of %d rounds (server on CPU 0, wrk on CPU 1)" % args.rounds)
    for w, key, what in (("c64", "cpu_us", "server CPU us/request"), ("c64", "user_us", "of it user"),
                         ("c64", "p99", "p99 us"), ("pipe16", "rps", "req/s"), ("pipe16", "cpu_us", "server CPU us/request")):
        if not args.rounds:
            break
        a = [r[key] for r in runs[("A", w)]]
        b = [r[key] for r in runs[("B", w)]]
        by_round = {r["round"]: r[key] for r in runs[("A", w)]}
        pairs = [r[key] / by_round[r["round"]] for r in runs[("B", w)] if by_round.get(r["round"])]
        print("%-7s %-24s A %10.3f  B %10.3f  B/A %.3f (median of per-round ratios)" %
              (w, what, statistics.median(a), statistics.median(b), statistics.median(pairs) if pairs else 0))
    if args.idle:
        for k in ("A", "B"):
            print("idle    RSS per connection      %s %.0f bytes (%d connections)" %
                  (k, hb.idle_rss(servers[k], args.idle), args.idle))
    if not args.no_callgrind and shutil.which("valgrind"):
        for k, (sha, bdir) in builds.items():
            cg = hb.callgrind_per_request(bdir)
            print("callgrind %s %s: c1 %.0f, pipe16 %.0f instructions per request" % (k, sha, cg["c1"], cg["pipe16"]))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
