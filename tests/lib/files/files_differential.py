#!/usr/bin/env python3
"""Differential test of ringhttp's file_server against Go 1.23's http.FileServer.

Builds a directory tree (files of several types and sizes, index.html,
subdirectories, names that need escaping, symlinks in and out of the root),
starts the Go twin (tests/go/fileserver) and the ringhttp twin
(tests/lib/files/files_server.cpp) over it, sends every case below to both on
fresh connections and compares the status, the headers that matter (all but
Date), and the body. Multipart boundaries are random in both: each is replaced
by a fixed token before comparing. The intended differences (docs/FILES.md)
are cases with an explicit expectation for each side.

Usage: files_differential.py --reference GO_BINARY --subject RINGHTTP_BINARY
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

MTIME = 1_700_000_000          # 2023-11-14 22:13:20 UTC
MTIME_HTTP = "Tue, 14 Nov 2023 22:13:20 GMT"
CONTENT_MTIME_HTTP = "Tue, 02 Jan 2024 03:04:05 GMT"   # the /_content/ routes'


def build_tree(base: str) -> str:
    root = os.path.join(base, "root")
    outside = os.path.join(base, "outside")
    os.makedirs(outside)
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write("secret outside the root\n")
    rnd = hashlib.sha256(b"ringhttp").digest()

    def blob(n: int) -> bytes:
        out = bytearray()
        seed = rnd
        while len(out) < n:
            seed = hashlib.sha256(seed).digest()
            out += seed
        return bytes(out[:n])

    files = {
        "hello.txt": b"Hello, files!\n" * 10,
        "page.html": b"<!doctype html><title>t</title><p>page</p>\n",
        "style.css": b"body { color: red }\n",
        "app.js": b"console.log('hi');\n",
        "data.json": b'{"a": 1}\n',
        "image.png": b"\x89PNG\r\n\x1a\n" + blob(300),
        "video.mp4": b"\x00\x00\x00\x18ftypmp42" + blob(50_000),
        "noext": b"plain words with no extension\n",
        "binary": b"\x00\x01\x02" + blob(1000),
        "htmlnoext": b"<html><body>sniffed</body></html>",
        "empty.txt": b"",
        "big.bin": blob(3 * 1024 * 1024 + 12345),
        "with space.txt": b"space\n",
        "q?mark.txt": b"question\n",
        "hash#.txt": b"hash\n",
        "amp&<>\"'.txt": b"html specials\n",
        "colon:name.txt": b"colon\n",
        "percent%41.txt": b"percent\n",
        "\u00fcn\u00efcode.txt".encode(): b"unicode\n",
        "UPPER.TXT": b"upper\n",
        ".hidden": b"hidden\n",
        "sub/index.html": b"<p>sub index</p>\n",
        "sub/inner.txt": b"inner\n",
        "nested/a.txt": b"a\n",
        "nested/b.txt": b"b\n",
        "nested/deeper/c.txt": b"c\n",
        "nested/zdir/.keep": b"",
    }
    for name, data in files.items():
        path = os.path.join(root, name.decode() if isinstance(name, bytes) else name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    os.symlink("hello.txt", os.path.join(root, "link_in"))
    os.symlink("nested", os.path.join(root, "link_dir"))
    os.symlink("../outside/secret.txt", os.path.join(root, "link_out"))
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(root, "abs_link"))
    os.symlink("missing-target", os.path.join(root, "dangling"))
    # Fixed times (files first, directories last, deepest first).
    for dirpath, dirnames, filenames in sorted(os.walk(root), key=lambda t: -t[0].count("/")):
        for n in filenames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.utime(p, (MTIME, MTIME))
        os.utime(dirpath, (MTIME, MTIME))
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, label: str, binary: str, root: str):
        self.label = label
        self.port = free_port()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, "--addr", f"127.0.0.1:{self.port}", "--root", root],
                                     stdin=subprocess.DEVNULL, stdout=self.err, stderr=self.err)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{label} exited with {self.proc.returncode}: {self.stderr()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label} did not start")
                time.sleep(0.05)

    def stderr(self) -> str:
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def read_response(sock: socket.socket, method: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Reads one response (status, headers in order, body) off sock."""
    buf = bytearray()

    def fill() -> bool:
        chunk = sock.recv(1 << 16)
        if not chunk:
            return False
        buf.extend(chunk)
        return True

    while b"\r\n\r\n" not in buf:
        if not fill():
            raise RuntimeError(f"connection closed before a full head: {bytes(buf)[:200]!r}")
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip().lower(), v.strip()))
    h = dict(headers)
    body = bytearray(rest)
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return status, headers, b""
    if "chunked" in h.get("transfer-encoding", ""):
        out = bytearray()
        while True:
            while b"\r\n" not in body:
                buf = body
                if not fill():
                    raise RuntimeError("eof in chunked body")
                body = buf
            size_line, _, body = bytes(body).partition(b"\r\n")
            n = int(size_line.split(b";")[0], 16)
            while len(body) < n + 2:
                buf = bytearray(body)
                if not fill():
                    raise RuntimeError("eof in chunk")
                body = buf
            if n == 0:
                return status, headers, bytes(out)
            out += body[:n]
            body = bytes(body[n + 2:])
    if "content-length" in h:
        n = int(h["content-length"])
        buf = body
        while len(buf) < n:
            if not fill():
                raise RuntimeError(f"eof after {len(buf)} of {n} body bytes")
        return status, headers, bytes(buf[:n])
    buf = body
    while fill():
        pass
    return status, headers, bytes(buf)


def fetch(port: int, method: str, target: str, headers: dict[str, str] | None = None):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        req = f"{method} {target} HTTP/1.1\r\nHost: example.test\r\n"
        for k, v in (headers or {}).items():
            req += f"{k}: {v}\r\n"
        req += "Connection: close\r\n\r\n"
        s.sendall(req.encode("latin-1"))
        return read_response(s, method)


IGNORED = {"date", "connection"}


def normalize(resp):
    status, headers, body = resp
    hs = {}
    boundary = None
    for k, v in headers:
        if k in IGNORED:
            continue
        m = re.match(r"multipart/byteranges; boundary=(\S+)", v) if k == "content-type" else None
        if m:
            boundary = m.group(1)
            v = "multipart/byteranges; boundary=B"
        hs.setdefault(k, []).append(v)
    if boundary:
        body = body.replace(boundary.encode(), b"B")
    summary = body if len(body) <= 4096 else b"sha256:" + hashlib.sha256(body).hexdigest().encode()
    return status, hs, summary


# Each case: (method, target, request headers). Intended differences are in
# INTENDED: target -> (Go's status, ringhttp's status).
R = "/hello.txt"
CASES = [
    # Plain files of each kind, and Content-Type by extension, then sniffing.
    ("GET", "/hello.txt", {}), ("HEAD", "/hello.txt", {}), ("GET", "/page.html", {}),
    ("GET", "/style.css", {}), ("GET", "/app.js", {}), ("GET", "/data.json", {}),
    ("GET", "/image.png", {}), ("GET", "/video.mp4", {}), ("GET", "/noext", {}),
    ("GET", "/binary", {}), ("GET", "/htmlnoext", {}), ("GET", "/empty.txt", {}),
    ("HEAD", "/empty.txt", {}), ("GET", "/big.bin", {}), ("HEAD", "/big.bin", {}),
    ("GET", "/UPPER.TXT", {}), ("GET", "/.hidden", {}),
    ("GET", "/with%20space.txt", {}), ("GET", "/q%3Fmark.txt", {}), ("GET", "/hash%23.txt", {}),
    ("GET", "/amp&%3C%3E%22'.txt", {}), ("GET", "/colon:name.txt", {}),
    ("GET", "/percent%2541.txt", {}), ("GET", "/%C3%BCn%C3%AFcode.txt", {}),
    ("POST", "/hello.txt", {"Content-Length": "0"}),
    # Directories: listings, index.html, redirects.
    ("GET", "/", {}), ("HEAD", "/", {}), ("GET", "/nested/", {}), ("GET", "/nested", {}),
    ("GET", "/nested?x=1", {}), ("GET", "/nested/deeper/", {}), ("GET", "/sub/", {}),
    ("GET", "/sub", {}), ("GET", "/sub/index.html", {}), ("GET", "/sub/index.html?a=b", {}),
    ("GET", "/index.html", {}), ("GET", "/sub/inner.txt/", {}), ("GET", "/sub/inner.txt", {}),
    ("GET", "/hello.txt/", {}), ("GET", "/hello.txt/x", {}), ("GET", "/missing", {}),
    ("GET", "/missing/", {}), ("GET", "/nested/", {"Range": "bytes=0-5"}),
    ("GET", "/nested/", {"If-Modified-Since": MTIME_HTTP}),
    ("GET", "/sub/", {"If-Modified-Since": MTIME_HTTP}),
    ("GET", "/link_in", {}), ("GET", "/link_dir/", {}), ("GET", "/link_dir", {}),
    ("GET", "/dangling", {}),
    # Ranges.
    ("GET", R, {"Range": "bytes=0-9"}), ("GET", R, {"Range": "bytes=5-"}),
    ("GET", R, {"Range": "bytes=-5"}), ("GET", R, {"Range": "bytes=0-0"}),
    ("GET", R, {"Range": "bytes=10-5"}), ("GET", R, {"Range": "bytes=100000-"}),
    ("GET", R, {"Range": "bytes=0-1,5-6"}), ("GET", R, {"Range": "bytes=0-1,100000-200000"}),
    ("GET", R, {"Range": "bytes= 0-1 , 3-4 "}), ("GET", R, {"Range": "items=0-1"}),
    ("GET", R, {"Range": "bytes=-0"}), ("GET", R, {"Range": "bytes=0-999999999"}),
    ("GET", R, {"Range": "bytes=0-,0-"}), ("GET", R, {"Range": "bytes=1"}),
    ("GET", R, {"Range": "bytes=+1-2"}), ("GET", R, {"Range": "bytes=-"}),
    ("GET", R, {"Range": "bytes=--1"}), ("GET", R, {"Range": "bytes=,,0-2,,"}),
    ("GET", R, {"Range": "bytes=99999999999999999999-"}), ("HEAD", R, {"Range": "bytes=0-9"}),
    ("HEAD", R, {"Range": "bytes=0-1,5-6"}), ("POST", R, {"Range": "bytes=0-3", "Content-Length": "0"}),
    ("GET", "/empty.txt", {"Range": "bytes=0-10"}), ("GET", "/empty.txt", {"Range": "bytes=-10"}),
    ("GET", "/big.bin", {"Range": "bytes=100-200000,3000000-3100000"}),
    ("GET", "/big.bin", {"Range": "bytes=1000000-"}), ("GET", "/video.mp4", {"Range": "bytes=0-"}),
    ("GET", "/video.mp4", {"Range": "bytes=40000-49999"}),
    # Conditionals on files (modtime only).
    ("GET", R, {"If-Modified-Since": MTIME_HTTP}), ("HEAD", R, {"If-Modified-Since": MTIME_HTTP}),
    ("GET", R, {"If-Modified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"}),
    ("GET", R, {"If-Modified-Since": "Tuesday, 14-Nov-23 22:13:20 GMT"}),
    ("GET", R, {"If-Modified-Since": "Tue Nov 14 22:13:20 2023"}),
    ("GET", R, {"If-Modified-Since": "garbage"}),
    ("POST", R, {"If-Modified-Since": MTIME_HTTP, "Content-Length": "0"}),
    ("GET", R, {"If-Unmodified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"}),
    ("GET", R, {"If-Unmodified-Since": MTIME_HTTP}), ("GET", R, {"If-Unmodified-Since": "nonsense"}),
    ("GET", R, {"Range": "bytes=0-3", "If-Range": MTIME_HTTP}),
    ("GET", R, {"Range": "bytes=0-3", "If-Range": "Tue, 14 Nov 2023 22:13:21 GMT"}),
    ("GET", R, {"Range": "bytes=0-3", "If-Range": '"x"'}),
    ("GET", R, {"If-None-Match": '"x"'}), ("GET", R, {"If-None-Match": "*"}),
    ("GET", R, {"If-Match": "*"}), ("GET", R, {"If-Match": '"x"'}),
    # serve_content with an ETag, a sniffed type, no modtime, a preset type.
    ("GET", "/_content/etag", {}), ("HEAD", "/_content/etag", {}),
    ("GET", "/_content/etag", {"If-None-Match": '"v1"'}),
    ("GET", "/_content/etag", {"If-None-Match": 'W/"v1"'}),
    ("GET", "/_content/etag", {"If-None-Match": '"a", "v1"'}),
    ("GET", "/_content/etag", {"If-None-Match": '"a" , W/"b"'}),
    ("GET", "/_content/etag", {"If-None-Match": "*"}),
    ("POST", "/_content/etag", {"If-None-Match": '"v1"', "Content-Length": "0"}),
    ("GET", "/_content/etag", {"If-Match": '"v1"'}), ("GET", "/_content/etag", {"If-Match": 'W/"v1"'}),
    ("GET", "/_content/etag", {"If-Match": '"a", "v1"'}), ("GET", "/_content/etag", {"If-Match": '"a"'}),
    ("GET", "/_content/etag", {"If-Match": '"v1"', "If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}),
    ("GET", "/_content/etag", {"If-Unmodified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"}),
    ("GET", "/_content/etag", {"If-None-Match": '"x"', "If-Modified-Since": CONTENT_MTIME_HTTP}),
    ("GET", "/_content/etag", {"Range": "bytes=0-3", "If-Range": '"v1"'}),
    ("GET", "/_content/etag", {"Range": "bytes=0-3", "If-Range": 'W/"v1"'}),
    ("GET", "/_content/etag", {"Range": "bytes=0-3", "If-Range": CONTENT_MTIME_HTTP}),
    ("GET", "/_content/etag", {"Range": "bytes=0-3,10-12,-2"}),
    ("GET", "/_content/etag", {"Range": "bytes=500-"}),
    ("GET", "/_content/sniff", {}), ("GET", "/_content/zero", {}),
    ("GET", "/_content/zero", {"If-Modified-Since": CONTENT_MTIME_HTTP}),
    ("GET", "/_content/zero", {"Range": "bytes=0-1", "If-Range": CONTENT_MTIME_HTTP}),
    ("GET", "/_content/typed", {"Range": "bytes=0-1,3-4"}),
    ("GET", "/_servefile/x", {}), ("GET", "/_servefile/..%2fx", {}), ("GET", "/_servefile/a/../b", {}),
    ("GET", "/_servedir/", {}), ("GET", "/_servedir/x", {}),
    # Traversal attempts: every one stays inside the root.
    ("GET", "/../outside/secret.txt", {}), ("GET", "/%2e%2e/outside/secret.txt", {}),
    ("GET", "/sub/..%2f..%2foutside%2fsecret.txt", {}), ("GET", "/%2e%2e%2f%2e%2e%2fetc/passwd", {}),
    ("GET", "/..%5c..%5coutside/secret.txt", {}), ("GET", "//etc/passwd", {}),
    ("GET", "/./hello.txt", {}), ("GET", "/nested/../hello.txt", {}), ("GET", "/nested/..", {}),
    ("GET", "/nested/./", {}), ("GET", "/sub/..", {}), ("GET", "/.%2e/.%2e/etc/passwd", {}),
    ("GET", "/hello.txt%00.html", {}), ("GET", "/%00", {}),
    ("GET", "http://example.test/../outside/secret.txt", {}),
    ("GET", "/link_out", {}), ("GET", "/abs_link", {}),
]

INTENDED = {
    # Go 1.23's Dir follows symlinks anywhere; ringhttp stays below root.
    "/link_out": (200, 404),
    "/abs_link": (200, 404),
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--subject", required=True)
    args = ap.parse_args()
    os.environ["TZ"] = "UTC"
    base = tempfile.mkdtemp(prefix="ringhttp-files-")
    failures = 0
    go = ours = None
    try:
        root = build_tree(base)
        go = Server("go", args.reference, root)
        ours = Server("ringhttp", args.subject, root)
        for method, target, headers in CASES:
            label = f"{method} {target} {headers}"
            try:
                a = fetch(go.port, method, target, headers)
                b = fetch(ours.port, method, target, headers)
            except Exception as e:  # noqa: BLE001 (report and go on)
                print(f"FAIL {label}: {e}")
                failures += 1
                continue
            if target in INTENDED:
                want = INTENDED[target]
                if (a[0], b[0]) != want:
                    print(f"FAIL {label}: intended difference: want go={want[0]} ringhttp={want[1]}, "
                          f"got go={a[0]} ringhttp={b[0]}")
                    failures += 1
                else:
                    print(f"ok   {label} (intended: go {a[0]}, ringhttp {b[0]})")
                continue
            na, nb = normalize(a), normalize(b)
            if na != nb:
                failures += 1
                print(f"FAIL {label}")
                if na[0] != nb[0]:
                    print(f"     status: go {na[0]}, ringhttp {nb[0]}")
                for k in sorted(set(na[1]) | set(nb[1])):
                    if na[1].get(k) != nb[1].get(k):
                        print(f"     {k}: go {na[1].get(k)}, ringhttp {nb[1].get(k)}")
                if na[2] != nb[2]:
                    print(f"     body: go {na[2][:300]!r}\n           ringhttp {nb[2][:300]!r}")
            else:
                print(f"ok   {label} -> {na[0]}")
        print(f"{len(CASES)} cases, {failures} failures")
    finally:
        for s in (go, ours):
            if s is not None:
                s.stop()
        if failures and ours is not None:
            print("ringhttp stderr:", ours.stderr())
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
