#!/usr/bin/env python3
"""Writes the fuzz seed corpora in tests/fuzz/corpus/ (run from anywhere).

request/ and connection/: realistic requests plus the hostile cases of
tests/wire/hostile_cases.py, each in the split_input format of
tests/fuzz/codec_model.hpp: a flags byte, a split count, fragment lengths,
then the stream. mux/: pattern lists, one pattern per line.
Deterministic; rerun after changing the cases and commit the result.
"""

import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "wire"))
import hostile_cases  # noqa: E402

REALISTIC = [
    b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"GET /index.html?q=1&r=%20x HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
    b"POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2",
    b"POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer-A: x\r\n\r\n",
    b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\r\nGET /after HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET http://example.com/abs?x HTTP/1.1\r\nHost: ignored\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    b"HEAD /h HTTP/1.0\r\n\r\n",
    b"GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /k2 HTTP/1.0\r\n\r\n",
    b"PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
    b"GET /x HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"GET /%7Euser/a%2Fb HTTP/1.1\r\nHost: [::1]:8080\r\nCookie: a=b; c=d\r\nAccept-Encoding: gzip, br\r\n\r\n",
    b"DELETE /r/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nX-Empty:\r\nX-Spaces:   v   \r\n\r\n",
]

# Valid input the stricter grammar still takes: empty lines before request-lines
# (RFC 9112 §2.2), BWS in chunk extensions (§7.1.1), a coding list with a
# parameter (501). After the hostile cases, so that their seeds keep their names.
LATER = [
    b"\r\n\r\nGET /e HTTP/1.1\r\nHost: h\r\n\r\n\r\nPOST /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5 ; a = \"b c\" ;d\r\nhello\r\n0\r\n\r\n\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip;q=\"1\", chunked\r\n\r\n0\r\n\r\n",
]

def framed(stream: bytes, lens=(), flags=0) -> bytes:
    assert len(lens) < 16
    return bytes([flags, len(lens)]) + bytes(lens) + stream


def write(dirname: str, data: bytes) -> None:
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def streams():
    yield from REALISTIC
    # A few per group of hostile cases: each group is one kind of attack, and
    # the fuzzer mutates from there.
    per_group = {}
    for c in hostile_cases.CASES:
        if len(c.data) > 3000:
            continue
        n = per_group.get(c.group, 0)
        if n < 6:
            per_group[c.group] = n + 1
            yield c.data
    yield from LATER


def main() -> None:
    for sub in ("request", "connection", "mux"):
        d = os.path.join(HERE, "corpus", sub)
        if os.path.isdir(d):
            for n in os.listdir(d):
                if not n.startswith("regress-"):  # reproducers of fixed bugs stay
                    os.remove(os.path.join(d, n))
    for i, s in enumerate(streams()):
        first_line = min(255, s.find(b"\n") + 1 or 1)
        write("request", framed(s))
        # Split after the request line, and mid-head; odd flags deliver byte by byte.
        if i % 3 == 0 or i < len(REALISTIC):
            write("request", framed(s, (first_line, 7, 3), flags=(i % 8) << 1))
        if i % 7 == 0:
            write("request", framed(s, flags=1 | (i % 8) << 1))
        if i % 3 == 0 or i < len(REALISTIC):
            write("connection", framed(s, (first_line,), flags=0x80 if i % 2 else 0))
    for lines in MUX + routing_tables():
        write("mux", "\n".join(lines).encode())
    for name, stream, lens in REGRESSIONS:
        for sub in ("request", "connection"):
            d = os.path.join(HERE, "corpus", sub)
            with open(os.path.join(d, "regress-" + name), "wb") as f:
                f.write(framed(stream, lens, flags=0x80))  # paced: separate reads
    with open(os.path.join(HERE, "corpus", "mux", "regress-go-shared-node"), "wb") as f:
        f.write(b"//{x}\n/{x}/{y}\n> GET //a\n> GET /a/b\n")


def routing_tables():
    """The muxes of tests/mux/routing_cases.txt as fuzz_mux inputs: their
    patterns (those meant to fail too) and their requests as "> " lines."""
    tables, cur = [], None
    with open(os.path.join(HERE, "..", "mux", "routing_cases.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            word, _, rest = line.partition(" ")
            if word == "mux":
                cur = []
                tables.append(cur)
            elif cur is not None and word in ("pattern", "fail"):
                cur.append(rest)
            elif cur is not None and word == "req":
                cur.append("> " + rest)
    return [t for t in tables if t]


# Reproducers of bugs the fuzzers found (docs/RELIABILITY.md, "Fuzzing").
REGRESSIONS = [
    # head_scanner rejected a complete head when a bare LF followed it in the
    # same 16-byte block (a body byte): 400 for a valid POST whose head came
    # in two packets.
    ("scanner-body-lf", b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na\nb", (21,)),
    ("scanner-pipelined-lf", b"GET / HTTP/1.1\r\nHost: h\r\n\r\nX\nYYYYYYYYYY", (16,)),
]


MUX = [
    ["/", "/index.html", "/static/", "GET /api/users/{id}", "POST /api/users", "/api/users/{id}/posts/{post...}"],
    ["example.com/", "example.com/a/{$}", "GET example.com/b/{x}", "/b/c"],
    ["/a/{x}/c", "/a/b/{y}", "/{$}"],
    ["GET /items/{id}", "DELETE /items/{id}", "HEAD /items/{id}", "/items/{id}/"],
    ["/files/{path...}", "/files/readme", "GET /files/{dir}/index.html"],
    ["/a%2Fb", "/a/b", "/%61"],
    ["/{x}", "/{x}/{y}", "/{x}/{y}/{z...}", "/{$}/x"],
    ["GET  /bad", "/{", "/{x", "/{x}}", "/{x...}/y", "{x}", "GET", "/a/{x}/{x}"],
    ["POST /", "GET /", "PUT /", "/"],
    ["h1.example/", "h2.example/", "/", "h1.example/{$}"],
    ["/a/", "/a", "/a/{$}", "/a/{x}", "/a/{x...}"],
    ["GET /{a}/b/{c}", "GET /a/{b}/{c}", "GET /a/b/c"],
    ["/a/", "GET /b/{x}", "> GET /a", "> GET /a/../b/c", "> POST /b/c", "> GET //a/", "> HEAD /b/x host.example"],
    ["example.com/x/", "/x/{y...}", "> GET /x/q example.com", "> GET /x example.com:80", "> OPTIONS *"],
]

if __name__ == "__main__":
    main()
