"""Case table for differential.py.

Each case is raw request bytes sent on a fresh connection to both servers.
`go=` records what Go 1.23 answered (the summary: every response's status
code, then "open" or "closed"); it was taken from --reference-only runs, not
guessed. A case with `difference=` is an intended difference: ringhttp follows
RFC 9112 where Go is laxer, and the subject must answer `subject_expect`.
"""

from __future__ import annotations

import dataclasses

CRLF = b"\r\n"


@dataclasses.dataclass
class Case:
    name: str
    routes: str                  # "seed" or "modern": the route table served
    group: str
    parts: list[bytes]           # sent in order, `pause` seconds apart
    go: str | None               # Go 1.23's summary, e.g. "100 200 open"
    pause: float = 0.2
    half_close: bool = False     # shutdown(SHUT_WR) after the last part
    methods: list[str] = dataclasses.field(default_factory=list)
    difference: str = ""         # why ringhttp differs, with the RFC section
    subject_expect: str = ""     # the subject's summary for an intended difference


def r(line: str, *headers: str, body: bytes | str = b"") -> bytes:
    """One request: request line, header lines, CRLF, body; all CRLF-terminated."""
    if isinstance(body, str):
        body = body.encode()
    head = "".join(h + "\r\n" for h in (line,) + headers) + "\r\n"
    return head.encode("latin-1") + body


def chunked(*chunks: bytes | str, trailer: str = "") -> bytes:
    """A well-formed chunked body."""
    out = b""
    for c in chunks:
        if isinstance(c, str):
            c = c.encode()
        out += b"%x\r\n" % len(c) + c + CRLF
    return out + b"0\r\n" + trailer.encode() + CRLF


def request_methods(data: bytes) -> list[str]:
    """Leniently splits pipelined requests and returns their methods in order.

    Only the response parser needs this (a HEAD response has no body), so it
    guesses: heads end at a blank line, bodies are framed by a chunked
    Transfer-Encoding or a Content-Length, and it stops at the first head it
    cannot split. Cases whose bytes defeat it pass `methods=` explicitly.
    """
    methods = []
    pos = 0
    while pos < len(data):
        while data.startswith(b"\r\n", pos):
            pos += 2
        ends = [i for i in (data.find(b"\r\n\r\n", pos), data.find(b"\n\n", pos)) if i >= 0]
        if not ends:
            break
        end = min(ends)
        head = data[pos:end]
        pos = end + (4 if data.startswith(b"\r\n\r\n", end) else 2)
        lines = head.replace(b"\r\n", b"\n").split(b"\n")
        methods.append(lines[0].split(b" ")[0].decode("latin-1"))
        te = cl = b""
        for ln in lines[1:]:
            name, _, value = ln.partition(b":")
            if name.strip().lower() == b"transfer-encoding":
                te = value.strip().lower()
            elif name.strip().lower() == b"content-length":
                cl = value.strip()
        if b"chunked" in te:
            while True:
                nl = data.find(b"\n", pos)
                if nl < 0:
                    return methods
                try:
                    size = int(data[pos:nl].split(b";")[0].strip(), 16)
                except ValueError:
                    return methods
                pos = nl + 1
                if size == 0:
                    blank = data.find(b"\r\n\r\n", pos - 2)
                    if blank < 0:
                        return methods
                    pos = blank + 4
                    break
                pos += size + 2
        elif cl.isdigit():
            pos += int(cl)
    return methods


CASES: list[Case] = []
_group = ""


def group(name: str) -> None:
    global _group
    _group = name


def case(name: str, routes: str, data: bytes | list[bytes], go: str | None, **kw) -> None:
    parts = data if isinstance(data, list) else [data]
    c = Case(name=name, routes=routes, group=_group, parts=parts, go=go, **kw)
    if not c.methods:
        c.methods = request_methods(b"".join(parts))
    if bool(c.difference) != bool(c.subject_expect):
        raise ValueError(f"{name}: difference= and subject_expect= go together")
    if any(x.name == name for x in CASES):
        raise ValueError(f"duplicate case name {name}")
    CASES.append(c)


def seed(name, data, go, **kw):
    case(name, "seed", data, go, **kw)


def modern(name, data, go, **kw):
    case(name, "modern", data, go, **kw)


H = "Host: h"

# Intended differences (docs/DIFFERENTIAL.md explains each one).
CL_TE = ("RFC 9112 §6.1, §6.3 ¶3: Content-Length with Transfer-Encoding ought to be "
         "handled as an error and the connection MUST close; Go drops CL, serves the "
         "chunked body and keeps the connection, so a smuggled request behind it is served")
TE_10 = ("RFC 9112 §6.1: a server that receives Transfer-Encoding in an HTTP/1.0 message "
         "MUST treat the framing as faulty, even with a Content-Length, and close; Go "
         "ignores the header and reads the chunked body as the next request (or frames "
         "by Content-Length)")
BARE_LF_HEAD = ("RFC 9112 §2.2: a recipient MAY accept a bare LF as a line terminator; "
                "ringhttp does not, since front-ends that split on CRLF see different "
                "messages; Go accepts it")
BARE_LF_CHUNK = ("RFC 9112 §7.1: chunk-size, chunk-ext and the last-chunk/trailer lines "
                 "end in CRLF; Go's chunked reader accepts a bare LF there")
TRAILER_FIELD = ("RFC 9112 §7.1.2 and §5.1: trailer fields use the field-line syntax and "
                 "whitespace between field name and colon MUST be rejected; Go checks request "
                 "header names but reads trailers with textproto, which accepts a space in the name")
CHUNK_EXT_CTL = ("RFC 9112 §7.1.1, §2.2: chunk-ext is token / quoted-string and a bare CR "
                 "makes an element invalid; Go skips everything after ';' unchecked, so a "
                 "bare CR (a line end to some front-ends) inside an extension is accepted")
OBS_FOLD = ("RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or replace it "
            "with SP; ringhttp rejects it, because a folded Transfer-Encoding or "
            "Content-Length is read differently by front-ends that do not unfold; Go unfolds")
REQUEST_LINE_414 = ("RFC 9112 §3: a server that receives a request-target longer than it wishes "
                    "to parse MUST respond 414 (URI Too Long); Go counts the request line into "
                    "MaxHeaderBytes and answers 431")
TE_FINAL = ("RFC 9112 §6.3: if a Transfer-Encoding header field is present in a request and the chunked "
            "transfer coding is not the final encoding, the server MUST respond 400 and close; so for a "
            "list that does not parse (empty elements, a non-token) or applies chunked twice (§6.1); Go "
            "answers 501 (and closes), as ringhttp does for a well-formed list of codings it does not "
            "implement (gzip, gzip, chunked)")
CHUNK_LINE = ("RFC 9112 §7.1, §7.1.1: chunk = chunk-size [ chunk-ext ] CRLF, chunk-ext = *( BWS \";\" BWS "
              "chunk-ext-name [ BWS \"=\" BWS chunk-ext-val ] ): whitespace only before ';' or '=', names "
              "tokens, values tokens or quoted-strings; Go trims trailing whitespace and drops everything "
              "after ';' unchecked, but rejects the BWS before ';' that the grammar allows")
TARGET_CHARS = ("RFC 9112 §3.2 and RFC 3986 §2: a request-target holds only URI characters, and RFC 9110 "
                "§7.1 sends no fragment ('#'); ringhttp answers 400 to any other byte (from 0x80 up, '\"', "
                "'<', '>', '\\', '^', '`', '{', '|', '}', '#'); Go accepts them")
AUTHORITY_FORM = ("RFC 9112 §3.2.3: the authority-form is only used for CONNECT requests (and an http URI "
                  "without a host MUST be rejected, RFC 9110 §4.2.1); Go reads \"host:port\" as an "
                  "absolute-URI with scheme \"host\" and redirects its empty path to /")
CONNECT_405 = ("RFC 9110 §9.3.6: a 2xx answer to CONNECT switches the connection to a tunnel; ringhttp's mux "
               "never redirects a CONNECT and gives an authority-form one only to a pattern registered for "
               "CONNECT, else 405; Go's mux redirects it to / (its empty path's trailing-slash redirect)")
EMPTY_LINE = ("RFC 9112 §2.2: a server that is expecting to receive and parse a request-line SHOULD ignore "
              "at least one empty line (CRLF) received prior to the request-line; ringhttp skips up to 4 "
              "before every request, the first included, and a connection that sends only CRLFs gets no "
              "answer; Go answers 400 except after a POST")
EMPTY_LINE_LF = ("RFC 9112 §2.2: an empty line is a CRLF (the bare-LF allowance is not taken, as in c); "
                 "Go skips up to 4 CR or LF bytes after a POST, ringhttp answers a bare LF 400")
HEAD_LIMIT = ("max_header_bytes is 64 KiB by default and bounds the whole head exactly: past it 431 (RFC "
              "6585 §5), 414 for a request line alone (RFC 9112 §3); Go's MaxHeaderBytes is 1 MiB and "
              "it reads 4096 bytes past it")

# ==========================================================================
# seed routes
# ==========================================================================

group("good")
seed("get-root", r("GET / HTTP/1.1", H), "200 open")
seed("head-root", r("HEAD / HTTP/1.1", H), "200 open")
seed("post-root", r("POST / HTTP/1.1", H, "Content-Length: 3", body="abc"), "200 open")
seed("get-any-path-catch-all", r("GET /no/such/thing HTTP/1.1", H), "200 open")
seed("get-user-slash", r("GET /user/ HTTP/1.1", H), "200 open")
seed("get-user-subtree", r("GET /user/abc/def HTTP/1.1", H), "200 open")
seed("get-user-redirect", r("GET /user HTTP/1.1", H), "301 open")
seed("get-user-redirect-keeps-query", r("GET /user?a=1&b=%20 HTTP/1.1", H), "301 open")
seed("head-user-redirect", r("HEAD /user HTTP/1.1", H), "301 open")
seed("post-user-redirect", r("POST /user HTTP/1.1", H, "Content-Length: 2", body="hi"), "301 open")
seed("get-images", r("GET /images/ HTTP/1.1", H), "200 open")
seed("get-images-redirect", r("GET /images HTTP/1.1", H), "301 open")
seed("get-images-thumbnails", r("GET /images/thumbnails/ HTTP/1.1", H), "200 open")
seed("get-images-thumbnails-longest-match", r("GET /images/thumbnails/x.png HTTP/1.1", H), "200 open")
seed("get-images-other", r("GET /images/other.png HTTP/1.1", H), "200 open")
seed("get-exact", r("GET /exact HTTP/1.1", H), "200 open")
seed("get-exact-slash-falls-to-root", r("GET /exact/ HTTP/1.1", H), "200 open")
seed("get-echo-query", r("GET /echo?a=1&b=two HTTP/1.1", H), "200 open")
seed("get-echo-query-raw-kept", r("GET /echo?x=%zz&y=a+b HTTP/1.1", H), "200 open")
seed("get-echo-empty-query", r("GET /echo? HTTP/1.1", H), "200 open")
seed("get-echo-headers-repeated", r("GET /echo HTTP/1.1", H, "Foo: a", "foo: b, c", "FOO:d"), "200 open")
seed("get-echo-header-ows", r("GET /echo HTTP/1.1", H, "Foo: \t spaced \t "), "200 open")
seed("get-echo-empty-header-value", r("GET /echo HTTP/1.1", H, "Foo:"), "200 open")
seed("get-pct-user-tilde", r("GET /user/%7Ex HTTP/1.1", H), "200 open")
seed("get-pct-echo-decoded", r("GET /ech%6F HTTP/1.1", H), "200 open")
seed("get-pct-encoded-slash", r("GET /echo%2Fx HTTP/1.1", H), "200 open")
seed("get-pct-space-echo-path", r("GET /echo?p=%20 HTTP/1.1", H), "200 open")
seed("get-unclean-dotdot", r("GET /echo/../echo HTTP/1.1", H), "301 open")
seed("get-unclean-dot", r("GET /./user/ HTTP/1.1", H), "301 open")
seed("get-unclean-dotdot-query", r("GET /user/../echo?q=1 HTTP/1.1", H), "301 open")
seed("get-double-slash-leading", r("GET //user/ HTTP/1.1", H), "301 open")
seed("get-double-slash-inner", r("GET /user//x HTTP/1.1", H), "301 open")
seed("post-unclean-redirect", r("POST /echo/./ HTTP/1.1", H, "Content-Length: 0"), "301 open")
seed("get-host-route", r("GET / HTTP/1.1", "Host: example.com"), "200 open")
seed("get-host-route-with-port", r("GET / HTTP/1.1", "Host: example.com:8080"), "200 open")
seed("get-host-route-user", r("GET /user/x HTTP/1.1", "Host: example.com"), "200 open")
seed("get-host-route-upper-case", r("GET / HTTP/1.1", "Host: EXAMPLE.COM"), "200 open")
seed("get-host-route-falls-back", r("GET /echo HTTP/1.1", "Host: example.com"), "200 open")
seed("get-absolute-form-host-route", r("GET http://example.com/user/ HTTP/1.1", H), "200 open")
seed("get-absolute-form-overrides-host", r("GET http://example.com/echo?z=1 HTTP/1.1", "Host: other"), "200 open")
seed("get-absolute-form-port", r("GET http://example.com:8080/ HTTP/1.1", "Host: example.com:8080"), "200 open")
seed("get-absolute-form-no-path", r("GET http://example.com HTTP/1.1", H), "301 open")
seed("http10-get", r("GET / HTTP/1.0"), "200 closed")
seed("http10-get-host", r("GET /echo HTTP/1.0", H), "200 closed")
seed("http10-keep-alive", r("GET / HTTP/1.0", "Connection: keep-alive"), "200 open")
seed("http10-keep-alive-pipelined", r("GET / HTTP/1.0", "Connection: keep-alive") + r("GET /exact HTTP/1.0"), "200 200 closed")
seed("http11-connection-close", r("GET / HTTP/1.1", H, "Connection: close"), "200 closed")
seed("http11-connection-close-mixed-case", r("GET / HTTP/1.1", H, "Connection: Keep-Alive, CLOSE"), "200 closed")
seed("options-asterisk", r("OPTIONS * HTTP/1.1", H), "200 open")
seed("options-path", r("OPTIONS /echo HTTP/1.1", H), "200 open")
seed("put-echo", r("PUT /echo HTTP/1.1", H, "Content-Length: 4", body="data"), "200 open")
seed("delete-echo", r("DELETE /echo HTTP/1.1", H), "200 open")
seed("head-echo", r("HEAD /echo HTTP/1.1", H), "200 open")
seed("custom-method-token", r("PURGE /echo HTTP/1.1", H), "200 open")
seed("lowercase-method", r("get /echo HTTP/1.1", H), "200 open")
seed("strip-prefix", r("GET /strip/a/b HTTP/1.1", H), "200 open")
seed("strip-prefix-root", r("GET /strip/ HTTP/1.1", H), "200 open")
seed("strip-prefix-redirect", r("GET /strip HTTP/1.1", H), "301 open")
seed("leading-empty-line", b"\r\n" + r("GET /exact HTTP/1.1", H), "400 closed",
     difference=EMPTY_LINE, subject_expect="200 open")
seed("empty-host-value", r("GET /echo HTTP/1.1", "Host:"), "200 open")

group("bodies")
seed("cl-body-echo", r("POST /echo HTTP/1.1", H, "Content-Length: 5", body="hello"), "200 open")
seed("cl-zero-echo", r("POST /echo HTTP/1.1", H, "Content-Length: 0"), "200 open")
seed("cl-leading-zeros", r("POST /echo HTTP/1.1", H, "Content-Length: 005", body="hello"), "200 open")
seed("cl-surrounding-spaces", r("POST /echo HTTP/1.1", H, "Content-Length:  5 ", body="hello"), "200 open")
seed("cl-two-equal", r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Content-Length: 5", body="hello"), "200 open")
seed("cl-body-in-pieces",
     [r("POST /echo HTTP/1.1", H, "Content-Length: 10"), b"hello", b"world"], "200 open")
seed("cl-head-split-mid-line", [b"POST /ec", b"ho HTTP/1.1\r\nHo", b"st: h\r\nContent-Length: 2\r\n\r", b"\nok"], "200 open")
seed("cl-body-short-then-half-close",
     r("POST /echo HTTP/1.1", H, "Content-Length: 10", body="short"), "400 closed", half_close=True)
seed("chunked-echo", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=chunked("hello")), "200 open")
seed("chunked-multi", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                        body=chunked("a", "bc", "0123456789abcdef0")), "200 open")
seed("chunked-uppercase-hex", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                body=b"A\r\n0123456789\r\n0\r\n\r\n"), "200 open")
seed("chunked-te-mixed-case", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: ChUnKeD", body=chunked("hey")), "200 open")
seed("chunked-extensions", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                             body=b'5;a=b;c="d e"\r\nhello\r\n0;last\r\n\r\n'), "200 open")
seed("chunked-extension-bws", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                body=b"5 ; a = b\r\nhello\r\n0\r\n\r\n"), "400 closed",
     difference=CHUNK_LINE, subject_expect="200 open")
seed("chunked-trailers", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", "Trailer: Foo",
                           body=chunked("hello", trailer="Foo: bar\r\nOther: x\r\n")), "200 open")
seed("chunked-empty", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=b"0\r\n\r\n"), "200 open")
seed("chunked-leading-zeros", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                body=b"0005\r\nhello\r\n000\r\n\r\n"), "200 open")
seed("chunked-in-pieces", [r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked"),
                           b"5\r\nhel", b"lo\r\n0\r", b"\n\r\n"], "200 open")
seed("chunked-truncated-then-half-close",
     r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=b"5\r\nhel"), "400 closed", half_close=True)
seed("ignore-body-small-then-next",
     r("POST /ignore-body HTTP/1.1", H, "Content-Length: 5", body="hello") + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("ignore-body-chunked-then-next",
     r("POST /ignore-body HTTP/1.1", H, "Transfer-Encoding: chunked", body=chunked("hello"))
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("ignore-body-200k-then-next",
     r("POST /ignore-body HTTP/1.1", H, "Content-Length: %d" % (200 << 10), body=b"x" * (200 << 10))
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("ignore-body-300k-closes",
     r("POST /ignore-body HTTP/1.1", H, "Content-Length: %d" % (300 << 10), body=b"x" * (300 << 10))
     + r("GET /exact HTTP/1.1", H), "200 closed")
seed("ignore-body-300k-chunked-closes",
     r("POST /ignore-body HTTP/1.1", H, "Transfer-Encoding: chunked",
       body=chunked(*[b"y" * 4096] * 75)) + r("GET /exact HTTP/1.1", H), "200 closed")
seed("expect-continue-echo",
     [r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Expect: 100-continue"), b"hello"], "100 200 open")
seed("expect-continue-echo-body-at-once",
     r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Expect: 100-continue", body="hello"), "100 200 open")
seed("expect-continue-mixed-case",
     [r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Expect: 100-Continue"), b"hello"], "100 200 open")
seed("expect-continue-chunked",
     [r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", "Expect: 100-continue"), chunked("hello")], "100 200 open")
seed("expect-continue-zero-length",
     r("POST /echo HTTP/1.1", H, "Content-Length: 0", "Expect: 100-continue"), "200 open")
seed("expect-continue-ignore-body",
     [r("POST /ignore-body HTTP/1.1", H, "Content-Length: 5", "Expect: 100-continue"), b"hello"], "200 closed")
seed("expect-continue-http10",
     r("POST /echo HTTP/1.0", "Content-Length: 5", "Expect: 100-continue", body="hello"), "200 closed")
seed("expect-other-417", r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Expect: something-else", body="hello"), "417 closed")
seed("expect-empty-value", r("GET /echo HTTP/1.1", H, "Expect:"), "200 open")
seed("get-with-body", r("GET /echo HTTP/1.1", H, "Content-Length: 3", body="abc"), "200 open")

group("pipeline")
seed("pipe-2-get", r("GET / HTTP/1.1", H) + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-3-mixed", r("GET /exact HTTP/1.1", H) + r("HEAD /big HTTP/1.1", H)
     + r("POST /echo HTTP/1.1", H, "Content-Length: 3", body="xyz"), "200 200 200 open")
seed("pipe-16-get", b"".join(r(f"GET /echo?i={i} HTTP/1.1", H) for i in range(16)), "200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 open")
seed("pipe-head-then-get", r("HEAD /sized HTTP/1.1", H) + r("GET /sized HTTP/1.1", H), "200 200 open")
seed("pipe-after-chunked", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=chunked("abc"))
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-after-chunked-trailers",
     r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=chunked("abc", trailer="T: 1\r\n"))
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-after-cl-body", r("POST /echo HTTP/1.1", H, "Content-Length: 4", body="GET ")
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-malformed-middle", r("GET / HTTP/1.1", H) + b"BOGUS\r\n\r\n" + r("GET /exact HTTP/1.1", H), "200 400 closed")
seed("pipe-bad-header-middle", r("GET / HTTP/1.1", H) + r("GET /echo HTTP/1.1", H, "Bad Name: x")
     + r("GET /exact HTTP/1.1", H), "200 400 closed")
seed("pipe-connection-close-second", r("GET / HTTP/1.1", H) + r("GET /exact HTTP/1.1", H, "Connection: close")
     + r("GET /echo HTTP/1.1", H), "200 200 closed")
seed("pipe-http10-first", r("GET /exact HTTP/1.0") + r("GET / HTTP/1.1", H), "200 closed")
seed("pipe-ignore-body-then-get", r("POST /ignore-body HTTP/1.1", H, "Content-Length: 4", body="GET ")
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-half-close", r("GET / HTTP/1.1", H) + r("GET /exact HTTP/1.1", H), "200 200 closed", half_close=True)
seed("pipe-in-pieces", [b"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /ex", b"act HTTP/1.1\r\nHost: h\r\n", b"\r\n"], "200 200 open")
seed("pipe-panic-middle", r("GET / HTTP/1.1", H) + r("GET /panic HTTP/1.1", H) + r("GET /exact HTTP/1.1", H), "200 closed")
seed("pipe-flush-then-big", r("GET /flush HTTP/1.1", H) + r("GET /big HTTP/1.1", H), "200 200 open")
seed("pipe-expect-continue-then-get",
     r("POST /echo HTTP/1.1", H, "Content-Length: 2", "Expect: 100-continue", body="ok")
     + r("GET /exact HTTP/1.1", H), "100 200 200 open")
seed("pipe-post-crlf-then-get", r("POST /echo HTTP/1.1", H, "Content-Length: 2", body="ok") + b"\r\n"
     + r("GET /exact HTTP/1.1", H), "200 200 open")
seed("pipe-post-4-crlf-bytes-then-get", r("POST /echo HTTP/1.1", H, "Content-Length: 2", body="ok") + b"\r\n\n\r"
     + r("GET /exact HTTP/1.1", H), "200 200 open",
     difference=EMPTY_LINE_LF, subject_expect="200 400 closed")
seed("pipe-get-crlf-then-get", r("GET /echo HTTP/1.1", H) + b"\r\n" + r("GET /exact HTTP/1.1", H), "200 400 closed",
     difference=EMPTY_LINE, subject_expect="200 200 open")
seed("pipe-options-then-get", r("OPTIONS * HTTP/1.1", H) + r("GET /exact HTTP/1.1", H), "200 200 open")

group("malformed")
seed("bad-method-paren", r("G(ET / HTTP/1.1", H), "400 closed")
seed("bad-method-at", r("GE@T / HTTP/1.1", H), "400 closed")
seed("bad-method-empty", r(" / HTTP/1.1", H), "400 closed")
seed("bad-method-non-ascii", "GÉT / HTTP/1.1\r\nHost: h\r\n\r\n".encode("utf-8"), "400 closed")
seed("bad-request-line-garbage", b"hello\r\n\r\n", "400 closed")
seed("bad-request-line-double-space", r("GET  / HTTP/1.1", H), "400 closed")
seed("bad-request-line-trailing-space", r("GET / HTTP/1.1 ", H), "400 closed")
seed("bad-request-line-tab", r("GET\t/\tHTTP/1.1", H), "400 closed")
seed("bad-request-line-no-version", r("GET /", H), "400 closed")
seed("bad-request-target-space", r("GET /a b HTTP/1.1", H), "400 closed")
seed("bad-request-target-ctl", r("GET /a\x01b HTTP/1.1", H), "400 closed")
seed("bad-request-target-nul", r("GET /a\x00b HTTP/1.1", H), "400 closed")
seed("request-target-non-ascii", "GET /echo?q=é HTTP/1.1\r\nHost: h\r\n\r\n".encode("utf-8"), "200 open",
     difference=TARGET_CHARS, subject_expect="400 closed")
seed("request-target-fragment", r("GET /echo#frag HTTP/1.1", H), "200 open",
     difference=TARGET_CHARS, subject_expect="400 closed")
seed("empty-request-lines", b"\r\n\r\n", "400 closed",
     difference=EMPTY_LINE, subject_expect="open")
seed("tls-client-hello-then-crlf", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 32 + b"\r\n\r\n", "400 closed")
seed("h2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "400 closed")
seed("version-http20", r("GET /echo HTTP/2.0", H), "505 closed")
seed("version-http12", r("GET /echo HTTP/1.2", H), "200 open")
seed("version-http19", r("GET /echo HTTP/1.9", H), "200 open")
seed("version-http09", r("GET /echo HTTP/0.9", H), "505 closed")
seed("version-http110", r("GET /echo HTTP/1.10", H), "400 closed")
seed("version-http30", r("GET /echo HTTP/3.0", H), "505 closed")
seed("version-http1", r("GET /echo HTTP/1", H), "400 closed")
seed("version-lowercase", r("GET /echo http/1.1", H), "400 closed")
seed("version-leading-zero", r("GET /echo HTTP/01.1", H), "400 closed")
seed("missing-host-http11", r("GET / HTTP/1.1"), "400 closed")
seed("two-host-headers", r("GET / HTTP/1.1", "Host: a", "Host: b"), "400 closed")
seed("host-invalid-chars", r("GET / HTTP/1.1", "Host: a b"), "400 closed")
seed("host-with-slash", r("GET / HTTP/1.1", "Host: a/b"), "400 closed")
seed("space-before-colon", r("GET /echo HTTP/1.1", H, "Foo : x"), "400 closed")
seed("space-before-colon-cl", r("POST /echo HTTP/1.1", H, "Content-Length : 5", body="hello"), "400 closed")
seed("obs-fold", r("GET /echo HTTP/1.1", H, "Foo: a", " b"), "200 open", difference=OBS_FOLD,
     subject_expect="400 closed")
seed("obs-fold-first-header", r("GET /echo HTTP/1.1", " Foo: a", H), "400 closed")
seed("header-no-colon", r("GET /echo HTTP/1.1", H, "Foo"), "400 closed")
seed("header-empty-name", r("GET /echo HTTP/1.1", H, ": x"), "400 closed")
seed("header-name-bad-char", r("GET /echo HTTP/1.1", H, "Fo{o: x"), "400 closed")
seed("header-name-space", r("GET /echo HTTP/1.1", H, "Bad Name: x"), "400 closed")
seed("header-name-underscore-ok", r("GET /echo HTTP/1.1", H, "Foo_Bar: x"), "200 open")
seed("header-value-bare-cr", r("GET /echo HTTP/1.1", H, "Foo: a\rb"), "400 closed")
seed("header-value-nul", r("GET /echo HTTP/1.1", H, "Foo: a\x00b"), "400 closed")
seed("header-value-ctl", r("GET /echo HTTP/1.1", H, "Foo: a\x01b"), "400 closed")
seed("header-value-del", r("GET /echo HTTP/1.1", H, "Foo: a\x7fb"), "400 closed")
seed("header-value-obs-text", r("GET /echo HTTP/1.1", H, "Foo: caf\xe9"), "200 open")
seed("header-line-double-cr", r("GET /echo HTTP/1.1", H, "Foo: a\r"), "400 closed")
seed("header-512k-accepted", r("GET /echo HTTP/1.1", H, "Big: " + "b" * (512 << 10)), "200 open",
     difference=HEAD_LIMIT, subject_expect="431 closed")
seed("header-huge-431", r("GET /echo HTTP/1.1", H, "Big: " + "b" * ((1 << 20) + 8192)), "431 closed")
seed("headers-many-431", r("GET /echo HTTP/1.1", H, *[f"X-H{i}: " + "v" * 1000 for i in range(1100)]), "431 closed")
seed("request-line-huge-431", r("GET /" + "p" * ((1 << 20) + 8192) + " HTTP/1.1", H), "431 closed",
     difference=REQUEST_LINE_414, subject_expect="414 closed")
seed("cl-plus-sign", r("POST /echo HTTP/1.1", H, "Content-Length: +5", body="hello"), "400 closed")
seed("cl-negative", r("POST /echo HTTP/1.1", H, "Content-Length: -1", body="hello"), "400 closed")
seed("cl-decimal", r("POST /echo HTTP/1.1", H, "Content-Length: 1.0", body="h"), "400 closed")
seed("cl-hex", r("POST /echo HTTP/1.1", H, "Content-Length: 0x10", body="0123456789abcdef"), "400 closed")
seed("cl-empty", r("POST /echo HTTP/1.1", H, "Content-Length:", body="hello"), "400 closed")
seed("cl-two-different", r("POST /echo HTTP/1.1", H, "Content-Length: 5", "Content-Length: 6", body="hello!"), "400 closed")
seed("cl-comma-list", r("POST /echo HTTP/1.1", H, "Content-Length: 5, 5", body="hello"), "400 closed")
seed("cl-overflow", r("POST /echo HTTP/1.1", H, "Content-Length: 99999999999999999999", body="hello"), "400 closed")
seed("cl-inner-space", r("POST /echo HTTP/1.1", H, "Content-Length: 1 0", body="0123456789"), "400 closed")
seed("bare-lf-head", b"GET /echo HTTP/1.1\nHost: h\n\n", "200 open", difference=BARE_LF_HEAD, subject_expect="400 closed")
seed("bare-lf-header-line", b"GET /echo HTTP/1.1\r\nHost: h\nFoo: x\r\n\r\n", "200 open",
     difference=BARE_LF_HEAD, subject_expect="400 closed")
seed("bare-lf-end-of-head", b"GET /echo HTTP/1.1\r\nHost: h\r\n\n", "200 open",
     difference=BARE_LF_HEAD, subject_expect="400 closed")
seed("bare-lf-request-line", b"GET /echo HTTP/1.1\nHost: h\r\n\r\n", "200 open",
     difference=BARE_LF_HEAD, subject_expect="400 closed")
seed("bare-cr-line-end", b"GET /echo HTTP/1.1\rHost: h\r\n\r\n", "400 closed")

group("smuggling")
SMUGGLED = r("GET /exact HTTP/1.1", H)
seed("cl-te", r("POST /echo HTTP/1.1", H, "Content-Length: 4", "Transfer-Encoding: chunked",
                body=chunked("abc")) + SMUGGLED, "200 200 open", difference=CL_TE, subject_expect="400 closed")
seed("te-cl", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", "Content-Length: 4",
                body=chunked("abc")) + SMUGGLED, "200 200 open", difference=CL_TE, subject_expect="400 closed")
seed("cl-te-smuggle-in-body",
     r("POST /echo HTTP/1.1", H, "Content-Length: 40", "Transfer-Encoding: chunked",
       body=b"0\r\n\r\n" + r("GET /exact HTTP/1.1", H)), "200 200 open", difference=CL_TE, subject_expect="400 closed")
seed("cl-zero-te", r("POST /echo HTTP/1.1", H, "Content-Length: 0", "Transfer-Encoding: chunked",
                     body=chunked("abc")), "200 open", difference=CL_TE, subject_expect="400 closed")
seed("cl-te-mixed-case", r("POST /echo HTTP/1.1", H, "content-length: 3", "TRANSFER-ENCODING: Chunked",
                           body=chunked("abc")), "200 open", difference=CL_TE, subject_expect="400 closed")
seed("cl-te-tab-ows", r("POST /echo HTTP/1.1", H, "Content-Length: 3", "Transfer-Encoding:\tchunked\t",
                        body=chunked("abc")), "200 open", difference=CL_TE, subject_expect="400 closed")
seed("cl-bad-te", r("POST /echo HTTP/1.1", H, "Content-Length: abc", "Transfer-Encoding: chunked",
                    body=chunked("abc")), "400 closed")
seed("cl-te-gzip", r("POST /echo HTTP/1.1", H, "Content-Length: 3", "Transfer-Encoding: gzip", body="abc"), "501 closed")
seed("te-http10", r("POST /echo HTTP/1.0", "Transfer-Encoding: chunked", "Connection: keep-alive",
                    body=chunked("hello")), "200 400 closed", difference=TE_10, subject_expect="400 closed")
seed("te-http10-no-keep-alive", r("POST /echo HTTP/1.0", "Transfer-Encoding: chunked",
                                  body=chunked("hello")), "200 closed", difference=TE_10, subject_expect="400 closed")
seed("te-http10-with-cl", r("POST /echo HTTP/1.0", "Transfer-Encoding: chunked", "Content-Length: 5",
                            "Connection: keep-alive", body=chunked("hello")),
     "200 400 closed", difference=TE_10, subject_expect="400 closed")
seed("te-gzip", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: gzip", body=chunked("abc")), "501 closed")
seed("te-identity", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: identity", body="abc"), "501 closed")
seed("te-gzip-chunked", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: gzip, chunked", body=chunked("abc")), "501 closed")
seed("te-chunked-chunked", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked, chunked", body=chunked("abc")), "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")
seed("te-chunked-space-comma-gzip", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked , gzip",
                                      body=chunked("abc")), "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")
seed("te-two-headers", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", "Transfer-Encoding: chunked",
                         body=chunked("abc")), "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")
seed("te-xchunked", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: xchunked", body=chunked("abc")), "501 closed")
seed("te-empty", r("POST /echo HTTP/1.1", H, "Transfer-Encoding:", body=chunked("abc")), "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")
seed("te-vertical-tab", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked\x0b", body=chunked("abc")), "400 closed")
seed("te-underscore-name-ignored", r("POST /echo HTTP/1.1", H, "Transfer_Encoding: chunked",
                                     body=chunked("abc")), "200 400 closed")
seed("chunk-size-bad-hex", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                             body=b"z\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-negative", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                              body=b"-5\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-0x-prefix", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                               body=b"0x5\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-overflow", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                              body=b"ffffffffffffffffff\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-16-digits", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                               body=b"0000000000000005\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "200 200 open")
seed("chunk-size-empty", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                           body=b"\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-leading-space", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                   body=b" 5\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-size-trailing-space", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                    body=b"5 \r\nhello\r\n0\r\n\r\n") + SMUGGLED, "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-line-bare-lf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                             body=b"5\nhello\r\n0\r\n\r\n") + SMUGGLED, "200 200 open",
     difference=BARE_LF_CHUNK, subject_expect="400 closed")
seed("last-chunk-bare-lf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                             body=b"5\r\nhello\r\n0\n\r\n") + SMUGGLED, "200 200 open",
     difference=BARE_LF_CHUNK, subject_expect="400 closed")
seed("chunked-end-bare-lf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                              body=b"5\r\nhello\r\n0\r\n\n") + SMUGGLED, "200 200 open",
     difference=BARE_LF_CHUNK, subject_expect="400 closed")
seed("chunk-trailer-bare-lf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                body=b"5\r\nhello\r\n0\r\nFoo: x\n\r\n") + SMUGGLED, "200 200 open",
     difference=BARE_LF_CHUNK, subject_expect="400 closed")
seed("chunk-data-missing-crlf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                  body=b"5\r\nhelloX0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-data-bare-lf", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                             body=b"5\r\nhello\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-data-longer-than-size", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                      body=b"3\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "400 closed")
seed("chunk-ext-bare-cr", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                            body=b"5;a\rb\r\nhello\r\n0\r\n\r\n") + SMUGGLED, "200 200 open",
     difference=CHUNK_EXT_CTL, subject_expect="400 closed")
seed("chunk-trailer-name-space", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                  body=b"5\r\nhello\r\n0\r\nBad Name: x\r\n\r\n") + SMUGGLED, "200 200 open",
     difference=TRAILER_FIELD, subject_expect="400 closed")
seed("chunk-trailer-space-before-colon", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                          body=b"5\r\nhello\r\n0\r\nFoo : x\r\n\r\n") + SMUGGLED, "200 200 open",
     difference=TRAILER_FIELD, subject_expect="400 closed")
seed("chunk-trailer-content-length-ignored", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked",
                                              body=chunked("hello", trailer="Content-Length: 99\r\n")) + SMUGGLED, "200 200 open")
seed("te-obs-fold", r("POST /echo HTTP/1.1", H, "Transfer-Encoding:", " chunked", body=chunked("abc")) + SMUGGLED,
     "200 200 open", difference=OBS_FOLD, subject_expect="400 closed")
seed("te-obs-fold-with-cl", r("POST /echo HTTP/1.1", H, "Content-Length: 3", "Transfer-Encoding:", " chunked",
                              body=chunked("abc")) + SMUGGLED, "200 200 open", difference=CL_TE, subject_expect="400 closed")
seed("te-trailing-comma", r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked,", body=chunked("abc")), "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")

group("target-forms")
seed("connect-authority", r("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"), "301 open",
     difference=CONNECT_405, subject_expect="405 open")
seed("connect-no-host", r("CONNECT example.com:443 HTTP/1.1"), "301 open",
     difference=CONNECT_405, subject_expect="405 open")
seed("connect-path", r("CONNECT /echo HTTP/1.1", H), "200 open")
seed("authority-form-get", r("GET example.com:80 HTTP/1.1", H), "301 open",
     difference=AUTHORITY_FORM, subject_expect="400 closed")
seed("authority-form-no-port-get", r("GET example.com HTTP/1.1", H), "400 closed")
seed("asterisk-get", r("GET * HTTP/1.1", H), "400 closed")
seed("asterisk-post", r("POST * HTTP/1.1", H, "Content-Length: 0"), "400 closed")
seed("absolute-https", r("GET https://example.com/user/ HTTP/1.1", H), "200 open")
seed("absolute-ftp", r("GET ftp://example.com/echo HTTP/1.1", H), "200 open")
seed("absolute-uppercase-scheme", r("GET HTTP://example.com/echo HTTP/1.1", H), "200 open")
seed("absolute-userinfo", r("GET http://u:p@example.com/echo HTTP/1.1", H), "200 open")
seed("absolute-query", r("GET http://h/echo?a=b HTTP/1.1", "Host: other"), "200 open")
seed("options-absolute", r("OPTIONS http://example.com HTTP/1.1", H), "301 open")

group("strict")
# Items where ringhttp follows RFC 9112 and Go does not (docs/DIFFERENTIAL.md k-p).
TE_POST = lambda *te: r("POST /echo HTTP/1.1", H, *["Transfer-Encoding: " + v for v in te], body=chunked("abc"))
seed("te-chunked-gzip", TE_POST("chunked, gzip") + SMUGGLED, "501 closed", difference=TE_FINAL, subject_expect="400 closed")
seed("te-chunked-then-identity", TE_POST("chunked", "identity") + SMUGGLED, "501 closed",
     difference=TE_FINAL, subject_expect="400 closed")
seed("te-comma-chunked", TE_POST(", chunked") + SMUGGLED, "501 closed", difference=TE_FINAL, subject_expect="400 closed")
seed("te-gzip-then-chunked", TE_POST("gzip", "chunked") + SMUGGLED, "501 closed")
seed("te-gzip-param-chunked", TE_POST('gzip;level="9, x", chunked') + SMUGGLED, "501 closed")
CHUNKED_POST = lambda body: r("POST /echo HTTP/1.1", H, "Transfer-Encoding: chunked", body=body) + SMUGGLED
seed("chunk-ext-semicolon-only", CHUNKED_POST(b"5;\r\nhello\r\n0\r\n\r\n"), "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-ext-name-trailing-space", CHUNKED_POST(b"5;a \r\nhello\r\n0\r\n\r\n"), "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-ext-no-value", CHUNKED_POST(b"5;a=\r\nhello\r\n0\r\n\r\n"), "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-ext-two-words", CHUNKED_POST(b"5;a b\r\nhello\r\n0\r\n\r\n"), "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-last-trailing-tab", CHUNKED_POST(b"5\r\nhello\r\n0\t\r\n\r\n"), "200 200 open",
     difference=CHUNK_LINE, subject_expect="400 closed")
seed("chunk-ext-quoted-bws", CHUNKED_POST(b'5;a="b c";d=e\r\nhello\r\n0;f\r\n\r\n'), "200 200 open")
seed("chunk-size-trailing-space-ignored-body",
     r("POST /ignore-body HTTP/1.1", H, "Transfer-Encoding: chunked", body=b"5 \r\nhello\r\n0\r\n\r\n") + SMUGGLED,
     "200 200 open", difference=CHUNK_LINE, subject_expect="200 closed")
seed("request-target-dquote", r('GET /echo?a="b" HTTP/1.1', H), "200 open", difference=TARGET_CHARS,
     subject_expect="400 closed")
seed("request-target-pipe", r("GET /echo?a|b HTTP/1.1", H), "200 open", difference=TARGET_CHARS,
     subject_expect="400 closed")
seed("request-target-braces", r("GET /echo/{x} HTTP/1.1", H), "200 open", difference=TARGET_CHARS,
     subject_expect="400 closed")
seed("request-target-backslash", r("GET /echo\\x HTTP/1.1", H), "200 open", difference=TARGET_CHARS,
     subject_expect="400 closed")
seed("request-target-brackets-query", r("GET /echo?a[]=1 HTTP/1.1", H), "200 open")
seed("request-target-sub-delims", r("GET /echo?!$&'()*+,;=:@/? HTTP/1.1", H), "200 open")
seed("absolute-fragment", r("GET http://example.com/echo#f HTTP/1.1", H), "200 open", difference=TARGET_CHARS,
     subject_expect="400 closed")
seed("authority-form-post", r("POST example.com:443 HTTP/1.1", H, "Content-Length: 0"), "301 open",
     difference=AUTHORITY_FORM, subject_expect="400 closed")
seed("absolute-no-authority", r("GET http:/echo HTTP/1.1", H), "200 open", difference=AUTHORITY_FORM,
     subject_expect="400 closed")
seed("connect-authority-then-get", r("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443")
     + r("GET /exact HTTP/1.1", H), "301 200 open", difference=CONNECT_405, subject_expect="405 200 open")
seed("leading-4-empty-lines", b"\r\n" * 4 + r("GET /exact HTTP/1.1", H), "400 closed", difference=EMPTY_LINE,
     subject_expect="200 open")
seed("leading-5-empty-lines", b"\r\n" * 5 + r("GET /exact HTTP/1.1", H), "400 closed")
seed("leading-empty-line-split", [b"\r", b"\n" + r("GET /exact HTTP/1.1", H)], "400 closed", difference=EMPTY_LINE,
     subject_expect="200 open")
seed("only-empty-lines-then-half-close", b"\r\n\r\n", "400 closed", half_close=True, difference=EMPTY_LINE,
     subject_expect="closed")
seed("leading-bare-lf", b"\n" + r("GET /exact HTTP/1.1", H), "400 closed")
seed("head-just-under-64k", r("GET /echo HTTP/1.1", H, "Big: " + "b" * ((64 << 10) - 100)), "200 open")
seed("head-64k-and-100", r("GET /echo HTTP/1.1", H, "Big: " + "b" * (64 << 10)), "200 open", difference=HEAD_LIMIT,
     subject_expect="431 closed")
seed("field-line-100k", r("GET /echo HTTP/1.1", H, "Big: " + "b" * 100000), "200 open", difference=HEAD_LIMIT,
     subject_expect="431 closed")
seed("request-line-100k", r("GET /" + "p" * 100000 + " HTTP/1.1", H), "200 open", difference=HEAD_LIMIT,
     subject_expect="414 closed")

group("responses")
seed("big-http11-chunked", r("GET /big HTTP/1.1", H), "200 open")
seed("big-http10-close", r("GET /big HTTP/1.0"), "200 closed")
seed("big-http10-keep-alive", r("GET /big HTTP/1.0", "Connection: keep-alive"), "200 closed")
seed("big-head", r("HEAD /big HTTP/1.1", H), "200 open")
seed("sized-get", r("GET /sized HTTP/1.1", H), "200 open")
seed("sized-head", r("HEAD /sized HTTP/1.1", H), "200 open")
seed("sized-http10", r("GET /sized HTTP/1.0", "Connection: keep-alive"), "200 open")
seed("nocontent-get", r("GET /nocontent HTTP/1.1", H), "204 open")
seed("nocontent-head", r("HEAD /nocontent HTTP/1.1", H), "204 open")
seed("nocontent-http10", r("GET /nocontent HTTP/1.0"), "204 closed")
seed("flush-chunked", r("GET /flush HTTP/1.1", H), "200 open")
seed("flush-http10", r("GET /flush HTTP/1.0"), "200 closed")
seed("flush-head", r("HEAD /flush HTTP/1.1", H), "200 open")
seed("html-sniffed", r("GET /html HTTP/1.1", H), "200 open")
seed("html-head", r("HEAD /html HTTP/1.1", H), "200 open")
seed("error-418", r("GET /error HTTP/1.1", H), "418 open")
seed("redirect-get", r("GET /redirect HTTP/1.1", H), "302 open")
seed("redirect-head", r("HEAD /redirect HTTP/1.1", H), "302 open")
seed("redirect-post", r("POST /redirect HTTP/1.1", H, "Content-Length: 0"), "302 open")
seed("panic-closes", r("GET /panic HTTP/1.1", H), "closed")
seed("panic-http10", r("GET /panic HTTP/1.0"), "closed")
seed("echo-empty-body", r("GET /echo HTTP/1.1", H), "200 open")
seed("root-text", r("GET /anything HTTP/1.1", H), "200 open")

# ==========================================================================
# modern routes (Go 1.22 patterns)
# ==========================================================================

group("modern")
modern("m-get-item", r("GET /items/42 HTTP/1.1", H), "200 open")
modern("m-post-item", r("POST /items/42 HTTP/1.1", H, "Content-Length: 0"), "200 open")
modern("m-head-item", r("HEAD /items/42 HTTP/1.1", H), "200 open")
modern("m-put-item-405", r("PUT /items/42 HTTP/1.1", H, "Content-Length: 0"), "405 open")
modern("m-items-new", r("GET /items/new HTTP/1.1", H), "200 open")
modern("m-post-items-new", r("POST /items/new HTTP/1.1", H, "Content-Length: 0"), "200 open")
modern("m-items-edit", r("GET /items/42/edit HTTP/1.1", H), "200 open")
modern("m-items-edit-delete", r("DELETE /items/42/edit HTTP/1.1", H), "200 open")
modern("m-items-edit-escaped-slash", r("GET /items/a%2Fb/edit HTTP/1.1", H), "200 open")
modern("m-item-escaped-slash", r("GET /items/a%2Fb HTTP/1.1", H), "200 open")
modern("m-item-utf8", r("GET /items/%E2%9C%93 HTTP/1.1", H), "200 open")
modern("m-item-trailing-slash-404", r("GET /items/42/ HTTP/1.1", H), "404 open")
modern("m-items-root-404", r("GET /items/ HTTP/1.1", H), "404 open")
modern("m-files-deep", r("GET /files/a/b/c HTTP/1.1", H), "200 open")
modern("m-files-empty", r("GET /files/ HTTP/1.1", H), "200 open")
modern("m-files-redirect", r("GET /files HTTP/1.1", H), "301 open")
modern("m-files-escaped", r("GET /files/a%2Fb/c%20d HTTP/1.1", H), "200 open")
modern("m-exact-root", r("GET /exact/ HTTP/1.1", H), "200 open")
modern("m-exact-redirect", r("GET /exact HTTP/1.1", H), "301 open")
modern("m-exact-deeper-404", r("GET /exact/x HTTP/1.1", H), "404 open")
modern("m-tree-redirect", r("GET /tree HTTP/1.1", H), "301 open")
modern("m-tree-redirect-query", r("GET /tree?q=1 HTTP/1.1", H), "301 open")
modern("m-tree-sub-post", r("POST /tree/x/y HTTP/1.1", H, "Content-Length: 0"), "200 open")
modern("m-gtree", r("GET /gtree/sub HTTP/1.1", H), "200 open")
modern("m-gtree-post-405", r("POST /gtree/ HTTP/1.1", H, "Content-Length: 0"), "405 open")
modern("m-gtree-post-redirect-or-405", r("POST /gtree HTTP/1.1", H, "Content-Length: 0"), "405 open")
modern("m-bucket-object", r("GET /b/x/o/y/z HTTP/1.1", H), "200 open")
modern("m-bucket-object-empty", r("GET /b/x/o/ HTTP/1.1", H), "200 open")
modern("m-host-item", r("GET /items/7 HTTP/1.1", "Host: api.example"), "200 open")
modern("m-host-item-port", r("GET /items/7 HTTP/1.1", "Host: api.example:8080"), "200 open")
modern("m-host-item-post", r("PATCH /items/7 HTTP/1.1", "Host: api.example", "Content-Length: 0"), "200 open")
modern("m-host-absolute-form", r("GET http://api.example/items/9 HTTP/1.1", H), "200 open")
modern("m-host-other-path-404", r("GET /nothing HTTP/1.1", "Host: api.example"), "404 open")
modern("m-head-only", r("HEAD /head-only HTTP/1.1", H), "200 open")
modern("m-head-only-get-405", r("GET /head-only HTTP/1.1", H), "405 open")
modern("m-getdel-get", r("GET /getdel HTTP/1.1", H), "200 open")
modern("m-getdel-delete", r("DELETE /getdel HTTP/1.1", H), "200 open")
modern("m-getdel-put-405", r("PUT /getdel HTTP/1.1", H, "Content-Length: 0"), "405 open")
modern("m-getdel-options-405", r("OPTIONS /getdel HTTP/1.1", H), "405 open")
modern("m-root", r("GET / HTTP/1.1", H), "200 open")
modern("m-root-post-405", r("POST / HTTP/1.1", H, "Content-Length: 0"), "405 open")
modern("m-404", r("GET /nothing HTTP/1.1", H), "404 open")
modern("m-404-head", r("HEAD /nothing HTTP/1.1", H), "404 open")
modern("m-double-slash-redirect", r("GET //items/1 HTTP/1.1", H), "301 open")
modern("m-dotdot-redirect", r("GET /items/../items/1 HTTP/1.1", H), "301 open")
modern("m-dot-redirect-post", r("POST /items/./9 HTTP/1.1", H, "Content-Length: 0"), "301 open")
modern("m-options-asterisk", r("OPTIONS * HTTP/1.1", H), "200 open")
modern("m-connect", r("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"), "405 open")
modern("m-pipelined-405-then-200", r("PUT /getdel HTTP/1.1", H, "Content-Length: 0")
       + r("GET /items/1 HTTP/1.1", H), "405 200 open")
