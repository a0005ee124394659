#!/usr/bin/env python3
"""Differential wire test: ringhttp against Go's net/http, byte for byte.

Starts a reference server (tests/go/conformance, Go 1.23) and a subject server
(ringhttp's test server) on free loopback ports, sends every case in
diffcases.py to both over a fresh TCP connection, parses what comes back with
the small HTTP/1.1 response parser below, and compares the two answers.

    differential.py --reference GO_BIN --subject RINGHTTP_BIN [--routes seed|modern|all]
                    [-k SUBSTRING] [-v]
    differential.py --reference GO_BIN --reference-only [-v]   # study Go alone
    differential.py --reference GO_BIN --self-check            # Go against Go
    differential.py --reference GO_BIN --list                  # cases per group

Both binaries take `--addr 127.0.0.1:PORT --routes seed|modern`.

What is compared, per response: status code, the reason phrase up to any ':'
(Go writes "400 Bad Request: missing required Host header"), protocol version,
framing (length / chunked / close / none), the selected headers (see
SELECTED_HEADERS and every X-* header), the names of all other headers, the
presence of Date on non-error responses, and the body on non-error responses
(status < 400). Error bodies and their Content-Length value are not compared:
Go puts its internal error text there. Per connection: the number of responses
and whether the server closed the connection or kept it open.

A case with `difference=` is an intended difference (see docs/DIFFERENTIAL.md):
it passes when the subject's summary ("400 closed") equals `subject_expect`.
Every case also records `go=`, the summary Go 1.23 gives; --reference-only and
--self-check check it, the compare mode only warns when it no longer holds.

Only the Python standard library is used. Exit status: 0 when every case
passes, 1 otherwise, 2 on a usage or start-up error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import diffcases  # noqa: E402  (the case table lives beside this script)

# Headers recorded and compared by value (besides every X-* header).
SELECTED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Location",
    "Allow",
    "Connection",
    "Transfer-Encoding",
    "X-Content-Type-Options",
    "X-Pattern",
)

START_TIMEOUT_S = 10.0   # a server must accept a TCP connection within this
CASE_DEADLINE_S = 15.0   # hard cap on one exchange, whatever happens


# --------------------------------------------------------------------------
# Servers


def free_port() -> int:
    """Returns a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process; stderr goes to a temp file shown on failure."""

    def __init__(self, label: str, binary: str, routes: str):
        self.label = label
        self.binary = binary
        self.routes = routes
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.stderr = tempfile.TemporaryFile()

    @property
    def addr(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self) -> None:
        self.port = free_port()
        cmd = [self.binary, "--addr", f"127.0.0.1:{self.port}", "--routes", self.routes]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.stderr, stderr=self.stderr)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} ({self.routes}) exited with "
                                   f"{self.proc.returncode} before accepting:\n"
                                   + self.stderr_text())
            try:
                socket.create_connection(self.addr, timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.label} ({self.routes}) did not accept on "
                                       f"127.0.0.1:{self.port} within {START_TIMEOUT_S:g} s:\n"
                                       + self.stderr_text())
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=3)

    def stderr_text(self, limit: int = 6000) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        data = self.stderr.read()
        if len(data) > limit:
            data = b"...\n" + data[-limit:]
        return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# One exchange on the wire


@dataclasses.dataclass
class Wire:
    """What one connection produced: raw bytes and how the stream ended."""
    data: bytes
    end: str            # "eof", "reset" or "open" (silence for idle seconds)
    send_note: str      # why sending stopped early, or ""


def exchange(addr: tuple[str, int], case: diffcases.Case, idle: float) -> Wire:
    """Sends the case's bytes on a fresh connection and reads until the
    server closes or stays silent for `idle` seconds."""
    s = socket.create_connection(addr, timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    rx = bytearray()
    end = ""
    send_note = ""
    hard_deadline = time.monotonic() + CASE_DEADLINE_S

    def on_readable() -> None:
        nonlocal end
        try:
            chunk = s.recv(1 << 16)
        except BlockingIOError:
            return
        except ConnectionResetError:
            end = "reset"
            return
        if chunk:
            rx.extend(chunk)
        else:
            end = "eof"

    try:
        for i, part in enumerate(case.parts):
            if i:
                pause_end = time.monotonic() + case.pause
                while not end and (left := pause_end - time.monotonic()) > 0:
                    if select.select([s], [], [], left)[0]:
                        on_readable()
            view = memoryview(part)
            while view and not end and not send_note:
                if time.monotonic() > hard_deadline:
                    send_note = "case deadline while sending"
                    break
                r, w, _ = select.select([s], [s], [], idle)
                if r:
                    on_readable()
                if w and not end:
                    try:
                        view = view[s.send(view):]
                    except (BrokenPipeError, ConnectionResetError) as e:
                        send_note = f"send failed: {e.strerror}"
                if not r and not w:
                    send_note = f"server stopped reading ({len(view)} bytes unsent)"
            if end or send_note:
                if view or i + 1 < len(case.parts):
                    send_note = send_note or "server closed before the request was fully sent"
                break
        if case.half_close and not end and not send_note:
            s.shutdown(socket.SHUT_WR)
        while not end:
            left = min(idle, hard_deadline - time.monotonic())
            if left <= 0 or not select.select([s], [], [], left)[0]:
                end = "open"
                break
            on_readable()
    finally:
        s.close()
    return Wire(bytes(rx), end, send_note)


# --------------------------------------------------------------------------
# Response parser


@dataclasses.dataclass
class Response:
    proto: str
    code: int
    reason: str
    headers: list[tuple[str, str]]   # in order, names canonicalized
    framing: str                     # length, chunked, close, none, truncated
    body: bytes
    trailers: list[tuple[str, str]]
    note: str = ""

    def get(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]


@dataclasses.dataclass
class Answer:
    responses: list[Response]
    end: str
    garbage: bytes        # bytes that did not parse as a response
    send_note: str

    @property
    def closed(self) -> bool:
        return self.end != "open"

    def summary(self) -> str:
        return " ".join([str(r.code) for r in self.responses] +
                        ["closed" if self.closed else "open"])


def canonical(name: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in name.split("-"))


def _line(data: bytes, pos: int) -> tuple[bytes, int] | None:
    """Returns the line at pos without its CRLF (or bare LF) and the next pos."""
    nl = data.find(b"\n", pos)
    if nl < 0:
        return None
    line = data[pos:nl]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line, nl + 1


def _head_fields(data: bytes, pos: int) -> tuple[list[tuple[str, str]], int] | None:
    fields = []
    while True:
        got = _line(data, pos)
        if got is None:
            return None
        line, pos = got
        if not line:
            return fields, pos
        name, _, value = line.decode("latin-1").partition(":")
        fields.append((canonical(name.strip()), value.strip(" \t")))


def parse_responses(wire: Wire, methods: list[str]) -> Answer:
    """Splits the byte stream into responses (RFC 9112 §6.3 framing rules,
    from the client's side: HEAD, 1xx, 204 and 304 have no body)."""
    data = wire.data
    pos = 0
    out: list[Response] = []
    req_index = 0
    while pos < len(data):
        got = _line(data, pos)
        status_line = got[0].decode("latin-1") if got else ""
        parts = status_line.split(" ", 2)
        if got is None or len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            break
        head = _head_fields(data, got[1])
        if head is None:
            break
        fields, body_pos = head
        proto, code = parts[0], int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        method = methods[req_index] if req_index < len(methods) else "GET"
        resp = Response(proto, code, reason, fields, "none", b"", [])
        te = ",".join(v for k, v in fields if k == "Transfer-Encoding").lower()
        cls = [v for k, v in fields if k == "Content-Length"]
        if method == "HEAD" or 100 <= code < 200 or code in (204, 304):
            pos = body_pos
        elif "chunked" in te:
            pos = _parse_chunked(data, body_pos, resp)
        elif cls and cls[0].isdigit():
            n = int(cls[0])
            resp.body = data[body_pos:body_pos + n]
            resp.framing = "length" if len(resp.body) == n else "truncated"
            pos = body_pos + n
        else:
            resp.body = data[body_pos:]
            resp.framing = "close" if wire.end != "open" else "close(open)"
            pos = len(data)
        out.append(resp)
        if not 100 <= code < 200 or code == 101:
            req_index += 1
    return Answer(out, wire.end, data[pos:], wire.send_note)


def _parse_chunked(data: bytes, pos: int, resp: Response) -> int:
    body = bytearray()
    resp.framing = "truncated"
    while True:
        got = _line(data, pos)
        if got is None:
            break
        size_text, pos = got
        try:
            size = int(size_text.split(b";")[0].strip(), 16)
        except ValueError:
            resp.note = f"bad chunk size {size_text!r}"
            break
        if size == 0:
            trailer = _head_fields(data, pos)
            if trailer is None:
                break
            resp.trailers, pos = trailer
            resp.framing = "chunked"
            break
        if pos + size + 2 > len(data):
            body += data[pos:pos + size]
            pos = len(data)
            break
        body += data[pos:pos + size]
        if data[pos + size:pos + size + 2] != b"\r\n":
            resp.note = "chunk data not followed by CRLF"
        pos += size + 2
    resp.body = bytes(body)
    return pos


# --------------------------------------------------------------------------
# Comparison


def response_key(r: Response) -> dict:
    """The parts of a response that must match between the two servers."""
    error = r.code >= 400
    selected = {}
    others = set()
    for name, value in r.headers:
        if name in SELECTED_HEADERS or name.startswith("X-"):
            if name == "Content-Length" and error:
                value = "<present>"
            selected.setdefault(name, []).append(value)
        elif name != "Date":
            others.add(name)
    key = {
        "status": f"{r.proto} {r.code} {r.reason.split(':')[0].strip()}",
        "framing": r.framing,
        "headers": selected,
        "other-headers": sorted(others),
        "trailers": r.trailers,
    }
    if not error:
        key["date"] = any(k == "Date" for k, _ in r.headers)
        key["body"] = r.body
    return key


def answer_key(a: Answer) -> dict:
    return {
        "responses": [response_key(r) for r in a.responses],
        "closed": a.closed,
        "garbage": a.garbage,
    }


def format_answer(a: Answer, body_limit: int = 72) -> list[str]:
    lines = []
    for i, r in enumerate(a.responses):
        lines.append(f"[{i}] {r.proto} {r.code} {r.reason}")
        for k, v in r.headers:
            if k == "Date":
                v = "<date>"
            lines.append(f"    {k}: {v}")
        body = repr(r.body)
        if len(body) > body_limit:
            body = body[:body_limit] + f"... ({len(r.body)} bytes)"
        lines.append(f"    framing={r.framing} body={body}")
        if r.trailers:
            lines.append(f"    trailers={r.trailers}")
        if r.note:
            lines.append(f"    note: {r.note}")
    if a.garbage:
        g = repr(a.garbage)
        lines.append(f"garbage: {g[:body_limit]}{'...' if len(g) > body_limit else ''}")
    lines.append(f"end: {a.end}" + (f" ({a.send_note})" if a.send_note else ""))
    return lines


def side_by_side(left: list[str], right: list[str], width: int = 64) -> str:
    out = [f"  {'reference':<{width}} | subject"]
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        mark = " " if a == b else "*"
        if len(a) > width:
            a = a[:width - 3] + "..."
        out.append(f"{mark} {a:<{width}} | {b}")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Driver


def run_one(server: Server, case: diffcases.Case, idle: float) -> Answer:
    try:
        wire = exchange(server.addr, case, idle)
    except OSError as e:
        return Answer([], "connect-error", b"", str(e))
    return parse_responses(wire, case.methods)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reference", required=True, help="Go reference server binary")
    p.add_argument("--subject", help="server under test (ringhttp)")
    p.add_argument("--routes", choices=("seed", "modern", "all"), default="all")
    p.add_argument("-k", dest="substring", default="", help="run only cases whose name contains this")
    p.add_argument("-v", "--verbose", action="store_true", help="print every answer")
    p.add_argument("--reference-only", action="store_true",
                   help="run the Go server alone, print its answers, check go= expectations")
    p.add_argument("--self-check", action="store_true",
                   help="run the reference against itself (two processes); every case must be "
                        "equal, intended differences included, and go= must hold")
    p.add_argument("--list", action="store_true", help="list the selected cases and count them per group")
    p.add_argument("--idle", type=float, default=1.5,
                   help="seconds of silence after which a connection counts as still open")
    p.add_argument("--jobs", type=int, default=32, help="connections run in parallel")
    args = p.parse_args(argv)

    if args.list:
        return list_cases(args)
    if args.self_check:
        args.subject = args.subject or args.reference
    if not args.reference_only and not args.subject:
        p.error("--subject is required (or use --reference-only / --self-check)")

    route_sets = ("seed", "modern") if args.routes == "all" else (args.routes,)
    cases = [c for c in diffcases.CASES
             if c.routes in route_sets and args.substring in c.name]
    if not cases:
        print("no cases selected")
        print("0 passed, 0 failed")
        return 1

    servers: dict[tuple[str, str], Server] = {}
    try:
        for routes in sorted({c.routes for c in cases}):
            servers[("reference", routes)] = Server("reference", args.reference, routes)
            if not args.reference_only:
                servers[("subject", routes)] = Server("subject", args.subject, routes)
        for s in servers.values():
            s.start()
        for s in servers.values():
            s.wait_ready()
        return run_cases(args, cases, servers)
    except (RuntimeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for s in servers.values():
            s.stop()


def list_cases(args) -> int:
    route_sets = ("seed", "modern") if args.routes == "all" else (args.routes,)
    counts: dict[tuple[str, str], int] = {}
    for c in diffcases.CASES:
        if c.routes in route_sets and args.substring in c.name:
            counts[(c.routes, c.group)] = counts.get((c.routes, c.group), 0) + 1
            mark = f"  DIFFERENCE -> {c.subject_expect}" if c.difference else ""
            print(f"{c.routes:<6} {c.group:<12} {c.name:<40} go={c.go!r}{mark}")
    for (routes, grp), n in counts.items():
        print(f"{routes}/{grp}: {n}")
    print(f"total: {sum(counts.values())}")
    return 0


def run_cases(args, cases, servers) -> int:
    roles = ("reference",) if args.reference_only else ("reference", "subject")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        futures = {(c.name, role): pool.submit(run_one, servers[(role, c.routes)], c, args.idle)
                   for c in cases for role in roles}
        passed = failed = 0
        failed_roles: set[tuple[str, str]] = set()
        for c in cases:
            ref = futures[(c.name, "reference")].result()
            sub = None if args.reference_only else futures[(c.name, "subject")].result()
            ok, label, notes = judge(args, c, ref, sub)
            passed += ok
            failed += not ok
            print(f"{label} {c.name}" + (f"  [{'; '.join(notes)}]" if notes else ""))
            if args.reference_only:
                if args.verbose or not ok:
                    print("\n".join("    " + ln for ln in format_answer(ref)))
            elif args.verbose or not ok:
                if not ok:
                    failed_roles.add(("subject", c.routes))
                print(side_by_side(format_answer(ref), format_answer(sub)))
            sys.stdout.flush()
    finally:
        # On Ctrl-C, drop queued exchanges; the caller then stops the servers,
        # which ends the running ones at once.
        pool.shutdown(wait=False, cancel_futures=True)
    if failed or args.verbose:
        for (role, routes), s in servers.items():
            if args.verbose or (role, routes) in failed_roles:
                text = s.stderr_text().strip()
                if text:
                    print(f"--- {role} ({routes}) stderr ---\n{text}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def judge(args, c: diffcases.Case, ref: Answer, sub: Answer | None) -> tuple[bool, str, list[str]]:
    """Returns (passed, label, notes) for one case."""
    notes = []
    go_holds = c.go is None or ref.summary() == c.go
    if c.go is None:
        notes.append(f'no go= recorded; Go says go="{ref.summary()}"')
    elif not go_holds:
        notes.append(f'Go now says "{ref.summary()}", recorded go="{c.go}"')
    if args.reference_only:
        return go_holds and c.go is not None, "PASS" if go_holds and c.go else "FAIL", notes
    if args.self_check:
        sub_holds = c.go is None or sub.summary() == c.go
        ok = answer_key(ref) == answer_key(sub) and go_holds and sub_holds and c.go is not None
        return ok, "PASS" if ok else "FAIL", notes
    if c.difference:
        ok = sub.summary() == c.subject_expect
        if not ok:
            notes.append(f'intended difference: subject must answer "{c.subject_expect}", '
                         f'got "{sub.summary()}"')
        return ok, "DIFF-OK" if ok else "FAIL", notes
    ok = answer_key(ref) == answer_key(sub)
    return ok, "PASS" if ok else "FAIL", notes


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
