#!/usr/bin/env python3
"""End-to-end HTTP benchmarks: ringhttp against the floor and its peers.

Servers, each a single core's worth (one ring, one worker, GOMAXPROCS=1,
one thread):
  ringhttp  tools/hello --threads 1 (the seed program)
  floor     bench/floor_server (io_uring, canned reply per request, no parsing)
  nginx     1 worker, `return 200 "Hello world!\\n"`
  go        the seed program on net/http, Go 1.23, GOMAXPROCS=1
  h2o       1 thread, a static file holding "Hello world!\\n"

Each server is pinned to CPU 0 and wrk to CPU 1. Rounds interleave the
servers so machine noise hits all alike; results are medians over rounds,
and ratios between servers medians of the ratios within each round.
Workloads: `c64` (64 connections, one request at a time) and `pipe16` (64
connections, 16 pipelined requests per write). Per run: requests/s,
latency p50/p99 (wrk --latency; per batch for pipe16), the server's CPU time
per request (utime+stime from /proc over the requests wrk completed, and
the user-space part of it) and
wrk's own CPU use (wrk on one core saturates near 130k requests/s here).
Before any number is trusted, every server must answer a GET and 16
pipelined GETs with "Hello world!\\n".

Then, for the servers that support it: RSS per idle keep-alive connection
(10,000 connections that each sent one request), and callgrind's
user-space instructions per request for ringhttp.

Usage: bench/http_bench.py [--rounds N] [--duration S] [--servers LIST]
          [--workloads c64,pipe16] [--idle N] [--no-callgrind] [--update]
--update rewrites this benchmark's rows of bench/RESULTS.md (in place) and
redraws bench/results.svg with gnuplot.
"""
import argparse
import datetime
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import results  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
GO = "/usr/lib/go-1.23/bin/go"
BODY = b"Hello world!\n"
PIPELINE_LUA = """
init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
"""


def say(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    """utime+stime of a process (all its threads), in clock ticks."""
    return sum(cpu_ticks_split(pid))


def cpu_ticks_split(pid):
    """(utime, stime) of a process (all its threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raise_nofile():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    want = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def http_get(port, pipelined=1, timeout=5.0):
    """Sends `pipelined` GETs at once; returns the bodies of the responses."""
    req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * pipelined
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(req)
        data = b""
        end = time.monotonic() + timeout
        while data.count(BODY) < pipelined and time.monotonic() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


class Server:
    def __init__(self, name, argv, env=None, cwd=None):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.proc = None

    def start(self, port, pin=True, prefix=()):
        argv = list(prefix) + self.argv(port)
        if pin:
            argv = ["taskset", "-c", "0"] + argv
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                     cwd=self.cwd, preexec_fn=raise_nofile)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s" % (self.name, self.proc.returncode))
            try:
                data = http_get(port, 1, timeout=1)
                if data.count(BODY) == 1:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("%s did not answer on port %d" % (self.name, port))
        # Trust no number from a server that does not answer correctly.
        if http_get(port, 1).count(BODY) != 1 or http_get(port, 16).count(BODY) != 16:
            raise RuntimeError("%s answered wrongly" % self.name)

    def pid(self):
        # taskset execs the server, so the pid is the server's.
        return self.proc.pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def build(build_dir):
    say("building tools/hello and bench/floor_server (release) in %s" % build_dir)
    if not os.path.exists(os.path.join(ROOT, build_dir, "build.ninja")):
        subprocess.run(["meson", "setup", build_dir, "--buildtype=release", "-Dtests=false"], check=True, cwd=ROOT,
                       stdout=sys.stderr)
    subprocess.run(["ninja", "-C", build_dir, "tools/hello", "bench/floor_server"], check=True, cwd=ROOT,
                   stdout=sys.stderr)
    return os.path.join(ROOT, build_dir)


def build_go(tmp):
    say("building the Go seed program with Go 1.23")
    out = os.path.join(tmp, "go_seed")
    env = dict(os.environ, GOCACHE=os.path.join(tmp, "gocache"), GOPATH=os.path.join(tmp, "gopath"),
               GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="0")
    subprocess.run([GO, "build", "-C", os.path.join(ROOT, "bench", "go_seed"), "-o", out, "."], check=True, env=env)
    return out


def nginx_server(tmp, binary=None, workers=1, cpus=None):
    """nginx answering "Hello world!\\n": one worker with no master process
    (the default), or `workers` pinned one to each of `cpus` behind a master,
    with a SO_REUSEPORT listener each (bench/scaling_bench.py)."""
    nginx = binary or shutil.which("nginx") or "/usr/sbin/nginx"

    def argv(port):
        conf = os.path.join(tmp, "nginx-%d.conf" % port)
        if workers == 1 and not cpus:
            processes, reuseport = "master_process off;", ""
        else:
            affinity = " ".join(format(1 << c, "b") for c in cpus)
            processes, reuseport = "user root;\nworker_cpu_affinity %s;" % affinity, " reuseport"
        with open(conf, "w") as f:
            # The temp paths in tmp: a machine without nginx installed has no
            # /var/lib/nginx, and nginx will not start without them.
            f.write("""
worker_processes %(n)d;
%(processes)s
daemon off;
worker_rlimit_nofile 65536;
pid %(tmp)s/nginx-%(port)d.pid;
error_log %(tmp)s/nginx-error.log crit;
events { worker_connections 32768; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path %(tmp)s;
  proxy_temp_path %(tmp)s;
  fastcgi_temp_path %(tmp)s;
  scgi_temp_path %(tmp)s;
  uwsgi_temp_path %(tmp)s;
  server {
    listen 127.0.0.1:%(port)d backlog=4096%(reuseport)s;
    location / { return 200 "Hello world!\\n"; }
  }
}
""" % {"tmp": tmp, "port": port, "n": workers, "processes": processes, "reuseport": reuseport})
        return [nginx, "-e", os.path.join(tmp, "nginx-error.log"), "-c", conf, "-p", tmp]
    return Server("nginx", argv)


def h2o_server(tmp):
    docroot = os.path.join(tmp, "h2o-root")
    os.makedirs(docroot, exist_ok=True)
    with open(os.path.join(docroot, "index.txt"), "wb") as f:
        f.write(BODY)

    def argv(port):
        conf = os.path.join(tmp, "h2o-%d.conf" % port)
        with open(conf, "w") as f:
            f.write("""
num-threads: 1
max-connections: 32768
http1-request-timeout: 300
listen:
  host: 127.0.0.1
  port: %(port)d
hosts:
  default:
    paths:
      /:
        file.file: %(root)s/index.txt
        file.mime.addtypes:
          text/plain: .txt
""" % {"port": port, "root": docroot})
        return [shutil.which("h2o") or "/usr/bin/h2o", "-c", conf]
    return Server("h2o", argv)


def run_wrk(port, duration, workload, server_pid, tmp, cpus="1", threads=1, connections=64, wrk="wrk",
            server_ticks=None):
    """One wrk run against the server; server_ticks() reads the server's CPU
    ticks (default: the process server_pid, all its threads)."""
    # The user-space share is reported for a single process (not nginx's tree).
    split = server_ticks is None
    server_ticks = server_ticks or (lambda: cpu_ticks(server_pid))
    user_before = cpu_ticks_split(server_pid)[0] if split else 0
    argv = ["taskset", "-c", cpus, wrk, "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency"]
    if workload == "pipe16":
        script = os.path.join(tmp, "pipeline.lua")
        with open(script, "w") as f:
            f.write(PIPELINE_LUA)
        argv += ["-s", script]
    argv.append("http://127.0.0.1:%d/" % port)
    before = server_ticks()
    wrk = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    wrk_ticks = 0
    try:
        # Sample wrk's own CPU just before it exits.
        while wrk.poll() is None:
            try:
                wrk_ticks = cpu_ticks(wrk.pid)
            except OSError:
                pass
            time.sleep(0.2)
    finally:
        out = wrk.communicate()[0]
    after = server_ticks()
    user_after = cpu_ticks_split(server_pid)[0] if split else 0
    m = re.search(r"(\d+) requests in ([\d.]+)s", out)
    reqs, secs = int(m.group(1)), float(m.group(2))

    def pct(p):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % p, out, re.M)
        return float(m.group(1)) * {"us": 1, "ms": 1000, "s": 1e6}[m.group(2)]

    return {
        "rps": reqs / secs,
        "p50": pct(50),
        "p99": pct(99),
        "cpu_us": (after - before) / CLK_TCK * 1e6 / max(reqs, 1),
        "user_us": (user_after - user_before) / CLK_TCK * 1e6 / max(reqs, 1),
        "wrk_cpu": wrk_ticks / CLK_TCK / secs * 100,
        "errors": "Socket errors" in out or "Non-2xx" in out,
    }


def idle_rss(server, n):
    """RSS growth per idle keep-alive connection, over n connections that each
    sent one request and read its response."""
    raise_nofile()
    port = free_port()
    server.start(port)
    socks = []
    try:
        req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        # Warm up first so fixed costs (receive buffers touched once, pools)
        # are in the baseline: 2,000 requests, one per write, one connection.
        with socket.create_connection(("127.0.0.1", port)) as w:
            for _ in range(2000):
                w.sendall(req)
                got = b""
                while BODY not in got:
                    got += w.recv(4096)
        time.sleep(0.5)
        base = rss_kib(server.pid())
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(req)
            socks.append(s)
        for s in socks:
            got = b""
            while BODY not in got:
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError("%s closed an idle connection" % server.name)
                got += chunk
        time.sleep(1.0)
        grown = rss_kib(server.pid()) - base
        return grown * 1024 / n
    finally:
        for s in socks:
            s.close()
        server.stop()


def callgrind_per_request(build_dir, n=20000):
    """User-space instructions per request of tools/hello under callgrind, for
    one keep-alive connection (c1) and for 16 pipelined requests per batch."""
    out = {}
    for name, batch in (("c1", 1), ("pipe16", 16)):
        port = free_port()
        cg_out = tempfile.mktemp(prefix="callgrind-", suffix=".out")
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + cg_out,
                                 os.path.join(build_dir, "tools", "hello"), "--addr", "127.0.0.1:%d" % port,
                                 "--threads", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            end = time.monotonic() + 60
            while True:
                try:
                    if http_get(port, 1, timeout=2).count(BODY) == 1:
                        break
                except OSError:
                    pass
                if time.monotonic() > end:
                    raise RuntimeError("hello under callgrind did not start")
                time.sleep(0.2)
            req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * batch
            with socket.create_connection(("127.0.0.1", port)) as s:
                def rounds(k):
                    for _ in range(k):
                        s.sendall(req)
                        got = 0
                        buf = b""
                        while got < batch:
                            buf += s.recv(65536)
                            got = buf.count(BODY)
                rounds(200)
                subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
                rounds(n // batch)
                subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
            # Dump what was counted while instrumentation was on (to <out>.1).
            subprocess.run(["callgrind_control", "-d", str(proc.pid)], check=True, stdout=subprocess.DEVNULL)
            total = 0
            dump = cg_out + ".1"
            end = time.monotonic() + 30
            while total == 0 and time.monotonic() < end:
                time.sleep(0.5)
                if os.path.exists(dump):
                    with open(dump) as f:
                        for line in f:
                            if line.startswith("totals:"):
                                total = int(line.split()[1])
        finally:
            proc.kill()
            proc.wait()
            for f in (cg_out, cg_out + ".1"):
                if os.path.exists(f):
                    os.unlink(f)
        out[name] = total / n
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--servers", default="ringhttp,floor,nginx,go,h2o")
    ap.add_argument("--workloads", default="c64,pipe16")
    ap.add_argument("--idle", type=int, default=10000, help="idle connections for the RSS test (0: skip)")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--update", action="store_true", help="update bench/RESULTS.md and bench/results.svg")
    args = ap.parse_args()
    command = "bench/http_bench.py " + " ".join(sys.argv[1:])
    tmp = tempfile.mkdtemp(prefix="ringhttp-bench-")
    bdir = build(args.build)
    available = {
        "ringhttp": lambda: Server("ringhttp", lambda p: [os.path.join(bdir, "tools", "hello"), "--addr",
                                                         "127.0.0.1:%d" % p, "--threads", "1"]),
        "floor": lambda: Server("floor", lambda p: [os.path.join(bdir, "bench", "floor_server"), str(p)]),
        "nginx": lambda: nginx_server(tmp),
        "go": lambda: Server("go", lambda p, b=build_go(tmp): [b, "-addr", "127.0.0.1:%d" % p],
                             env={"GOMAXPROCS": "1"}),
        "h2o": lambda: h2o_server(tmp),
    }
    servers = [available[n]() for n in args.servers.split(",")]
    workloads = args.workloads.split(",")
    runs = {(s.name, w): [] for s in servers for w in workloads}
    for rnd in range(1, args.rounds + 1):
        for w in workloads:
            for s in servers:
                port = free_port()
                say("round %d/%d, %s: %s" % (rnd, args.rounds, w, s.name))
                s.start(port)
                try:
                    r = run_wrk(port, args.duration, w, s.pid(), tmp)
                finally:
                    s.stop()
                if r["errors"]:
                    say("  %s had socket errors or non-2xx answers: run dropped" % s.name)
                    continue
                say("  %.0f req/s, p50 %.0f us, p99 %.0f us, %.2f us server CPU/request (%.2f user), wrk %.0f%% CPU" %
                    (r["rps"], r["p50"], r["p99"], r["cpu_us"], r["user_us"], r["wrk_cpu"]))
                r["round"] = rnd
                runs[(s.name, w)].append(r)

    med = {}
    for key, rs in runs.items():
        if rs:
            med[key] = {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99", "cpu_us", "user_us", "wrk_cpu")}
            med[key]["n"] = len(rs)
    idle = {}
    if args.idle:
        for s in servers:
            say("idle connections: %d to %s" % (args.idle, s.name))
            try:
                idle[s.name] = idle_rss(s, args.idle)
                say("  %.0f bytes of RSS per idle connection" % idle[s.name])
            except Exception as e:  # a server that cannot hold them is reported, not fatal
                say("  %s: %s" % (s.name, e))
    cg = {}
    if not args.no_callgrind and shutil.which("valgrind") and "ringhttp" in args.servers:
        say("callgrind: instructions per request of ringhttp")
        cg = callgrind_per_request(bdir)
        say("  %s" % cg)

    def ratio(name, other, w, key):
        # The median of the per-round ratios: the servers of a round run back
        # to back, so a slow stretch of the shared machine weighs on both.
        mine = {r["round"]: r[key] for r in runs.get((name, w), [])}
        theirs = {r["round"]: r[key] for r in runs.get((other, w), [])}
        both = [mine[k] / theirs[k] for k in mine if k in theirs and theirs[k] > 0]
        return statistics.median(both) if both else None

    today = datetime.date.today().isoformat()
    rows = []
    for w in workloads:
        ref = "floor" if med.get(("floor", w)) else None
        for s in servers:
            m = med.get((s.name, w))
            if not m:
                continue
            vs = []
            rps, cpu = ratio(s.name, ref, w, "rps"), ratio(s.name, ref, w, "cpu_us")
            if ref and s.name != ref and rps and cpu:
                vs.append("%.2fx floor req/s, %.2fx floor CPU" % (rps, cpu))
            cpu = ratio(s.name, "nginx", w, "cpu_us")
            if s.name != "nginx" and cpu:
                vs.append("%.2fx nginx CPU" % cpu)
            rows.append({
                "date": today,
                "benchmark": "http %s" % w,
                "subject": s.name,
                "result": "%.0f req/s; p50 %.0f us, p99 %.0f us; %.2f us server CPU/req (%.2f user); wrk %.0f%% CPU" %
                          (m["rps"], m["p50"], m["p99"], m["cpu_us"], m["user_us"], m["wrk_cpu"]),
                "vs": "; ".join(vs),
                "command": "%s (median of %d)" % (command, m["n"]),
            })
    for name, b in idle.items():
        rows.append({"date": today, "benchmark": "idle RSS", "subject": name,
                     "result": "%.0f bytes per idle keep-alive connection (%d connections)" % (b, args.idle),
                     "vs": "", "command": command})
    for name, v in cg.items():
        rows.append({"date": today, "benchmark": "callgrind %s" % name, "subject": "ringhttp",
                     "result": "%.0f user-space instructions per request" % v, "vs": "", "command": command})
    for r in rows:
        print("| %(date)s | %(benchmark)s | %(subject)s | %(result)s | %(vs)s | `%(command)s` |" % r)
    if args.update:
        results.update(rows)
        # The chart shows every server and workload: a partial run (a closer
        # look at some of them) updates its rows only.
        if len(servers) == len(available) and set(workloads) == {"c64", "pipe16"}:
            plot(med, workloads, [s.name for s in servers])
    shutil.rmtree(tmp, ignore_errors=True)


def plot(med, workloads, names):
    """bench/results.svg: requests/s and server CPU per request, per workload."""
    if not shutil.which("gnuplot"):
        say("gnuplot not installed: no chart")
        return
    data = tempfile.mktemp(suffix=".dat")
    with open(data, "w") as f:
        f.write("server " + " ".join("%s_rps %s_cpu" % (w, w) for w in workloads) + "\n")
        for n in names:
            vals = []
            for w in workloads:
                m = med.get((n, w))
                vals += ["%.0f" % (m["rps"] / 1000) if m else "0", "%.2f" % m["cpu_us"] if m else "0"]
            f.write(n + " " + " ".join(vals) + "\n")
    script = """
set terminal svg size 900,420 dynamic font 'sans,12'
set output '%(out)s'
set multiplot layout 1,2 title 'One core each (server on CPU 0, wrk on CPU 1), medians'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
set ylabel 'thousand requests/s'
set title 'Throughput (higher is better)'
plot for [i=0:%(nw)d-1] '%(data)s' using (column(2+2*i)):xtic(1) title columnhead(2+2*i)
set ylabel 'server CPU per request (us)'
set title 'Cost (lower is better)'
plot for [i=0:%(nw)d-1] '%(data)s' using (column(3+2*i)):xtic(1) title columnhead(3+2*i)
unset multiplot
""" % {"out": os.path.join(ROOT, "bench", "results.svg"), "data": data, "nw": len(workloads)}
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(data)
    say("wrote bench/results.svg")


if __name__ == "__main__":
    main()
