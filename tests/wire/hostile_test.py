#!/usr/bin/env python3
"""Hostile input over real sockets: malformed requests and smuggling attempts.

Usage: hostile_test.py PATH_TO_CONFORMANCE_SERVER [-k SUBSTR] [-v] [--jobs N] [--idle S] [--list]

Starts conformance_server --routes seed on a free loopback port (stderr to a
temp file, printed on failure; the server is killed on exit), sends every case
of hostile_cases.py on its own connection, and checks the statuses, in order,
and whether the server closed the connection, against the reaction RFC
9112/9110 requires. No case may ever get an answer to the marked request
(hostile_cases.MARKER): that would be a request smuggled past a rejected one.

Every read is bounded: a connection ends at EOF or RST, or when the server has
sent nothing for --idle seconds (default 2) after the last byte either way,
which counts as "still open". Only cases that expect the server to wait for
more bytes ("- open") may end that way without an answer.

Prints one line per case, then a liveness check of the server, then exactly
"N passed, M failed"; exits 1 when anything failed.
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
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_cases  # noqa: E402
from hostile_cases import MARKER, Case  # noqa: E402

HARD_LIMIT = 20.0  # seconds one case may take in all, whatever the server does


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, "--addr", "127.0.0.1:%d" % self.port, "--routes", "seed"],
                                     stdout=subprocess.DEVNULL, stderr=self.err)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_text(self, limit: int = 4000) -> str:
        self.err.seek(0)
        text = self.err.read().decode("utf-8", "replace")
        return text if len(text) <= limit else "...\n" + text[-limit:]


@dataclasses.dataclass
class Wire:
    data: bytes   # everything the server sent
    end: str      # "eof", "reset" or "open" (silent for idle seconds)
    seconds: float


def half_close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server already closed: what it sent is still read


def exchange(port: int, c: Case, idle: float) -> Wire:
    """Sends c's parts (c.pause apart), reading all the while, until the server
    closes or stays silent for `idle` seconds after the last byte either way."""
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each part its own segment
    s.setblocking(False)
    received = bytearray()
    parts = list(c.parts)
    pending = b""
    next_part_at = start
    send_done = False
    last_activity = start
    end = "open"
    try:
        while True:
            now = time.monotonic()
            if now - start > HARD_LIMIT:
                break
            if not send_done and not pending and now >= next_part_at:
                if parts:
                    pending = parts.pop(0)
                    next_part_at = now + c.pause
                if not parts and not pending:
                    send_done = True
                    if c.half_close:
                        half_close(s)
            want_write = not send_done and bool(pending)
            if send_done:
                timeout = idle - (now - last_activity)
                if timeout <= 0:
                    break
            elif pending:
                timeout = 1.0
            else:
                timeout = max(0.0, next_part_at - now)
            r, w, _ = select.select([s], [s] if want_write else [], [], timeout)
            if r:
                try:
                    chunk = s.recv(65536)
                except ConnectionResetError:
                    end = "reset"
                    break
                if not chunk:
                    end = "eof"
                    break
                received += chunk
                last_activity = time.monotonic()
            if w and pending:
                try:
                    n = s.send(pending)
                    pending = pending[n:]
                    last_activity = time.monotonic()
                    if not pending and not parts:
                        send_done = True
                        if c.half_close:
                            half_close(s)
                except BlockingIOError:
                    pass
                except OSError as e:
                    if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                        raise
                    # The server stopped reading (a 414 or 431 on the way):
                    # stop sending and read what it said.
                    pending, parts, send_done = b"", [], True
    finally:
        s.close()
    return Wire(bytes(received), end, time.monotonic() - start)


@dataclasses.dataclass
class Response:
    status: int
    head: bytes


@dataclasses.dataclass
class Answer:
    responses: list[Response]
    garbage: bytes   # bytes that do not parse as responses (a truncated one too)


STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})(?: [^\r\n]*)?\Z")


def parse_responses(data: bytes) -> Answer:
    """Splits the server's bytes into responses (no HEAD requests are sent)."""
    out: list[Response] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\r\n\r\n", pos)
        if end < 0:
            return Answer(out, data[pos:])
        head = data[pos:end]
        lines = head.split(b"\r\n")
        m = STATUS_LINE.match(lines[0])
        if not m:
            return Answer(out, data[pos:])
        status = int(m.group(1))
        fields = collections.defaultdict(list)
        for ln in lines[1:]:
            name, sep, value = ln.partition(b":")
            if not sep:
                return Answer(out, data[pos:])
            fields[name.strip().lower()].append(value.strip())
        pos = end + 4
        out.append(Response(status, head))
        if 100 <= status < 200 or status in (204, 304):
            continue
        te = b",".join(fields.get(b"transfer-encoding", [])).lower()
        if te:
            if te != b"chunked":
                return Answer(out, data[pos:])
            while True:
                nl = data.find(b"\r\n", pos)
                if nl < 0:
                    return Answer(out, data[pos:])
                try:
                    size = int(data[pos:nl].split(b";")[0], 16)
                except ValueError:
                    return Answer(out, data[pos:])
                pos = nl + 2
                if size == 0:
                    blank = data.find(b"\r\n\r\n", pos - 2)
                    if blank < 0:
                        return Answer(out, data[pos:])
                    pos = blank + 4
                    break
                if pos + size + 2 > len(data):
                    return Answer(out, data[pos:])
                pos += size + 2
        elif b"content-length" in fields:
            n = int(fields[b"content-length"][0])
            if pos + n > len(data):
                return Answer(out, data[pos:])
            pos += n
        else:
            pos = len(data)  # close-delimited
    return Answer(out, b"")


def compact(text: str) -> str:
    """Writes runs of a repeated word once with a count: "200 200 200 400" -> "200x3 400"."""
    words, out = text.split(" "), []
    i = 0
    while i < len(words):
        j = i
        while j < len(words) and words[j] == words[i]:
            j += 1
        out += words[i:j] if j - i < 3 else ["%sx%d" % (words[i], j - i)]
        i = j
    return " ".join(out)


@dataclasses.dataclass
class Result:
    case: Case
    ok: bool
    summary: str
    why: str = ""
    raw: bytes = b""
    seconds: float = 0.0


def judge(c: Case, wire: Wire) -> Result:
    ans = parse_responses(wire.data)
    statuses = [r.status for r in ans.responses]
    closed = wire.end != "open"
    summary = compact(" ".join(map(str, statuses)) or "-") + " " + ("closed" if closed else "open")
    if wire.end == "reset":
        summary += " (reset)"
    why = []
    if not any(o.matches(statuses, closed) for o in c.outcomes):
        why.append("expected " + compact(c.expect))
    if ans.garbage:
        why.append("unparsable bytes after %d response(s): %r" % (len(ans.responses), ans.garbage[:120]))
    if MARKER in wire.data:
        if c.variant == "pipelined" and len(statuses) > 1 and statuses[1] < 400:
            why.append("the bad request was accepted, so the marked request after it was served too")
        else:
            why.append("SMUGGLED: the marked request (hidden in a body, or after a rejected request "
                       "or a close) was answered")
    if not any(s >= 400 for s in statuses):
        for want in c.contains:
            if want not in wire.data:
                why.append("missing %r in the answer" % want)
    return Result(c, not why, summary, "; ".join(why), wire.data, wire.seconds)


def run_one(port: int, c: Case, idle: float) -> Result:
    try:
        return judge(c, exchange(port, c, idle))
    except Exception as e:  # a harness error is a failure of this case, not of the run
        return Result(c, False, "error", "%s: %s" % (type(e).__name__, e))


def liveness(port: int) -> tuple[bool, str]:
    """The server still answers a plain request after all the abuse."""
    c = Case(name="server-alive", group="final", parts=[hostile_cases.BEFORE], expect="200 open", rfc="")
    r = run_one(port, dataclasses.replace(c, half_close=True), 2.0)
    ok = r.summary.startswith("200") and b"exact\n" in r.raw
    return ok, r.summary


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("server", help="path to conformance_server")
    p.add_argument("-k", dest="select", default="", help="run only cases whose name contains this")
    p.add_argument("-v", "--verbose", action="store_true", help="print the RFC section and raw answer of every case")
    p.add_argument("--jobs", type=int, default=24, help="connections in flight at once")
    p.add_argument("--idle", type=float, default=2.0, help="seconds of silence that end a read")
    p.add_argument("--list", action="store_true", help="print the case counts per group and exit")
    args = p.parse_args(argv)

    cases = [c for c in hostile_cases.variants() if args.select in c.name]
    if args.list:
        base = collections.Counter(c.group for c in cases if not c.variant)
        var = collections.Counter(c.variant for c in cases if c.variant)
        for g, n in base.items():
            print("%-12s %d" % (g, n))
        print("%-12s %d" % ("(cases)", sum(base.values())))
        for v, n in var.items():
            print("%-12s %d" % ("+" + v, n))
        print("%-12s %d" % ("(total)", len(cases)))
        return 0

    server = Server(os.path.abspath(args.server))
    started = time.monotonic()
    try:
        if not server.wait_ready():
            print("FAIL server did not start:\n" + server.stderr_text())
            print("0 passed, 1 failed")
            return 1
        results: list[Result] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda c: run_one(server.port, c, args.idle), cases))
        passed = failed = 0
        for r in results:
            c = r.case
            label = "%s/%s" % (c.group, c.name)
            if r.ok:
                passed += 1
                print("PASS %s: %s" % (label, r.summary))
            else:
                failed += 1
                print("FAIL %s: got %s; %s\n     request %r\n     rfc: %s\n     answer %r"
                      % (label, r.summary, r.why, c.data[:200], c.rfc, r.raw[:300]))
            if args.verbose and r.ok:
                print("     rfc: %s\n     answer %r" % (c.rfc, r.raw[:300]))
        alive, summary = liveness(server.port)
        if alive and server.proc.poll() is None:
            passed += 1
            print("PASS server-alive: still serves GET /exact after all cases (%s)" % summary)
        else:
            failed += 1
            print("FAIL server-alive: %s, exit status %s" % (summary, server.proc.poll()))
        if failed:
            print("--- conformance_server stderr ---\n" + server.stderr_text())
        print("(%d connections in %.1f s)" % (len(cases) + 1, time.monotonic() - started))
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
