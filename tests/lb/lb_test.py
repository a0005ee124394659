#!/usr/bin/env python3
"""ringhttp behind a real load balancer: HAProxy 2.6 in front of two lb_backend
processes on loopback, configured by docs/haproxy.cfg itself.

Usage: lb_test.py PATH_TO_LB_BACKEND [--only restart|replay|drain|nginx] [--full]
                  [-k SUBSTR] [--haproxy PATH] [--wrk PATH] [--nginx PATH]
                  [--config PATH] [--set OLD=NEW] [-v]

restart: under `wrk -t1 -c64` through HAProxy, backend a gets SIGTERM (a
    graceful shutdown), is started again and waited for until HAProxy's health
    check has it UP, then the same for b. wrk must count no non-2xx response,
    no socket error and no wrong body; HAProxy's log and stats no 5xx; both
    old backends exit 0.
replay: the smuggling and malformed cases of tests/wire/hostile_cases.py are
    sent through HAProxy, each on its own client connection (every other one
    after a plain request, so that it may go on an upstream connection another
    client used), 32 at a time. HAProxy tags every request it forwards with
    X-Request-ID (client address and port, docs/haproxy.cfg); lb_backend
    echoes it, logs it with the upstream peer, and counts the requests begun
    (conn_state active). Checks: every request a handler ran is one HAProxy
    logged as forwarded to it; ringhttp began exactly as many requests as
    HAProxy forwarded (the rest being ringhttp's own error answers); no client
    receives a response carrying another client's id, nor one that neither its
    id nor its own log line explains; upstream connections were shared.

drain (--only drain, and in --full): the rolling restart again, each server
    first set to "drain" through HAProxy's runtime API and set "ready" once
    back; no request may even need a retry.
nginx (--only nginx, and in --full): the rolling restart again, through nginx
    configured by the ```nginx block of docs/DEPLOYMENT.md.

The CI run (default) is restart and replay, the replay with the base cases and
their pipelined variants; --full adds the split and bytewise variants, a
second restart round, a replay with `http-reuse always`, drain and nginx.
Prints one line per check and ends with "N passed, M failed"; exits 77 (skip) when HAProxy
or wrk is missing.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import errno
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "wire"))
import hostile_cases  # noqa: E402
from hostile_test import parse_responses  # noqa: E402

results: list[tuple[str, bool]] = []
VERBOSE = False


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok))
    print(("PASS " if ok else "FAIL ") + name + (": " + detail if detail and (not ok or VERBOSE) else ""),
          flush=True)
    return ok


def note(text: str) -> None:
    print("     " + text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the processes ----------------------------------------------------------


class Backend:
    """One lb_backend process (one ring), restarted as generations on the same port."""

    def __init__(self, binary: str, name: str, port: int, workdir: str):
        self.binary, self.name, self.port, self.workdir = binary, name, port, workdir
        self.generation = 0
        self.proc: subprocess.Popen | None = None
        self.out_path = ""
        self.ids_path = os.path.join(workdir, "ids-" + name)
        self.last_counts: tuple[int, ...] = (-1, -1, -1)

    def start(self) -> None:
        self.generation += 1
        self.out_path = os.path.join(self.workdir, "%s-%d.out" % (self.name, self.generation))
        with open(self.out_path, "wb") as out:
            self.proc = subprocess.Popen(
                [self.binary, "--addr", "127.0.0.1:%d" % self.port, "--name", self.name,
                 "--threads", "1", "--ids", self.ids_path],
                stdout=out, stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("lb_backend %s exited at start: %s" % (self.name, self.output()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("lb_backend %s did not start" % self.name)

    def stop(self, timeout: float = 20.0) -> tuple[int | None, int, float]:
        """SIGTERM, then wait: (exit status or None on timeout, requests served, seconds).
        last_counts is then this generation's (served, begun, health checks)."""
        assert self.proc is not None
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        m = re.search(r"served (\d+), begun (\d+), checks (\d+)", self.output())
        self.last_counts = tuple(int(x) for x in m.groups()) if m else (-1, -1, -1)
        return rc, self.last_counts[0], time.monotonic() - start

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self) -> str:
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def served_ids(self) -> list[tuple[str, str]]:
        """(X-Request-ID, upstream peer) of every request a handler served, all generations."""
        if not os.path.exists(self.ids_path):
            return []
        with open(self.ids_path, "rb") as f:
            out = []
            for line in f.read().decode("latin-1").splitlines():
                rid, _, peer = line.partition(" ")
                out.append((rid, peer))
            return out


# One log line of docs/haproxy.cfg's log-format.
LOG_LINE = re.compile(
    r'^(?P<ci>[0-9.]+):(?P<cp>\d+) \[[^\]]*\] (?P<ft>\S+) (?P<be>[^/\s]+)/(?P<srv>\S+) (?P<timers>\S+) '
    r'(?P<status>-?\d+) (?P<bytes>\d+) (?P<tsc>\S+) (?P<conns>\S+) id=(?P<id>\S*) "(?P<req>.*)')


@dataclasses.dataclass
class LogEntry:
    client_port: int
    server: str     # "a", "b", or "<NOSRV>" for what HAProxy answered itself
    status: int
    tsc: str        # termination state
    retries: str    # %rc: "0", "1", "+1" (the + marks a redispatch)
    request: str
    id: str


class HAProxy:
    """HAProxy in the foreground, from docs/haproxy.cfg with the addresses replaced."""

    def __init__(self, binary: str, config_path: str, workdir: str, port: int, backends: dict[str, int],
                 extra: dict[str, str] | None = None):
        self.binary, self.workdir, self.port = binary, workdir, port
        self.sock = os.path.join(workdir, "haproxy.sock")
        with open(config_path) as f:
            text = f.read()
        # Exactly these strings are replaced, each must be there once: the
        # rest of the file is what is tested.
        subst = {"bind 127.0.0.1:8080": "bind 127.0.0.1:%d" % port,
                 "/run/haproxy/ringhttp.sock": self.sock}
        for i, (name, bport) in enumerate(sorted(backends.items())):
            subst["server %s 127.0.0.1:%d" % (name, 8081 + i)] = "server %s 127.0.0.1:%d" % (name, bport)
        subst.update(extra or {})
        for old, new in subst.items():
            if text.count(old) != 1:
                raise RuntimeError("%s: expected %r exactly once" % (config_path, old))
            text = text.replace(old, new)
        self.config = os.path.join(workdir, "haproxy.cfg")
        with open(self.config, "w") as f:
            f.write(text)
        self.err = open(os.path.join(workdir, "haproxy.err"), "w+b")
        check_rc = subprocess.run([binary, "-c", "-f", self.config], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        if check_rc.returncode != 0:
            raise RuntimeError("haproxy -c: " + check_rc.stdout.decode("utf-8", "replace"))
        # "log stdout" into a regular file: HAProxy writes to a file with
        # blocking calls, so no line is dropped (to a pipe it drops a line
        # rather than wait, and counts it in DroppedLogs).
        self.log_path = os.path.join(workdir, "haproxy.log")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([binary, "-db", "-f", self.config], stdout=log, stderr=self.err)

    def entries(self) -> list[LogEntry]:
        with open(self.log_path, "rb") as f:
            lines = f.read().decode("latin-1").splitlines()
        out = []
        for ln in lines:
            m = LOG_LINE.match(ln)
            if m:
                out.append(LogEntry(int(m.group("cp")), m.group("srv"), int(m.group("status")), m.group("tsc"),
                                    m.group("conns").split("/")[-1], m.group("req"), m.group("id")))
        return out

    def command(self, cmd: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.sock)
            s.sendall(cmd.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.decode("latin-1")

    def stats(self) -> dict[tuple[str, str], dict[str, str]]:
        """`show stat` as {(proxy, server): {field: value}}."""
        text = self.command("show stat")
        lines = [ln for ln in text.splitlines() if ln]
        header = lines[0].lstrip("# ").split(",")
        out = {}
        for ln in lines[1:]:
            row = dict(zip(header, ln.split(",")))
            out[(row["pxname"], row["svname"])] = row
        return out

    def wait_ready(self, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("haproxy exited: " + self.stderr_text())
            if os.path.exists(self.sock):
                try:
                    self.stats()
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("haproxy did not start: " + self.stderr_text())

    def server_status(self, name: str) -> str:
        return self.stats()[("ringhttp", name)]["status"]

    def wait_status(self, name: str, want: str, timeout: float = 20.0) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.server_status(name) == want:
                return time.monotonic() - start
            time.sleep(0.05)
        raise RuntimeError("server %s not %s after %.0f s (%s)" % (name, want, timeout, self.server_status(name)))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)  # soft stop: finish what is in flight
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stderr_text(self, limit: int = 3000) -> str:
        self.err.seek(0)
        text = self.err.read().decode("utf-8", "replace")
        return text[-limit:]


class Setup:
    """Two backends and HAProxy in a temporary directory; stop() ends all three."""

    def __init__(self, args, extra: dict[str, str] | None = None):
        self.tmp = tempfile.TemporaryDirectory(prefix="ringhttp-lb-")
        self.backends = {n: Backend(args.backend, n, free_port(), self.tmp.name) for n in ("a", "b")}
        self.haproxy: HAProxy | None = None
        try:
            for b in self.backends.values():
                b.start()
            self.haproxy = HAProxy(args.haproxy, args.config, self.tmp.name, free_port(),
                                   {n: b.port for n, b in self.backends.items()}, extra)
            self.haproxy.wait_ready()
            for n in self.backends:
                self.haproxy.wait_status(n, "UP")
        except BaseException:
            self.stop()  # nothing started may outlive a failed start
            raise

    def stop(self) -> None:
        for b in self.backends.values():
            b.kill()
        if self.haproxy is not None and hasattr(self.haproxy, "proc"):
            self.haproxy.stop()
        self.tmp.cleanup()


# --- rolling restart -------------------------------------------------------

WRK_SCRIPT = r"""
local bad = 0
response = function(status, headers, body)
  if status ~= 200 or body ~= "Hello world!\n" then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BAD_RESPONSES %d\n", bad))
end
"""


def end_process(proc: subprocess.Popen | None) -> None:
    """Kills proc if it still runs (wrk after a failure part way)."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def parse_wrk(text: str) -> dict[str, int]:
    out = {"requests": -1, "non2xx": 0, "connect": 0, "read": 0, "write": 0, "timeout": 0, "bad": -1}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out.update(connect=int(m.group(1)), read=int(m.group(2)), write=int(m.group(3)), timeout=int(m.group(4)))
    m = re.search(r"BAD_RESPONSES (\d+)", text)
    if m:
        out["bad"] = int(m.group(1))
    return out


def rolling_restart(args, drain: bool = False) -> None:
    """drain: take each server out through HAProxy's runtime API first
    (DEPLOYMENT.md's way to avoid even the retries), then SIGTERM."""
    label = "restart" + (" (drain first)" if drain else "")
    setup = Setup(args, args.subst)
    wrk = None
    try:
        hp = setup.haproxy
        script = os.path.join(setup.tmp.name, "check.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        # wrk runs until SIGINT (it then stops and prints its summary), so the
        # load covers the whole restart however long the loaded machine takes.
        wrk = subprocess.Popen([args.wrk, "-t1", "-c64", "-d600s", "--timeout", "10s", "-s", script,
                                "http://127.0.0.1:%d/" % hp.port],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        settle = 3.0 if args.full else 1.5
        time.sleep(settle)
        restarts_ok = True
        for name in ("a", "b") * (2 if args.full and not drain else 1):
            b = setup.backends[name]
            if drain:
                hp.command("set server ringhttp/%s state drain" % name)
                end = time.monotonic() + 20
                while hp.stats()[("ringhttp", name)]["scur"] != "0" and time.monotonic() < end:
                    time.sleep(0.05)
            rc, served, secs = b.stop()
            restarts_ok &= check("%s: %s exits 0 after SIGTERM under load" % (label, name), rc == 0,
                                 "exit status %s after %.1f s; output: %s" % (rc, secs, b.output()[-500:]))
            note("%s (generation %d) served %d requests, stopped in %.2f s" % (name, b.generation, served, secs))
            if drain:
                b.start()
                hp.wait_status(name, "DRAIN")  # its health check passes again
                hp.command("set server ringhttp/%s state ready" % name)
                hp.wait_status(name, "UP")
            else:
                # A real deploy takes longer than HAProxy's health checks: the
                # server is marked DOWN before it comes back.
                down = hp.wait_status(name, "DOWN")
                b.start()
                up = hp.wait_status(name, "UP")
                note("%s marked DOWN %.2f s after it stopped; restarted, UP %.2f s after" % (name, down, up))
            time.sleep(settle)
        wrk.send_signal(signal.SIGINT)
        try:
            out, _ = wrk.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            wrk.kill()
            out, _ = wrk.communicate()
        text = out.decode("utf-8", "replace")
        w = parse_wrk(text)
        if VERBOSE:
            print(text)
        check(label + ": wrk completed requests", w["requests"] > 0 and restarts_ok, text[-600:])
        check(label + ": no non-2xx response (wrk)", w["non2xx"] == 0 and w["bad"] == 0,
              "non-2xx %d, wrong status or body %d" % (w["non2xx"], w["bad"]))
        check(label + ": no socket error (wrk)", w["connect"] + w["read"] + w["write"] + w["timeout"] == 0,
              "connect %d, read %d, write %d, timeout %d" % (w["connect"], w["read"], w["write"], w["timeout"]))
        time.sleep(0.5)  # the last log lines
        st = hp.stats()
        fe = st[("www", "FRONTEND")]
        be = st[("ringhttp", "BACKEND")]
        entries = hp.entries()
        # (A request wrk abandoned when it was stopped ends with a client-side
        # termination state, C...: that is wrk's doing, not a failure.)
        bad = [e for e in entries if e.status >= 500 or (e.status < 0 and e.tsc[:1] != "C")]
        check(label + ": HAProxy answered no 5xx (stats)", fe["hrsp_5xx"] == "0" and be["hrsp_5xx"] == "0",
              "frontend hrsp_5xx %s, backend hrsp_5xx %s" % (fe["hrsp_5xx"], be["hrsp_5xx"]))
        check(label + ": HAProxy logged no 5xx or aborted request", not bad and len(entries) > 0,
              "%d of %d log lines, e.g. %s" % (len(bad), len(entries), [dataclasses.astuple(e) for e in bad[:5]]))
        retried = [e for e in entries if e.retries != "0"]
        if drain:
            check(label + ": no request retried or redispatched", not retried and be["wredis"] == "0"
                  and be["wretr"] == "0", "log %d, stats retries %s, redispatches %s"
                  % (len(retried), be["wretr"], be["wredis"]))
        note("%d requests through HAProxy while restarting %s; %d logged; retried %d (redispatched %d); "
             "backend: connect errors %s, response errors %s, retries %s, redispatches %s"
             % (w["requests"], "a, b, a, b" if args.full and not drain else "a, b", len(entries), len(retried),
                sum(1 for e in retried if e.retries.startswith("+")), be["econ"], be["eresp"], be["wretr"],
                be["wredis"]))
    finally:
        end_process(wrk)
        setup.stop()


def nginx_restart(args) -> None:
    """The rolling restart through nginx, configured by the ```nginx block of
    docs/DEPLOYMENT.md (wrapped in the minimum nginx needs to run unprivileged).
    nginx has no active health check: each backend stays stopped for a while,
    so that nginx meets its refused port, then comes back."""
    with open(os.path.join(ROOT, "docs", "DEPLOYMENT.md")) as f:
        m = re.search(r"```nginx\n(.*?)```", f.read(), re.S)
    if not m:
        raise RuntimeError("docs/DEPLOYMENT.md has no ```nginx block")
    block = m.group(1)
    tmp = tempfile.TemporaryDirectory(prefix="ringhttp-lb-nginx-")
    backends = {n: Backend(args.backend, n, free_port(), tmp.name) for n in ("a", "b")}
    port = free_port()
    subst = {"listen 80;": "listen 127.0.0.1:%d;" % port}
    for i, (n, b) in enumerate(sorted(backends.items())):
        subst["server 127.0.0.1:%d " % (8081 + i)] = "server 127.0.0.1:%d " % b.port
    for old, new in subst.items():
        if block.count(old) != 1:
            raise RuntimeError("docs/DEPLOYMENT.md nginx block: expected %r exactly once" % old)
        block = block.replace(old, new)
    d = tmp.name
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write("worker_processes 1;\npid %s/nginx.pid;\nerror_log %s/error.log;\nevents { worker_connections 1024; }\n"
                "http {\naccess_log %s/access.log;\n" % (d, d, d)
                + "".join("%s_temp_path %s/%s;\n" % (t, d, t) for t in
                          ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                + block + "}\n")
    nginx = wrk = None
    try:
        for b in backends.values():
            b.start()
        nginx = subprocess.Popen([args.nginx, "-p", d, "-c", conf, "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > end or nginx.poll() is not None:
                    raise RuntimeError("nginx did not start")
                time.sleep(0.05)
        script = os.path.join(d, "check.lua")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        wrk = subprocess.Popen([args.wrk, "-t1", "-c64", "-d600s", "--timeout", "10s", "-s", script,
                                "http://127.0.0.1:%d/" % port], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        served = 0
        for name in ("a", "b"):
            b = backends[name]
            rc, n, secs = b.stop()
            served += n
            check("nginx: %s exits 0 after SIGTERM under load" % name, rc == 0, "exit status %s" % rc)
            time.sleep(1.5)  # stopped: nginx meets the refused port
            b.start()
            time.sleep(2.5)  # past fail_timeout: nginx tries it again
        wrk.send_signal(signal.SIGINT)
        out, _ = wrk.communicate(timeout=30)
        text = out.decode("utf-8", "replace")
        w = parse_wrk(text)
        for b in backends.values():
            _, n, _ = b.stop()
            served += n
        check("nginx: no non-2xx response (wrk)", w["requests"] > 0 and w["non2xx"] == 0 and w["bad"] == 0,
              "requests %d, non-2xx %d, wrong %d" % (w["requests"], w["non2xx"], w["bad"]))
        check("nginx: no socket error (wrk)", w["connect"] + w["read"] + w["write"] + w["timeout"] == 0,
              "connect %d, read %d, write %d, timeout %d" % (w["connect"], w["read"], w["write"], w["timeout"]))
        with open(os.path.join(d, "error.log"), "rb") as f:
            refused = f.read().count(b"Connection refused")
        note("%d requests through nginx while restarting a, b; backends served %d; nginx met %d refused "
             "connects and retried them" % (w["requests"], served, refused))
    finally:
        end_process(wrk)
        for b in backends.values():
            b.kill()
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(5)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        tmp.cleanup()


# --- smuggling replay --------------------------------------------------------

WARM = b"GET /exact HTTP/1.1\r\nHost: h\r\n\r\n"
HARD_LIMIT = 20.0


@dataclasses.dataclass
class Client:
    case: hostile_cases.Case
    warm: bool            # a plain request first, so the case's is not the session's first
    port: int = 0         # the client's local port, which HAProxy puts in its X-Request-ID
    data: bytes = b""
    error: str = ""


def read_one(s: socket.socket, limit: float) -> bytes:
    """Reads until one whole response (the warm-up's) has arrived."""
    data = b""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        ans = parse_responses(data)
        if ans.responses and not ans.garbage:
            return data
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def run_client(haproxy_port: int, cl: Client, idle: float) -> Client:
    """Sends the case's parts (its pause apart) on one connection, reading all
    the while, until HAProxy closes or stays silent for `idle` seconds."""
    c = cl.case
    start = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", haproxy_port), timeout=5)
    except OSError as e:
        cl.error = "connect: %s" % e
        return cl
    try:
        cl.port = s.getsockname()[1]
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        received = b""
        if cl.warm:
            s.sendall(WARM)
            received = read_one(s, 5.0)
        s.setblocking(False)
        parts = list(c.parts)
        pending, next_at, sent_all, last = b"", time.monotonic(), False, time.monotonic()
        while time.monotonic() - start < HARD_LIMIT:
            now = time.monotonic()
            if not sent_all and not pending and now >= next_at:
                if parts:
                    pending, next_at = parts.pop(0), now + c.pause
                if not parts and not pending:
                    sent_all = True
                    if c.half_close:
                        s.shutdown(socket.SHUT_WR)
            if sent_all:
                timeout = idle - (now - last)
                if timeout <= 0:
                    break
            else:
                timeout = 1.0 if pending else max(0.0, next_at - now)
            r, w, _ = select.select([s], [s] if pending else [], [], timeout)
            if r:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                received += chunk
                last = time.monotonic()
            if w and pending:
                try:
                    n = s.send(pending)
                    pending = pending[n:]
                    last = time.monotonic()
                    if not pending and not parts:
                        sent_all = True
                        if c.half_close:
                            s.shutdown(socket.SHUT_WR)
                except BlockingIOError:
                    pass
                except OSError as e:
                    if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                        raise
                    pending, parts, sent_all = b"", [], True  # HAProxy stopped reading: read its answer
        cl.data = received
    except Exception as e:  # a harness error is this client's failure, reported below
        cl.error = "%s: %s" % (type(e).__name__, e)
    finally:
        s.close()
    return cl


def request_id(head: bytes) -> str | None:
    for ln in head.split(b"\r\n")[1:]:
        name, _, value = ln.partition(b":")
        if name.strip().lower() == b"x-request-id":
            return value.strip().decode("latin-1")
    return None


def replay(args, reuse: str | None = None) -> None:
    label = "replay" + (" (http-reuse %s)" % reuse if reuse else "")
    extra = dict(args.subst or {})
    # One HAProxy thread for the replay, which compares every log line:
    # HAProxy's stdout logger drops a line rather than wait when two threads
    # write at once (it counts them in DroppedLogs).
    extra["    maxconn 4096\n"] = "    maxconn 4096\n    nbthread 1\n"
    if reuse:
        extra["http-reuse safe"] = "http-reuse %s" % reuse
    cases = [c for c in hostile_cases.variants() if args.full or c.variant in ("", "pipelined")]
    if args.select:
        cases = [c for c in cases if args.select in c.name]
    clients = [Client(c, warm=(i % 2 == 1)) for i, c in enumerate(cases)]
    setup = Setup(args, extra)
    try:
        hp = setup.haproxy
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            clients = list(pool.map(lambda cl: run_client(hp.port, cl, args.idle), clients))
        elapsed = time.monotonic() - started
        # Let HAProxy finish and log every stream, then stop the backends
        # (gracefully: they log each request as their handler runs it).
        end = time.monotonic() + 5
        while time.monotonic() < end and hp.stats()[("www", "FRONTEND")]["scur"] != "0":
            time.sleep(0.1)
        time.sleep(0.5)
        entries = hp.entries()
        st = hp.stats()
        served = []
        exits = {}
        begun = checks = 0
        for name, b in setup.backends.items():
            rc, _, _ = b.stop()
            exits[name] = rc
            begun += b.last_counts[1]
            checks += b.last_counts[2]
            served += [(name, rid, peer) for rid, peer in b.served_ids()]
        by_port = {cl.port: cl for cl in clients if cl.port}
        dropped = re.search(r"DroppedLogs: (\d+)", hp.command("show info")) if hp.proc.poll() is None else None

        errors = [cl for cl in clients if cl.error]
        check(label + ": every client connected and finished", not errors,
              "; ".join("%s: %s" % (cl.case.name, cl.error) for cl in errors[:5]))
        check(label + ": both backends still up and exit 0", all(rc == 0 for rc in exits.values()), str(exits))
        check(label + ": HAProxy logged every request (none dropped)", dropped is not None and dropped.group(1) == "0",
              "DroppedLogs %s" % (dropped.group(1) if dropped else "?"))

        def who(rid: str) -> str:
            m = re.match(r"[0-9.]+:(\d+)_", rid)
            cl = by_port.get(int(m.group(1))) if m else None
            return "%s (%s)" % (rid, cl.case.name if cl else "?")

        # 1. HAProxy and ringhttp agree on the requests. Every request a
        # handler ran is one HAProxy logged as sent to that server (a request
        # HAProxy never saw would be one smuggled inside another's bytes), and
        # ringhttp began as many requests as HAProxy sent (conn_state active,
        # health checks taken out): the ones HAProxy sent and no handler ran
        # are those ringhttp itself answered.
        forwarded = [e for e in entries if e.server in setup.backends]
        sent_to = collections.Counter((e.server, e.id) for e in forwarded)
        ran = collections.Counter((name, rid) for name, rid, _ in served)
        smuggled = ran - sent_to
        check(label + ": every request ringhttp served is one HAProxy forwarded to it", not smuggled,
              "; ".join("%s served %s" % (n, who(rid)) for n, rid in list(smuggled)[:5]))
        rejected = [e for e in forwarded if (e.server, e.id) not in ran]
        # A stream HAProxy or the client cut short after a server was chosen
        # (termination state P..., I..., R..., C...) may have been aborted
        # with a reset before ringhttp read the request: those may or may not
        # have begun there. Every other forwarded request must have, and
        # nothing more (one more would be a request HAProxy never saw).
        cut = [e for e in forwarded if e.tsc[:1] in ("P", "I", "R", "C", "c")]
        check(label + ": ringhttp began as many requests as HAProxy forwarded",
              len(forwarded) - len(cut) <= begun - checks <= len(forwarded),
              "HAProxy forwarded %d (%d of them cut short by HAProxy or the client), ringhttp began %d "
              "(+%d health checks); forwarded, no handler ran: %s"
              % (len(forwarded), len(cut), begun - checks, checks,
                 "; ".join("%s -> %s %d %s %r" % (who(e.id), e.server, e.status, e.tsc, e.request[:60])
                           for e in rejected[:20])))
        if begun - checks != len(forwarded):
            note("%d of the %d streams cut short never began in ringhttp" % (len(forwarded) - begun + checks, len(cut)))
        # ringhttp answers OPTIONS * itself (as Go does), and errors; a client
        # that went away (termination state C...) may have got nothing.
        # A server-side termination state (S...) or a 5xx from HAProxy means
        # the request was lost on the upstream connection: never acceptable.
        not_error = [e for e in rejected
                     if e.tsc[:1] in ("S", "s") or e.status in (502, 503, 504)
                     or (e.status < 400 and e.tsc[:1] not in ("C", "c") and not e.request.startswith("OPTIONS * "))]
        check(label + ": a forwarded request no handler ran was answered by ringhttp (or cut short), never lost",
              not not_error,
              "; ".join("%s -> %s %d %s" % (who(e.id), e.server, e.status, e.tsc) for e in not_error[:5]))
        retried = [e for e in entries if e.retries != "0"]
        check(label + ": no request retried (each reached a backend once)", not retried,
              str([dataclasses.astuple(e) for e in retried[:5]]))

        # 2. No client sees a response meant for another: a response with an
        # X-Request-ID must carry this client's own; one without must match a
        # log line of this client's that no handler explains (HAProxy's own
        # answer, or ringhttp's error to a request HAProxy accepted).
        logged = collections.defaultdict(list)
        for e in entries:
            logged[e.client_port].append(e)
        foreign, unexplained, unparsable = [], [], []
        responses = with_id = 0
        for cl in clients:
            if not cl.port:
                continue
            ans = parse_responses(cl.data)
            if ans.garbage and not cl.case.data.startswith(b"PRI * HTTP/2.0"):
                # (HAProxy speaks HTTP/2 to a client that opens with h2's
                # preface: its SETTINGS frame is no HTTP/1 response.)
                unparsable.append("%s: %r" % (cl.case.name, ans.garbage[:80]))
            own = "127.0.0.1:%d_" % cl.port
            mine = logged.get(cl.port, [])
            # Termination states P, I and R: HAProxy itself answered (it
            # blocked the request part way, after a server was chosen).
            plain = collections.Counter(e.status for e in mine
                                        if (e.server, e.id) not in ran or e.tsc[:1] in ("P", "I", "R"))
            for r in ans.responses:
                if 100 <= r.status < 200:
                    continue  # an interim 100 Continue belongs to the request after it
                responses += 1
                rid = request_id(r.head)
                if rid is not None:
                    with_id += 1
                    if not rid.startswith(own):
                        foreign.append("%s got %s" % (cl.case.name, who(rid)))
                elif plain[r.status] > 0:
                    plain[r.status] -= 1
                elif r.status == 400 and not cl.case.data:
                    # A client that sent nothing: HAProxy's own 400 to an empty
                    # request, which option dontlognull keeps out of the log.
                    pass
                else:
                    unexplained.append("%s: %d without X-Request-ID, log %s" % (
                        cl.case.name, r.status, [(e.server, e.status, e.tsc) for e in mine]))
        check(label + ": no client got another client's response", not foreign, "; ".join(foreign[:5]))
        check(label + ": every response is the client's own (its id, or its log line)", not unexplained,
              "; ".join(unexplained[:5]))
        check(label + ": every answer parses as HTTP responses", not unparsable, "; ".join(unparsable[:5]))
        if rejected:
            kinds = collections.Counter("%s %d" % (by_port[e.client_port].case.name if e.client_port in by_port
                                                   else "?", e.status) for e in rejected)
            listed = ", ".join("%s x%d" % kv if kv[1] > 1 else kv[0] for kv in sorted(kinds.items()))
            note("ringhttp answered %d forwarded requests itself (stricter than HAProxy, or OPTIONS *)%s"
                 % (len(rejected), ": " + listed if VERBOSE else " (-v lists them)"))

        # 3. The upstream connections were shared between clients: several
        # client ports on one HAProxy->ringhttp connection.
        per_conn = collections.defaultdict(set)
        for name, rid, peer in served:
            m = re.match(r"[0-9.]+:(\d+)_", rid)
            if m:
                per_conn[(name, peer)].add(m.group(1))
        shared = [k for k, v in per_conn.items() if len(v) > 1]
        if len(clients) >= 64:  # too few clients at once (-k) need not meet on a connection
            check(label + ": HAProxy shared upstream connections between clients", len(shared) > 0,
                  "%d of %d upstream connections carried several clients' requests" % (len(shared), len(per_conn)))

        be = st[("ringhttp", "BACKEND")]
        note("%d cases (%d warmed up first) in %.1f s; HAProxy logged %d requests: %d forwarded, %d answered "
             "itself; ringhttp began %d, handlers served %d, ringhttp answered itself %d; %d responses seen by "
             "clients (%d with their own id, %d foreign); %d upstream connections (stats: connect %s, reuse %s), "
             "%d carried several clients' requests"
             % (len(clients), sum(cl.warm for cl in clients), elapsed, len(entries), len(forwarded),
                len(entries) - len(forwarded), begun - checks, sum(ran.values()), len(rejected), responses, with_id,
                len(foreign), len(per_conn), be["connect"], be["reuse"], len(shared)))
        if VERBOSE:
            statuses = collections.Counter((e.server if e.server in setup.backends else "haproxy", e.status)
                                           for e in entries)
            note("log statuses: %s" % sorted(statuses.items()))
    finally:
        setup.stop()


def main(argv: list[str]) -> int:
    global VERBOSE
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("backend", help="path to tests/fixtures/lb_backend")
    p.add_argument("--only", choices=("restart", "replay", "drain", "nginx"), help="run one part")
    p.add_argument("--full", action="store_true",
                   help="all hostile variants, two restart rounds, http-reuse always, drain, nginx")
    p.add_argument("-k", dest="select", default="", help="replay only cases whose name contains this")
    p.add_argument("--haproxy", default="/usr/sbin/haproxy")
    p.add_argument("--wrk", default="/usr/bin/wrk")
    p.add_argument("--nginx", default="/usr/sbin/nginx", help="for --only nginx (not in the default run)")
    p.add_argument("--config", default=os.path.join(ROOT, "docs", "haproxy.cfg"))
    p.add_argument("--jobs", type=int, default=32, help="replay clients in flight at once")
    p.add_argument("--idle", type=float, default=1.0, help="seconds of silence that end a replay read")
    p.add_argument("--set", action="append", default=[], metavar="OLD=NEW",
                   help="also replace OLD by NEW in the config (to see what a setting is for)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    args.subst = dict(kv.split("=", 1) for kv in args.set)
    VERBOSE = args.verbose
    args.backend = os.path.abspath(args.backend)
    # A SIGTERM (meson's timeout) unwinds through the finally blocks, which
    # stop every process this test started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    for tool in (args.haproxy, args.wrk):
        if not os.access(tool, os.X_OK):
            print("SKIP: %s not found" % tool)
            return 77
    started = time.monotonic()
    for part, fn in (("restart", rolling_restart), ("replay", replay)):
        if args.only in (None, part):
            try:
                fn(args)
            except Exception as e:  # a setup failure fails the part, the run goes on
                check(part + ": ran to the end", False, "%s: %s" % (type(e).__name__, e))
    if args.full and args.only in (None, "replay"):
        try:
            replay(args, reuse="always")
        except Exception as e:
            check("replay (http-reuse always): ran to the end", False, "%s: %s" % (type(e).__name__, e))
    if args.only == "drain" or (args.full and args.only is None):
        try:
            rolling_restart(args, drain=True)
        except Exception as e:
            check("restart (drain first): ran to the end", False, "%s: %s" % (type(e).__name__, e))
    if args.only == "nginx" or (args.full and args.only is None and os.access(args.nginx, os.X_OK)):
        try:
            nginx_restart(args)
        except Exception as e:
            check("nginx: ran to the end", False, "%s: %s" % (type(e).__name__, e))
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print("(%.1f s)" % (time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
