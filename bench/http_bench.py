#!/usr/bin/env python3
"""End-to-end HTTP benchmark: ringhttp's hello against its peers, same run.

Each server is pinned to CPU 0 and wrk to CPU 1 (taskset). Rounds interleave
the servers so that machine noise hits all of them alike; the table reports
medians over rounds. For each run: requests/s, latency p50/p99 (wrk
--latency), and the server's CPU time per request (utime+stime from
/proc/PID/stat over the requests wrk completed). Every peer is checked to
answer "Hello world!\\n" before its numbers are trusted.

Usage: bench/http_bench.py [--rounds N] [--duration S] [--connections C]
                           [--servers ringhttp,nginx,go] [--build DIR]
Prints a markdown table; --out FILE also writes it there.
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
GO = "/usr/lib/go-1.23/bin/go"


def say(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    """utime+stime of pid and its threads, in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def wait_ready(port, proc, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1) as r:
                return r.read()
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not answer on port %d" % port)


class Server:
    def __init__(self, name, argv_for_port, workdir=None):
        self.name = name
        self.argv_for_port = argv_for_port
        self.workdir = workdir

    def start(self, port):
        argv = ["taskset", "-c", "0"] + self.argv_for_port(port)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.workdir)
        body = wait_ready(port, self.proc)
        if body != b"Hello world!\n":
            raise RuntimeError("%s answered %r" % (self.name, body))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def build_ringhttp(build):
    say("building tools/hello in %s" % build)
    if not os.path.exists(os.path.join(build, "build.ninja")):
        subprocess.run(["meson", "setup", build, "--buildtype=release", "-Dtests=false"], check=True, cwd=ROOT,
                       stdout=sys.stderr)
    subprocess.run(["ninja", "-C", build, "tools/hello"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, build, "tools", "hello")


def build_go(tmp):
    say("building the Go seed program with Go 1.23")
    out = os.path.join(tmp, "go_seed")
    env = dict(os.environ, GOCACHE=os.path.join(tmp, "gocache"), GOPATH=os.path.join(tmp, "gopath"),
               GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="0")
    subprocess.run([GO, "build", "-C", os.path.join(ROOT, "bench", "go_seed"), "-o", out, "."], check=True, env=env)
    return out


def nginx_config(tmp, port):
    conf = os.path.join(tmp, "nginx-%d.conf" % port)
    with open(conf, "w") as f:
        f.write("""
worker_processes 1;
master_process off;
daemon off;
pid %(tmp)s/nginx-%(port)d.pid;
error_log %(tmp)s/nginx-error.log crit;
events { worker_connections 16384; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000;
  client_body_temp_path %(tmp)s;
  server {
    listen 127.0.0.1:%(port)d backlog=4096;
    location / { return 200 "Hello world!\\n"; }
  }
}
""" % {"tmp": tmp, "port": port})
    return conf


def run_wrk(port, duration, connections, pid):
    before = cpu_ticks(pid)
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c%d" % connections, "-d%ds" % duration, "--latency",
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True, timeout=duration + 60).stdout
    after = cpu_ticks(pid)
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M)
        v = float(m.group(1))
        return v * {"us": 1, "ms": 1000, "s": 1e6}[m.group(2)]

    errors = "Socket errors" in out or "Non-2xx" in out
    cpu_us = (after - before) / CLK_TCK * 1e6 / max(reqs, 1)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "cpu_us": cpu_us, "errors": errors}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--servers", default="ringhttp,nginx,go")
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--out")
    args = ap.parse_args()
    names = args.servers.split(",")
    tmp = tempfile.mkdtemp(prefix="ringhttp-bench-")
    servers = []
    if "ringhttp" in names:
        hello = build_ringhttp(args.build)
        servers.append(Server("ringhttp", lambda p: [hello, "--addr", "127.0.0.1:%d" % p]))
    if "nginx" in names:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        servers.append(Server("nginx", lambda p: [nginx, "-e", os.path.join(tmp, "nginx-error.log"), "-c", nginx_config(tmp, p), "-p", tmp]))
    if "go" in names:
        go_bin = build_go(tmp)
        servers.append(Server("go", lambda p: [go_bin, "-addr", "127.0.0.1:%d" % p],))
    runs = {s.name: [] for s in servers}
    for rnd in range(1, args.rounds + 1):
        for s in servers:
            port = free_port()
            say("round %d/%d: %s, %d connections, %ds" % (rnd, args.rounds, s.name, args.connections, args.duration))
            s.start(port)
            try:
                r = run_wrk(port, args.duration, args.connections, s.proc.pid)
            finally:
                s.stop()
            if r["errors"]:
                say("  %s had errors: its numbers are dropped" % s.name)
                continue
            say("  %.0f req/s, p50 %.0f us, p99 %.0f us, %.2f us CPU/request" % (r["rps"], r["p50"], r["p99"], r["cpu_us"]))
            runs[s.name].append(r)
    ref = servers[0].name
    med = {n: {k: statistics.median([r[k] for r in rs]) for k in ("rps", "p50", "p99", "cpu_us")}
           for n, rs in runs.items() if rs}
    lines = ["| server | requests/s | vs %s | p50 (us) | p99 (us) | server CPU per request (us) | runs |" % ref,
             "|---|---:|---:|---:|---:|---:|---:|"]
    for n, m in med.items():
        ratio = m["rps"] / med[ref]["rps"] if ref in med else float("nan")
        lines.append("| %s | %.0f | %.2f | %.0f | %.0f | %.2f | %d |" % (n, m["rps"], ratio, m["p50"], m["p99"],
                                                                     m["cpu_us"], len(runs[n])))
    table = "\n".join(lines)
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table + "\n")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
