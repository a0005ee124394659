#!/usr/bin/env python3
"""Handlers that wait, against Go 1.23 in the same run (issue 13).

64 connections (wrk on CPU 1) against one ring of bench/waiting_server (CPU
0) and against bench/go_waiting with GOMAXPROCS=1 (CPU 0), each handler
waiting 200 ms: /sleep parks (ringhttp::sleep_for, time.Sleep); /blocking
makes a blocking call (run_blocking(usleep), a nanosleep system call in Go).
Rounds are interleaved; it prints the medians of requests/s, p50 and p99 and
the median of per-round ringhttp/Go ratios of requests/s.

usage: bench/waiting_bench.py [--rounds 3] [--duration 10] [--build build-bench]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build(build_dir):
    if not os.path.exists(os.path.join(ROOT, build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release", "-Dtests=false"], check=True, cwd=ROOT,
                       stdout=sys.stderr)
    subprocess.run(["ninja", "-C", build_dir, "bench/waiting_server"], check=True, cwd=ROOT, stdout=sys.stderr)
    return os.path.join(ROOT, build_dir, "bench", "waiting_server")


def build_go(tmp):
    out = os.path.join(tmp, "go_waiting")
    env = dict(os.environ, GOCACHE=os.path.join(tmp, "gocache"), GOPATH=os.path.join(tmp, "gopath"),
               GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="0")
    subprocess.run([hb.GO, "build", "-C", os.path.join(ROOT, "bench", "go_waiting"), "-o", out, "."], check=True,
                   env=env)
    return out


def wrk(port, path, duration):
    argv = ["taskset", "-c", "1", "wrk", "-t1", "-c64", "-d%ds" % duration, "--timeout", "10s", "--latency",
            "http://127.0.0.1:%d%s" % (port, path)]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)s", out)

    def pct(p):
        m2 = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M)
        return float(m2.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m2.group(2)]

    return {"rps": int(m.group(1)) / float(m.group(2)), "p50": pct(50), "p99": pct(99),
            "errors": "Socket errors" in out or "Non-2xx" in out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--build", default="build-bench")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ringhttp-waiting-")
    servers = {
        "ringhttp": hb.Server("ringhttp", lambda p, exe=build(args.build): [exe, "--addr", "127.0.0.1:%d" % p,
                                                                           "--threads", "1"]),
        "go": hb.Server("go", lambda p, exe=build_go(tmp): [exe, "-addr", "127.0.0.1:%d" % p],
                        env={"GOMAXPROCS": "1"}),
    }
    results = {}
    for r in range(args.rounds):
        for path in ("/sleep", "/blocking"):
            for name in (("ringhttp", "go") if r % 2 == 0 else ("go", "ringhttp")):
                port = hb.free_port()
                s = servers[name]
                s.start(port)
                try:
                    res = wrk(port, path, args.duration)
                finally:
                    s.stop()
                results.setdefault((path, name), []).append(res)
                hb.say("round %d %s %s: %.0f req/s, p50 %.1f ms, p99 %.1f ms%s" %
                       (r + 1, path, name, res["rps"], res["p50"], res["p99"], " (errors)" if res["errors"] else ""))
    print("\n== medians of %d rounds, 64 connections, a 200 ms wait per request, one ring vs GOMAXPROCS=1" % args.rounds)
    for path in ("/sleep", "/blocking"):
        for name in ("ringhttp", "go"):
            rs = results[(path, name)]
            print("%-9s %-8s %8.1f req/s  p50 %7.1f ms  p99 %7.1f ms" %
                  (path, name, statistics.median(x["rps"] for x in rs), statistics.median(x["p50"] for x in rs),
                   statistics.median(x["p99"] for x in rs)))
        ratio = statistics.median(a["rps"] / b["rps"] for a, b in zip(results[(path, "ringhttp")], results[(path, "go")]))
        print("%-9s ringhttp/go requests/s %.3f (median of per-round ratios)" % (path, ratio))


if __name__ == "__main__":
    main()
