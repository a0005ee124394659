"""Case table for hostile_test.py: malformed requests and smuggling attempts.

Each case is raw bytes sent on a fresh connection to conformance_server
(--routes seed), the reaction RFC 9112/9110 requires, and the section that
requires it. `expect` is an outcome, or several joined by " or " where the RFC
leaves a choice:

    "200 open"          one 200 response, then the connection stays open
    "400 closed"        one 400, then the server closes (EOF or RST)
    "100 200 open"      responses in order (interim 1xx included)
    "400|501 closed"    either status
    "- open"            no response yet, connection open (the server is right
                        to wait for more bytes: an incomplete head or body)
    "- closed"          no response, a clean close
    "200 any"           open or closed, either is fine

Where the RFC leaves a choice and ringhttp has made one (docs/DIFFERENTIAL.md
lists them), the first outcome is ringhttp's choice and the others are what
the RFC also allows.

Besides the statuses, no case may ever show a response to the request tagged
MARKER (a request smuggled inside another's bytes, or pipelined behind a
rejected one): its /echo response would carry the marker back.

Variants made from the table (see variants()):
- pipelined: a valid request before the bad one and a valid, marked request
  after it, in one write. The one before is answered, the bad one gets its
  error (or the connection just closes), and nothing after it is served.
- split: the bytes sent in two writes 0.15 s apart, cut after the first line,
  so that the rest of the head goes through the incremental head scanner
  rather than the one-pass parser.
- bytewise: for chunked bodies, the head in one write and then the body one
  byte per write, so that the chunked decoder resumes at every byte.
"""

from __future__ import annotations

import dataclasses
import random

MARKER = b"smuggled-marker"
# The request that must never be answered after a rejected one: /echo copies
# its Foo header into X-Header-Foo, so an answer would show MARKER.
AFTER = b"GET /echo?after HTTP/1.1\r\nHost: h\r\nFoo: " + MARKER + b"\r\n\r\n"
BEFORE = b"GET /exact HTTP/1.1\r\nHost: h\r\n\r\n"


@dataclasses.dataclass
class Outcome:
    statuses: list[tuple[int, ...]]   # each position: the statuses allowed there
    close: bool | None                 # True closed, False open, None either

    def matches(self, got: list[int], closed: bool) -> bool:
        if len(got) != len(self.statuses):
            return False
        if any(g not in allowed for g, allowed in zip(got, self.statuses)):
            return False
        return self.close is None or self.close == closed

    def __str__(self) -> str:
        s = " ".join("|".join(map(str, a)) for a in self.statuses) or "-"
        return s + " " + {True: "closed", False: "open", None: "any"}[self.close]


def parse_outcomes(spec: str) -> list[Outcome]:
    out = []
    for alt in spec.split(" or "):
        words = alt.split()
        end = {"closed": True, "open": False, "any": None}[words[-1]]
        statuses = [] if words[:-1] == ["-"] else [tuple(int(x) for x in w.split("|")) for w in words[:-1]]
        out.append(Outcome(statuses, end))
    return out


@dataclasses.dataclass
class Case:
    name: str
    group: str
    parts: list[bytes]             # sent in order, `pause` seconds apart
    expect: str                    # see the module doc
    rfc: str                       # the section that requires the reaction
    half_close: bool = False       # shutdown(SHUT_WR) after the last part
    pause: float = 0.15
    contains: tuple[bytes, ...] = ()   # must appear in what the server sent
    pipeline: bool | None = None   # make a pipelined variant (None: when it fits)
    variant: str = ""              # "", "pipelined", "split" or "bytewise"

    @property
    def outcomes(self) -> list[Outcome]:
        return parse_outcomes(self.expect)

    @property
    def data(self) -> bytes:
        return b"".join(self.parts)


CASES: list[Case] = []
_group = ""


def group(name: str) -> None:
    global _group
    _group = name


def case(name: str, data: bytes | str | list[bytes], expect: str, rfc: str, **kw) -> None:
    if isinstance(data, str):
        data = data.encode("latin-1")
    parts = data if isinstance(data, list) else [data]
    if any(c.name == name for c in CASES):
        raise ValueError("duplicate case name " + name)
    c = Case(name=name, group=_group, parts=parts, expect=expect, rfc=rfc, **kw)
    c.outcomes  # parse now: a typo fails at import
    CASES.append(c)


def req(line: str, *headers: str, body: bytes | str = b"") -> bytes:
    """One request: request line, header lines, blank line, body (latin-1)."""
    if isinstance(body, str):
        body = body.encode("latin-1")
    return ("".join(h + "\r\n" for h in (line,) + headers) + "\r\n").encode("latin-1") + body


def get(*headers: str, target: str = "/", version: str = "HTTP/1.1") -> bytes:
    return req("GET %s %s" % (target, version), "Host: h", *headers)


def post(*headers: str, body: bytes | str = b"", target: str = "/echo", version: str = "HTTP/1.1") -> bytes:
    return req("POST %s %s" % (target, version), "Host: h", *headers, body=body)


def chunked_post(body: bytes | str, *headers: str) -> bytes:
    """POST /echo with Transfer-Encoding: chunked and `body` as the raw chunked bytes."""
    return post("Transfer-Encoding: chunked", *headers, body=body)


GOOD_CHUNKS = b"5\r\nhello\r\n0\r\n\r\n"

# RFC sections, quoted loosely; each case names the one behind its reaction.
S_BADSYNTAX = "RFC 9112 §2.2: octets that do not match the HTTP-message grammar: SHOULD 400 and close"
S_BARE_CR = "RFC 9112 §2.2: a bare CR MUST be treated as invalid (or replaced by SP)"
S_BARE_LF = ("RFC 9112 §2.2: a bare LF line end MAY be accepted; ringhttp does not "
             "(docs/DIFFERENTIAL.md c), so 400 and close")
S_REQLINE = "RFC 9112 §3: request-line = method SP request-target SP HTTP-version; invalid: SHOULD 400"
S_METHOD = "RFC 9110 §9.1, §5.6.2: method = token; not a token: invalid request-line, 400"
S_FIELDNAME = "RFC 9112 §5, RFC 9110 §5.1: field-name = token; not a token: 400"
S_WS_COLON = "RFC 9112 §5.1: whitespace between field name and colon: server MUST reject with 400"
S_FOLD = "RFC 9112 §5.2: obs-fold in a request: MUST reject with 400 (or unfold); ringhttp rejects"
S_FIRSTWS = ("RFC 9112 §2.2: whitespace between start-line and first field: MUST reject "
             "(or ignore the line, and then Host is missing: §3.2 400)")
S_VALUE_NUL = "RFC 9110 §5.5: CR, LF or NUL in a field value: MUST reject (or replace with SP)"
S_VALUE_CTL = "RFC 9110 §5.5: other CTLs in a field value are invalid, MAY be kept; ringhttp rejects"
S_VALUE_OK = "RFC 9110 §5.5: field-value = *field-content of VCHAR, obs-text, SP, HTAB: valid"
S_OWS = "RFC 9112 §5.1: OWS around the field value is not part of it"
S_CLTE = ("RFC 9112 §6.1: CL with TE: server MAY reject and MUST close after responding; §6.3 ¶3: "
          "ought to be handled as an error; ringhttp rejects (docs/DIFFERENTIAL.md a)")
S_TE10 = "RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0: MUST treat framing as faulty and close"
S_TE_OK = "RFC 9112 §6.3 ¶4, §7: chunked is the final (only) coding; names are case-insensitive"
S_TE_FINAL = ("RFC 9112 §6.3 ¶4: Transfer-Encoding in a request where chunked is not the final coding: the "
              "server MUST respond 400 and close (Go: 501; docs/DIFFERENTIAL.md k)")
S_TE_UNKNOWN = ("RFC 9112 §6.1: a well-formed list of codings the server does not implement (without chunked, "
                "or with chunked last after others): SHOULD 501, and the connection closes (as Go)")
S_TE_TWICE = ("RFC 9112 §6.1: chunked MUST NOT be applied more than once; §6.3 ¶4: the body length cannot be "
              "determined: 400 and close (Go: 501; docs/DIFFERENTIAL.md k)")
S_TE_MALFORMED = ("RFC 9112 §6.3 ¶4: a Transfer-Encoding list that does not parse (an empty element, a "
                  "non-token) leaves the final coding unknown: 400 and close (Go: 501; RFC 9110 §5.6.1's empty "
                  "elements are refused, as front ends disagree on them; docs/DIFFERENTIAL.md k)")
S_CL_BAD = ("RFC 9112 §6.3 ¶5: an invalid Content-Length is an unrecoverable error: "
            "MUST 400 and close; RFC 9110 §8.6: Content-Length = 1*DIGIT")
S_CL_LIST = ("RFC 9112 §6.3 ¶5, RFC 9110 §8.6: a list of identical values MAY be accepted as one "
             "or rejected; differing values MUST 400 and close")
S_CL_OK = "RFC 9110 §8.6: Content-Length = 1*DIGIT (leading zeros allowed); the body is that many octets"
S_CL_BIG = ("RFC 9110 §8.6: recipients MUST anticipate large numerals and prevent overflow; "
            "an unrepresentable length is invalid: RFC 9112 §6.3 ¶5 400 and close")
S_INCOMPLETE = ("RFC 9112 §8: an incomplete message (the client closed early): the server MAY "
                "answer an error before closing")
S_WAIT = "RFC 9112 §6.3, §8: the message is not complete yet: the server waits for the rest"
S_CHUNK = "RFC 9112 §7.1: chunk = chunk-size [chunk-ext] CRLF chunk-data CRLF; anything else: 400 and close"
S_CHUNK_LF = ("RFC 9112 §7.1: chunk lines end in CRLF; §2.2's bare-LF allowance covers only the "
              "start-line and fields (docs/DIFFERENTIAL.md d): 400 and close")
S_CHUNK_BIG = ("RFC 9112 §7.1: recipients MUST anticipate large hex numerals and prevent "
               "overflow; ringhttp (like Go) takes at most 16 hex digits")
S_CHUNK_EXT = "RFC 9112 §7.1.1: chunk-ext = *( BWS ';' BWS name [ BWS '=' BWS value ] ), tokens or quoted-strings"
S_CHUNK_EXT_BAD = ("RFC 9112 §7.1.1: a chunk line outside chunk-ext's grammar (a bare ';', a name or value that is "
                   "not a token or quoted-string) is invalid: 400 and close, decided at the line (Go skips "
                   "extensions unchecked; docs/DIFFERENTIAL.md l)")
S_CHUNK_EXT_WS = ("RFC 9112 §7.1, §7.1.1: whitespace is BWS only before ';' or '='; after the size (or an "
                  "extension) with only CRLF after it, the line is invalid: 400 and close (Go accepts \"5 \"; "
                  "docs/DIFFERENTIAL.md l)")
S_CHUNK_EXT_LIMIT = "RFC 9112 §7.1.1: a server ought to limit chunk extensions and answer 4xx past it"
S_TRAILER = "RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), field-line syntax as in §5"
S_TRAILER_FRAMING = ("RFC 9110 §6.5.1: a trailer must not change framing; RFC 9112 §7.1.2: "
                     "trailers are not merged as header fields; the next request is read as usual")
S_VERSION = "RFC 9112 §2.3: HTTP-version = HTTP-name '/' DIGIT '.' DIGIT, case-sensitive"
S_505 = "RFC 9110 §15.6.6, §2.5: an unsupported major version: 505"
S_MINOR = "RFC 9110 §2.5: a higher minor version is served as the highest minor supported (1.1)"
S_HOST_MISSING = "RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host"
S_HOST_TWO = "RFC 9112 §3.2: a server MUST respond 400 to a request with more than one Host field line"
S_HOST_BAD = ("RFC 9112 §3.2: a server MUST respond 400 to a Host field with an invalid value; "
              "RFC 9110 §7.2: Host = uri-host [ ':' port ]")
S_ABS = "RFC 9112 §3.2.2: with absolute-form, the origin server MUST ignore Host and use the target's host"
S_AUTH = "RFC 9112 §3.2.3: authority-form is only for CONNECT; otherwise not a valid target: 400"
S_AST = "RFC 9112 §3.2.4: asterisk-form is only for a server-wide OPTIONS; otherwise 400"
S_ORIGIN = "RFC 9112 §3.2.1: origin-form = absolute-path [ '?' query ]"
S_PCT = "RFC 3986 §2.1: pct-encoded = '%' HEXDIG HEXDIG; a broken escape is an invalid target: 400"
S_EXPECT = "RFC 9110 §10.1.1: Expect: 100-continue (case-insensitive) gets 100 before the body is read"
S_EXPECT_OTHER = "RFC 9110 §10.1.1: an expectation other than 100-continue MAY get 417"
S_EXPECT_10 = "RFC 9110 §10.1.1: a server MUST ignore 100-continue in an HTTP/1.0 request"
S_CONN_CLOSE = ("RFC 9112 §9.6: after Connection: close the server MUST close after the response and "
                "MUST NOT process further requests; RFC 9110 §7.6.1: tokens are case-insensitive")
S_CONN_OPEN = "RFC 9112 §9.3: HTTP/1.1 persists unless `close` is a Connection option"
S_CONN_10 = "RFC 9112 §9.3: HTTP/1.0 persists only with Connection: keep-alive"
S_UPGRADE = "RFC 9110 §7.8: a server MAY ignore Upgrade and answer as HTTP/1.1"
S_414 = "RFC 9112 §3: a request-target longer than the server wishes to parse MUST get 414"
S_431 = ("RFC 6585 §5: header fields too large: 431 (ringhttp: a head past max_header_bytes, 64 KiB by "
         "default, exactly; Go reads 4096 bytes of slack: docs/DIFFERENTIAL.md p)")
S_431_COUNT = "RFC 6585 §5: 431; ringhttp limits a head to 100 field lines, as Envoy"
S_TARGET_CHARS = ("RFC 9112 §3.2, RFC 3986 §2: a request-target holds only URI characters, and no '#' "
                  "(RFC 9110 §7.1: a fragment is not sent): an invalid request-line, 400 (Go accepts them; "
                  "docs/DIFFERENTIAL.md n)")
S_EMPTY_LINE = ("RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received before the "
                "request-line; ringhttp skips up to 4 before every request (docs/DIFFERENTIAL.md o)")
S_EMPTY_LINES_MAX = ("RFC 9112 §2.2: ringhttp skips at most 4 empty lines before a request-line; the next one "
                     "is an invalid request-line: 400 and close")
S_CONNECT = ("RFC 9110 §9.3.6: a 2xx answer to CONNECT opens a tunnel; only a handler registered for CONNECT "
             "gets one, and the seed mux has none: 405, never a redirect (Go: 301 to /; docs/DIFFERENTIAL.md m)")
S_H2 = ("RFC 9113 §3.3: the h2 preface is sent only to servers known to speak h2; to an "
        "HTTP/1.1 server it is PRI * HTTP/2.0, which serve_mux answers 400 and closes (as Go)")


# --- Request smuggling: Content-Length with Transfer-Encoding -------------------------------
group("cl-te")
case("cl-te", post("Content-Length: 13", "Transfer-Encoding: chunked", body="0\r\n\r\nSMUGGLED"),
     "400 closed", S_CLTE)
case("te-cl", post("Transfer-Encoding: chunked", "Content-Length: 3", body="8\r\nSMUGGLED\r\n0\r\n\r\n"),
     "400 closed", S_CLTE)
case("cl-zero-te", post("Content-Length: 0", "Transfer-Encoding: chunked", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-hidden-request",
     post("Content-Length: %d" % (5 + len(AFTER)), "Transfer-Encoding: chunked", body=b"0\r\n\r\n" + AFTER),
     "400 closed", S_CLTE)
case("te-cl-hidden-request",
     post("Transfer-Encoding: chunked", "Content-Length: 4", body=b"%x\r\n" % len(AFTER) + AFTER + b"\r\n0\r\n\r\n"),
     "400 closed", S_CLTE)
case("cl-te-uppercase-value", post("Content-Length: 5", "Transfer-Encoding: CHUNKED", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-lowercase-names", post("content-length: 5", "transfer-encoding: chunked", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-tab-ows", post("Content-Length: 5", "Transfer-Encoding:\tchunked", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-trailing-ws", post("Content-Length: 5", "Transfer-Encoding: chunked \t", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-gzip-chunked", post("Content-Length: 5", "Transfer-Encoding: gzip, chunked", body=GOOD_CHUNKS),
     "400|501 closed", S_CLTE + "; " + S_TE_UNKNOWN)
case("cl-te-identity", post("Content-Length: 5", "Transfer-Encoding: identity", body="hello"),
     "501 closed", S_CLTE + "; " + S_TE_UNKNOWN)
case("cl-te-chunked-twice", post("Content-Length: 5", "Transfer-Encoding: chunked, chunked", body=GOOD_CHUNKS),
     "400 closed", S_CLTE + "; " + S_TE_TWICE)
case("cl-te-two-cl", post("Content-Length: 5", "Content-Length: 5", "Transfer-Encoding: chunked", body=GOOD_CHUNKS),
     "400 closed", S_CLTE)
case("cl-te-obs-fold-te", post("Content-Length: 5", "Transfer-Encoding:", " chunked", body=GOOD_CHUNKS),
     "400 closed", S_FOLD)
case("cl-te-space-before-colon", post("Content-Length: 5", "Transfer-Encoding : chunked", body=GOOD_CHUNKS),
     "400 closed", S_WS_COLON)
case("cl-te-get", get("Content-Length: 5", "Transfer-Encoding: chunked", target="/echo") + GOOD_CHUNKS,
     "400 closed", S_CLTE)
case("cl-te-expect-100", post("Content-Length: 5", "Transfer-Encoding: chunked", "Expect: 100-continue",
                              body=GOOD_CHUNKS),
     "400 closed", S_CLTE + "; no 100 Continue is sent for a rejected request")
case("cl-te-http10", post("Content-Length: 5", "Transfer-Encoding: chunked", body=GOOD_CHUNKS, version="HTTP/1.0"),
     "400 closed", S_TE10)
case("te-http10", post("Transfer-Encoding: chunked", body=GOOD_CHUNKS, version="HTTP/1.0"),
     "400 closed", S_TE10)
case("te-http10-keep-alive", post("Transfer-Encoding: chunked", "Connection: keep-alive", body=GOOD_CHUNKS,
                                  version="HTTP/1.0"),
     "400 closed", S_TE10)
case("te-underscore-name-is-not-te", post("Transfer_Encoding: chunked", "Content-Length: 5", body="hello"),
     "200 open", "RFC 9110 §5.1: Transfer_Encoding is another field (a valid token); framing is by CL",
     contains=(b"\r\n\r\nhello",))

# --- Transfer-Encoding spellings and obfuscations (no Content-Length) -----------------------
group("te")
case("te-chunked", chunked_post(GOOD_CHUNKS), "200 open", S_TE_OK, contains=(b"hello",))
case("te-no-ows", post("Transfer-Encoding:chunked", body=GOOD_CHUNKS), "200 open", S_OWS, contains=(b"hello",))
case("te-tab-ows", post("Transfer-Encoding:\tchunked\t", body=GOOD_CHUNKS), "200 open", S_OWS, contains=(b"hello",))
case("te-leading-spaces", post("Transfer-Encoding:    chunked", body=GOOD_CHUNKS), "200 open", S_OWS)
case("te-trailing-spaces", post("Transfer-Encoding: chunked   ", body=GOOD_CHUNKS), "200 open", S_OWS)
case("te-uppercase", post("Transfer-Encoding: CHUNKED", body=GOOD_CHUNKS), "200 open", S_TE_OK)
case("te-mixed-case-name", post("tRaNsFeR-eNcOdInG: cHuNkEd", body=GOOD_CHUNKS), "200 open", S_TE_OK)
case("te-space-before-colon", post("Transfer-Encoding : chunked", body=GOOD_CHUNKS), "400 closed", S_WS_COLON)
case("te-tab-before-colon", post("Transfer-Encoding\t: chunked", body=GOOD_CHUNKS), "400 closed", S_WS_COLON)
case("te-chunked-chunked", post("Transfer-Encoding: chunked, chunked", body=GOOD_CHUNKS), "400 closed", S_TE_TWICE)
case("te-chunked-two-lines", post("Transfer-Encoding: chunked", "Transfer-Encoding: chunked", body=GOOD_CHUNKS),
     "400 closed", S_TE_TWICE)
case("te-gzip-chunked", post("Transfer-Encoding: gzip, chunked", body=GOOD_CHUNKS), "501 closed", S_TE_UNKNOWN)
case("te-gzip-then-chunked-lines", post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked", body=GOOD_CHUNKS),
     "501 closed", S_TE_UNKNOWN + " (two lines are one list: RFC 9110 §5.3)")
case("te-gzip-param-chunked", post('Transfer-Encoding: gzip;q="1, 2" , chunked', body=GOOD_CHUNKS), "501 closed",
     S_TE_UNKNOWN + " (a transfer-parameter with a quoted-string: RFC 9110 §10.1.4)")
case("te-chunked-gzip", post("Transfer-Encoding: chunked, gzip", body=GOOD_CHUNKS), "400 closed", S_TE_FINAL)
case("te-chunked-then-gzip-lines", post("Transfer-Encoding: chunked", "Transfer-Encoding: gzip", body=GOOD_CHUNKS),
     "400 closed", S_TE_FINAL)
case("te-chunked-then-identity-lines", post("Transfer-Encoding: chunked", "Transfer-Encoding: identity",
                                            body=GOOD_CHUNKS), "400 closed", S_TE_FINAL)
case("te-chunked-gzip-hides-request", post("Transfer-Encoding: chunked, gzip", "Content-Length: %d" % len(AFTER),
                                           body=AFTER), "400 closed", S_TE_FINAL + "; " + S_CLTE)
case("te-gzip", post("Transfer-Encoding: gzip", body=GOOD_CHUNKS), "501 closed", S_TE_UNKNOWN)
case("te-gzip-deflate", post("Transfer-Encoding: gzip, deflate", body=GOOD_CHUNKS), "501 closed", S_TE_UNKNOWN)
case("te-identity", post("Transfer-Encoding: identity", body="hello"), "501 closed",
     S_TE_UNKNOWN + " (identity was removed from the registry)")
case("te-identity-chunked", post("Transfer-Encoding: identity, chunked", body=GOOD_CHUNKS),
     "501 closed", S_TE_UNKNOWN)
case("te-unknown-xchunked", post("Transfer-Encoding: xchunked", body=GOOD_CHUNKS), "501 closed", S_TE_UNKNOWN)
case("te-chunked-suffix", post("Transfer-Encoding: chunkedx", body=GOOD_CHUNKS), "501 closed", S_TE_UNKNOWN)
case("te-chunked-junk-word", post("Transfer-Encoding: chunked x", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-chunked-param", post("Transfer-Encoding: chunked;q=1", body=GOOD_CHUNKS), "400 closed",
     S_TE_MALFORMED + " (chunked takes no parameters)")
case("te-chunked-semicolon", post("Transfer-Encoding: chunked;", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-quoted", post('Transfer-Encoding: "chunked"', body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-empty", post("Transfer-Encoding:", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-blank", post("Transfer-Encoding:    ", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-comma-leading", post("Transfer-Encoding: , chunked", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-comma-trailing", post("Transfer-Encoding: chunked,", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-comma-double", post("Transfer-Encoding: gzip,, chunked", body=GOOD_CHUNKS), "400 closed", S_TE_MALFORMED)
case("te-empty-then-chunked-lines", post("Transfer-Encoding:", "Transfer-Encoding: chunked", body=GOOD_CHUNKS),
     "400 closed", S_TE_MALFORMED)
case("te-nul-after", post("Transfer-Encoding: chunked\x00", body=GOOD_CHUNKS), "400 closed", S_VALUE_NUL)
case("te-nul-before", post("Transfer-Encoding: \x00chunked", body=GOOD_CHUNKS), "400 closed", S_VALUE_NUL)
case("te-vtab-before", post("Transfer-Encoding: \x0bchunked", body=GOOD_CHUNKS), "400 closed", S_VALUE_CTL)
case("te-vtab-after", post("Transfer-Encoding: chunked\x0b", body=GOOD_CHUNKS), "400 closed", S_VALUE_CTL)
case("te-formfeed", post("Transfer-Encoding: \x0cchunked", body=GOOD_CHUNKS), "400 closed", S_VALUE_CTL)
case("te-nbsp", post("Transfer-Encoding: chunked\xa0", body=GOOD_CHUNKS), "400 closed",
     S_TE_MALFORMED + " (NBSP is obs-text, not OWS)")
case("te-bare-cr-inside", post("Transfer-Encoding: chunked\rX: y", body=GOOD_CHUNKS), "400 closed", S_BARE_CR)
case("te-bare-lf-before", post("X: y\nTransfer-Encoding: chunked", body=GOOD_CHUNKS), "400 closed", S_BARE_LF)
case("te-obs-fold", post("Transfer-Encoding:", " chunked", body=GOOD_CHUNKS), "400 closed", S_FOLD)
case("te-obs-fold-tab", post("Transfer-Encoding: gzip", "\tchunked", body=GOOD_CHUNKS), "400 closed", S_FOLD)
case("te-obs-fold-after", post("Transfer-Encoding: chunked", " , identity", body=GOOD_CHUNKS), "400 closed", S_FOLD)
case("te-name-nul", post("Transfer-Encoding\x00: chunked", body=GOOD_CHUNKS), "400 closed", S_FIELDNAME)
case("te-name-leading-space-first-line", req("POST /echo HTTP/1.1", " Transfer-Encoding: chunked", "Host: h",
                                             body=GOOD_CHUNKS),
     "400 closed", S_FIRSTWS)

# --- Content-Length ----------------------------------------------------------------------------
group("cl")
case("cl-valid", post("Content-Length: 5", body="hello"), "200 open", S_CL_OK, contains=(b"\r\n\r\nhello",))
case("cl-zero", post("Content-Length: 0"), "200 open", S_CL_OK)
case("cl-get-with-body", get("Content-Length: 5", target="/echo") + b"hello", "200 open", S_CL_OK,
     contains=(b"\r\n\r\nhello",))
case("cl-leading-zeros", post("Content-Length: 005", body="hello"), "200 open", S_CL_OK, contains=(b"\r\n\r\nhello",))
case("cl-ows", post("Content-Length:  5 \t", body="hello"), "200 open", S_OWS, contains=(b"\r\n\r\nhello",))
case("cl-plus", post("Content-Length: +5", body="hello"), "400 closed", S_CL_BAD)
case("cl-minus", post("Content-Length: -5", body="hello"), "400 closed", S_CL_BAD)
case("cl-minus-zero", post("Content-Length: -0"), "400 closed", S_CL_BAD)
case("cl-hex", post("Content-Length: 0x5", body="hello"), "400 closed", S_CL_BAD)
case("cl-hex-digits", post("Content-Length: 0a", body="helloworld"), "400 closed", S_CL_BAD)
case("cl-space-inside", post("Content-Length: 1 0", body="helloworld"), "400 closed", S_CL_BAD)
case("cl-tab-inside", post("Content-Length: 1\t0", body="helloworld"), "400 closed", S_CL_BAD)
case("cl-decimal", post("Content-Length: 5.0", body="hello"), "400 closed", S_CL_BAD)
case("cl-exponent", post("Content-Length: 5e0", body="hello"), "400 closed", S_CL_BAD)
case("cl-quoted", post('Content-Length: "5"', body="hello"), "400 closed", S_CL_BAD)
case("cl-trailing-junk", post("Content-Length: 5abc", body="hello"), "400 closed", S_CL_BAD)
case("cl-fullwidth-digit", post("Content-Length: \xef\xbc\x95", body="hello"), "400 closed", S_CL_BAD)
case("cl-nul", post("Content-Length: 5\x00", body="hello"), "400 closed", S_VALUE_NUL)
case("cl-empty", post("Content-Length:", body="hello"), "400 closed", S_CL_BAD)
case("cl-blank", post("Content-Length:    ", body="hello"), "400 closed", S_CL_BAD)
case("cl-list-same", post("Content-Length: 5, 5", body="hello"), "400 closed or 200 open", S_CL_LIST)
case("cl-list-same-no-space", post("Content-Length: 5,5", body="hello"), "400 closed or 200 open", S_CL_LIST)
case("cl-list-differ", post("Content-Length: 5, 6", body="hello!"), "400 closed", S_CL_LIST)
case("cl-list-trailing-comma", post("Content-Length: 5,", body="hello"), "400 closed or 200 open", S_CL_LIST)
case("cl-two-lines-same", post("Content-Length: 5", "Content-Length: 5", body="hello"),
     "200 open or 400 closed", S_CL_LIST)
case("cl-two-lines-differ", post("Content-Length: 5", "Content-Length: 6", body="hello!"), "400 closed", S_CL_LIST)
case("cl-two-lines-differ-case", post("Content-Length: 6", "content-length: 5", body="hello!"),
     "400 closed", S_CL_LIST)
case("cl-two-lines-one-empty", post("Content-Length: 5", "Content-Length:", body="hello"), "400 closed", S_CL_BAD)
case("cl-20-digits", post("Content-Length: 10000000000000000000", body="hello"), "400 closed", S_CL_BIG)
case("cl-2pow63", post("Content-Length: 9223372036854775808", body="hello"), "400 closed", S_CL_BIG)
case("cl-2pow64", post("Content-Length: 18446744073709551616", body="hello"), "400 closed", S_CL_BIG)
case("cl-int64-max-unread", get("Content-Length: 9223372036854775807", target="/exact"),
     "200 closed", "RFC 9112 §9.6, §9.3: a body the server will not read (Go: past 256 KiB) "
     "leaves the connection unusable: answer, then close instead of waiting for 8 EiB",
     pipeline=False)
case("cl-unread-body-hides-request", get("Content-Length: %d" % len(AFTER)) + AFTER, "200 open",
     "RFC 9112 §6.3 ¶6, §9.3: a body the handler did not read is still CL octets of body: "
     "the server discards it (Go: up to 256 KiB), never parses it as a request", pipeline=False)
case("cl-unread-big-body-hides-request",
     get("Content-Length: %d" % (300000 + len(AFTER))) + b"x" * 300000 + AFTER, "200 closed",
     "RFC 9112 §6.3, §9.6: a body too big to discard (Go: past 256 KiB) ends the connection "
     "after the response; what follows is never read as a request", pipeline=False)
case("expect-100-unread-body-hides-request",
     get("Expect: 100-continue", "Content-Length: %d" % len(AFTER), target="/exact") + AFTER,
     "200 closed or 200 open",
     "RFC 9110 §10.1.1: after a final response without 100, the body may or may not follow: the server "
     "closes (ringhttp) or reads it as the body; never as a request", pipeline=False)
case("cl-space-before-colon", post("Content-Length : 5", body="hello"), "400 closed", S_WS_COLON)
case("cl-obs-fold", post("Content-Length: 5", " 0", body="hello"), "400 closed", S_FOLD)
case("cl-body-longer", post("Content-Length: 3", body="hel\x01lo"), "200 400 closed",
     "RFC 9112 §6.3 ¶5: the body is exactly CL octets; what follows is the next request, here invalid",
     pipeline=False)
case("cl-body-short-half-close", post("Content-Length: 10", body="hello"), "400 closed or - closed",
     S_INCOMPLETE, half_close=True)
case("cl-body-short-wait", post("Content-Length: 10", body="hello"), "- open", S_WAIT)

# --- Chunked bodies: chunk lines, sizes, extensions --------------------------------------------
group("chunk")
case("chunked-unread-body-hides-request",
     req("GET / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
         body=b"%x\r\n" % len(AFTER) + AFTER + b"\r\n0\r\n\r\n"), "200 open",
     "RFC 9112 §7.1: an unread chunked body is decoded and discarded, never parsed as a request",
     pipeline=False)
case("chunk-multi", chunked_post("3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"), "200 open", S_CHUNK, contains=(b"hello",))
case("chunk-uppercase-hex", chunked_post("A\r\n0123456789\r\n0\r\n\r\n"), "200 open", S_CHUNK,
     contains=(b"0123456789",))
case("chunk-last-zeros", chunked_post("5\r\nhello\r\n000\r\n\r\n"), "200 open", S_CHUNK)
case("chunk-size-leading-zeros", chunked_post("0005\r\nhello\r\n0\r\n\r\n"), "200 open", S_CHUNK)
case("chunk-many-tiny", chunked_post(b"1\r\nx\r\n" * 2000 + b"0\r\n\r\n"), "200 open", S_CHUNK,
     contains=(b"x" * 2000,))
case("chunk-size-17-digits", chunked_post("10000000000000000\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_BIG)
case("chunk-size-17-f", chunked_post("fffffffffffffffff\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_BIG)
case("chunk-size-17-digits-leading-zeros", chunked_post("00000000000000005\r\nhello\r\n0\r\n\r\n"),
     "400 closed or 200 open", S_CHUNK_BIG)
case("chunk-size-16-f-then-close", chunked_post("ffffffffffffffff\r\nhello"), "400 closed or - closed",
     S_INCOMPLETE + "; " + S_CHUNK_BIG, half_close=True)
case("chunk-size-negative", chunked_post("-5\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-plus", chunked_post("+5\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-0x", chunked_post("0x5\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-junk", chunked_post("5g\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-empty", chunked_post("\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-leading-space", chunked_post(" 5\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-space-inside", chunked_post("5 5\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-size-trailing-space", chunked_post("5 \r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_WS)
case("chunk-size-trailing-tab", chunked_post("5\t\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_WS)
case("chunk-last-trailing-space", chunked_post("5\r\nhello\r\n0 \r\n\r\n"), "400 closed", S_CHUNK_EXT_WS)
case("chunk-size-trailing-space-hides-request", chunked_post(b"5 \r\nhello\r\n0\r\n\r\n") + AFTER, "400 closed",
     S_CHUNK_EXT_WS + "; what follows the bad line is never read as a request", pipeline=False)
case("chunk-size-trailing-space-unread",
     req("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body=b"5 \r\nhello\r\n0\r\n\r\n") + AFTER,
     "200 closed", S_CHUNK_EXT_WS + "; the handler (/) does not read the body: its answer goes out, then the "
     "server, discarding the body, meets the bad line and closes; nothing after it is read as a request",
     pipeline=False)
case("chunk-size-bare-lf", chunked_post("5\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_LF)
case("chunk-size-bare-cr", chunked_post("5\rhello\r\n0\r\n\r\n"), "400 closed", S_BARE_CR)
case("chunk-size-cr-cr-lf", chunked_post("5\r\r\nhello\r\n0\r\n\r\n"), "400 closed", S_BARE_CR)
case("chunk-data-missing-crlf", chunked_post("5\r\nhelloX0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-data-bare-lf", chunked_post("5\r\nhello\n0\r\n\r\n"), "400 closed", S_CHUNK_LF)
case("chunk-data-bare-cr", chunked_post("5\r\nhello\r0\r\n\r\n"), "400 closed", S_BARE_CR)
case("chunk-data-longer-than-size", chunked_post("3\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-data-shorter-than-size", chunked_post("7\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK)
case("chunk-last-bare-lf", chunked_post("5\r\nhello\r\n0\n\r\n"), "400 closed", S_CHUNK_LF)
case("chunk-final-bare-lf", chunked_post("5\r\nhello\r\n0\r\n\n"), "400 closed", S_CHUNK_LF)
case("chunk-final-crlf-missing-then-close", chunked_post("5\r\nhello\r\n0\r\n"), "400 closed or - closed",
     S_INCOMPLETE, half_close=True)
case("chunk-final-crlf-missing-wait", chunked_post("5\r\nhello\r\n0\r\n"), "- open", S_WAIT)
case("chunk-truncated-then-close", chunked_post("a\r\nhello"), "400 closed or - closed", S_INCOMPLETE,
     half_close=True)
case("chunk-truncated-wait", chunked_post("a\r\nhello"), "- open", S_WAIT)
case("chunk-ext", chunked_post("5;foo=bar\r\nhello\r\n0;x\r\n\r\n"), "200 open", S_CHUNK_EXT)
case("chunk-ext-quoted", chunked_post('5;foo="b a;r"\r\nhello\r\n0\r\n\r\n'), "200 open", S_CHUNK_EXT)
case("chunk-ext-bws", chunked_post("5 ;foo=bar\r\nhello\r\n0\r\n\r\n"), "200 open",
     S_CHUNK_EXT + " (BWS before ';'; Go rejects it)", contains=(b"hello",))
case("chunk-ext-bws-everywhere", chunked_post('5 \t; a = b ;\tc\t=\t"d e"\r\nhello\r\n0 ; f\r\n\r\n'), "200 open",
     S_CHUNK_EXT + " (BWS around ';' and '=')", contains=(b"hello",))
case("chunk-ext-quoted-pair", chunked_post('5;a="q\\"x\\\\;"\r\nhello\r\n0\r\n\r\n'), "200 open",
     S_CHUNK_EXT + " (quoted-pair: RFC 9110 §5.6.4)", contains=(b"hello",))
case("chunk-ext-semicolon-only", chunked_post("5;\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-semicolon-space", chunked_post("5; \r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-empty", chunked_post("5;;a\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-last-semicolon-only", chunked_post("5\r\nhello\r\n0;\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-name-trailing-space", chunked_post("5;a \r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_WS)
case("chunk-ext-value-trailing-space", chunked_post("5;a=b \r\nhello\r\n0\r\n\r\n"), "400 closed",
     S_CHUNK_EXT_WS)
case("chunk-ext-no-value", chunked_post("5;a=\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-no-name", chunked_post("5;=b\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-two-words", chunked_post("5;a b\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-name-not-token", chunked_post("5;a@b\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-value-not-token", chunked_post("5;a=b=c\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-value-slash", chunked_post("5;a=b/c\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-unclosed-quote", chunked_post('5;a="b\r\nhello\r\n0\r\n\r\n'), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-after-quote", chunked_post('5;a="b"c\r\nhello\r\n0\r\n\r\n'), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-obs-text-name", chunked_post("5;caf\xe9\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT_BAD)
case("chunk-ext-ctl", chunked_post("5;a\x01b\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT)
case("chunk-ext-nul", chunked_post("5;a\x00\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT)
case("chunk-ext-del", chunked_post("5;a\x7f\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_EXT)
case("chunk-ext-bare-cr", chunked_post("5;a\rb\r\nhello\r\n0\r\n\r\n"), "400 closed",
     S_BARE_CR + " (docs/DIFFERENTIAL.md f1)")
case("chunk-ext-bare-lf", chunked_post("5;a\nb\r\nhello\r\n0\r\n\r\n"), "400 closed", S_CHUNK_LF)
case("chunk-ext-huge", chunked_post(b"5;" + b"a" * 8000 + b"\r\nhello\r\n0\r\n\r\n"), "400|413|431 closed",
     S_CHUNK_EXT_LIMIT)

# --- Trailers ----------------------------------------------------------------------------------
group("trailer")
case("trailer-valid", chunked_post("5\r\nhello\r\n0\r\nFoo: bar\r\n\r\n"), "200 open", S_TRAILER)
case("trailer-several", chunked_post("5\r\nhello\r\n0\r\nA: 1\r\nB-C: 2 3\r\nD:\r\n\r\n"), "200 open", S_TRAILER)
case("trailer-content-length-ignored",
     chunked_post("5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n") + BEFORE, "200 200 open", S_TRAILER_FRAMING,
     contains=(b"exact\n",))
case("trailer-transfer-encoding-ignored",
     chunked_post("5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n") + BEFORE, "200 200 open",
     S_TRAILER_FRAMING, contains=(b"exact\n",))
case("trailer-space-in-name", chunked_post("5\r\nhello\r\n0\r\nFo o: x\r\n\r\n"), "400 closed",
     S_TRAILER + "; " + S_FIELDNAME)
case("trailer-space-before-colon", chunked_post("5\r\nhello\r\n0\r\nFoo : x\r\n\r\n"), "400 closed",
     S_WS_COLON + " (docs/DIFFERENTIAL.md f2)")
case("trailer-no-colon", chunked_post("5\r\nhello\r\n0\r\nFoo\r\n\r\n"), "400 closed", S_TRAILER)
case("trailer-empty-name", chunked_post("5\r\nhello\r\n0\r\n: x\r\n\r\n"), "400 closed", S_TRAILER)
case("trailer-ctl-name", chunked_post("5\r\nhello\r\n0\r\nF\x01o: x\r\n\r\n"), "400 closed", S_TRAILER)
case("trailer-non-ascii-name", chunked_post("5\r\nhello\r\n0\r\nF\xe9: x\r\n\r\n"), "400 closed", S_TRAILER)
case("trailer-nul-value", chunked_post("5\r\nhello\r\n0\r\nFoo: a\x00b\r\n\r\n"), "400 closed", S_VALUE_NUL)
case("trailer-bare-cr-value", chunked_post("5\r\nhello\r\n0\r\nFoo: a\rb\r\n\r\n"), "400 closed", S_BARE_CR)
case("trailer-bare-lf", chunked_post("5\r\nhello\r\n0\r\nFoo: x\n\r\n"), "400 closed", S_CHUNK_LF)
case("trailer-bare-lf-end", chunked_post("5\r\nhello\r\n0\r\nFoo: x\r\n\n"), "400 closed", S_CHUNK_LF)
case("trailer-obs-fold", chunked_post("5\r\nhello\r\n0\r\nFoo: a\r\n b\r\n\r\n"), "400 closed", S_FOLD)
case("trailer-huge", chunked_post(b"5\r\nhello\r\n0\r\n" + b"X-Pad: " + b"p" * 70000 + b"\r\n\r\n"),
     "400|413|431 closed", "RFC 9112 §7.1.2, RFC 9110 §6.5: a trailer section past the server's limit: 4xx and close")

# --- obs-fold (line folding) anywhere -----------------------------------------------------------
group("obs-fold")
case("fold-first-line-space", req("GET / HTTP/1.1", " Host: h"), "400 closed", S_FIRSTWS)
case("fold-first-line-tab", req("GET / HTTP/1.1", "\tHost: h"), "400 closed", S_FIRSTWS)
case("fold-first-line-before-host", req("GET / HTTP/1.1", " X: y", "Host: h"), "400 closed", S_FIRSTWS)
case("fold-value-space", get("Foo: a", " b"), "400 closed", S_FOLD)
case("fold-value-tab", get("Foo: a", "\tb"), "400 closed", S_FOLD)
case("fold-value-many", get("Foo: a", " b", " c", "\td"), "400 closed", S_FOLD)
case("fold-empty-continuation", get("Foo: a", " "), "400 closed", S_FOLD)
case("fold-host", req("GET / HTTP/1.1", "X: y", "Host:", " h"), "400 closed", S_FOLD)
case("fold-connection", get("Connection: keep-alive", " close"), "400 closed", S_FOLD)
case("fold-expect", post("Expect:", " 100-continue", "Content-Length: 5", body="hello"), "400 closed", S_FOLD)
case("fold-http10", req("GET / HTTP/1.0", "Foo: a", " b"), "400 closed", S_FOLD)

# --- bare CR and bare LF in every position ------------------------------------------------------
group("bare-cr-lf")
case("lf-end-request-line", b"GET / HTTP/1.1\nHost: h\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-end-header-line", b"GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-end-last-header", b"GET / HTTP/1.1\r\nHost: h\n\r\n", "400 closed", S_BARE_LF)
case("lf-end-of-head", b"GET / HTTP/1.1\r\nHost: h\r\n\n", "400 closed", S_BARE_LF)
case("lf-everywhere", b"GET / HTTP/1.1\nHost: h\n\n", "400 closed", S_BARE_LF)
case("lf-in-method", b"GE\nT / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-after-method", b"GET\n/ HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("lf-in-target", b"GET /a\nb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("lf-in-version", b"GET / HTTP/1.\n1\r\nHost: h\r\n\r\n", "400 closed", S_VERSION)
case("lf-in-name", b"GET / HTTP/1.1\r\nHost: h\r\nFo\no: x\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-in-value", b"GET / HTTP/1.1\r\nHost: h\r\nFoo: a\nb\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-before-colon", b"GET / HTTP/1.1\r\nHost: h\r\nFoo\n: x\r\n\r\n", "400 closed", S_BARE_LF)
case("lf-cr", b"GET / HTTP/1.1\r\nHost: h\n\r\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-end-request-line", b"GET / HTTP/1.1\rHost: h\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-in-method", b"GE\rT / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-after-method", b"GET\r/ HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-in-target", b"GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-in-version", b"GET / HTTP/1.\r1\r\nHost: h\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-in-name", b"GET / HTTP/1.1\r\nHost: h\r\nFo\ro: x\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-in-value", b"GET / HTTP/1.1\r\nHost: h\r\nFoo: a\rb\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-end-header-line", b"GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-cr-lf", b"GET / HTTP/1.1\r\nHost: h\r\r\n\r\n", "400 closed", S_BARE_CR)
case("cr-end-of-head", b"GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", "400 closed", S_BARE_CR)
case("cr-blank-line-cr-only", b"GET / HTTP/1.1\r\nHost: h\r\n\rGET / HTTP/1.1\r\nHost: h\r\n\r\n",
     "400 closed", S_BARE_CR)
case("leading-crlf", b"\r\n" + get(), "200 open", S_EMPTY_LINE + " (the connection's first bytes)")
case("leading-crlf-x4", b"\r\n" * 4 + get(), "200 open", S_EMPTY_LINE)
case("leading-crlf-x5", b"\r\n" * 5 + get(), "400 closed", S_EMPTY_LINES_MAX)
case("leading-crlf-split", [b"\r", b"\n\r\n", b"\r\n" + get()], "200 open",
     S_EMPTY_LINE + " (a CRLF cut between two reads)")
case("leading-crlf-split-in-one-buffer-edge", [b"\r\n" * 3 + b"\r", b"\n" + get()], "200 open", S_EMPTY_LINE)
case("leading-lf", b"\n" + get(), "400 closed", S_BARE_LF + " (an empty line is a CRLF)")
case("leading-cr", b"\r" + get(), "400 closed", S_BARE_CR)
case("leading-crlf-then-lf", b"\r\n\n" + get(), "400 closed", S_BARE_LF)
case("crlf-after-post-body", post("Content-Length: 5", body="hello") + b"\r\n" + BEFORE, "200 200 open",
     "RFC 9112 §2.2: a server SHOULD ignore an empty line before a request-line (old clients add CRLF after a POST)")
case("crlf-after-get", get() + b"\r\n" + BEFORE, "200 200 open", S_EMPTY_LINE + " (after any request, as first)",
     contains=(b"exact\n",))
case("crlf-x4-after-get", get() + b"\r\n" * 4 + BEFORE, "200 200 open", S_EMPTY_LINE, contains=(b"exact\n",))
case("crlf-x5-after-get", get() + b"\r\n" * 5 + AFTER, "200 400 closed", S_EMPTY_LINES_MAX, pipeline=False)
case("lf-after-post-body", post("Content-Length: 5", body="hello") + b"\n" + AFTER, "200 400 closed",
     S_BARE_LF + " (Go skips a bare LF after a POST)", pipeline=False)
case("crlf-after-get-then-close", get() + b"\r\n", "200 closed", S_EMPTY_LINE + "; RFC 9112 §9.6: then a clean "
     "close gets nothing more", half_close=True)

# --- NUL and other CTLs in methods, targets, names and values ----------------------------------
group("ctl")
case("nul-in-method", b"GE\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_METHOD)
case("nul-after-method", b"GET\x00 / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_METHOD)
case("nul-in-target", b"GET /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("nul-end-of-target", b"GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("nul-in-version", b"GET / HTTP/1\x00.1\r\nHost: h\r\n\r\n", "400 closed", S_VERSION)
case("nul-in-name", get("Fo\x00o: x"), "400 closed", S_FIELDNAME)
case("nul-in-value", get("Foo: a\x00b"), "400 closed", S_VALUE_NUL)
case("nul-value-only", get("Foo: \x00"), "400 closed", S_VALUE_NUL)
case("nul-in-host", req("GET / HTTP/1.1", "Host: h\x00.example"), "400 closed", S_VALUE_NUL)
case("ctl-soh-method", b"G\x01ET / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_METHOD)
case("ctl-soh-target", b"GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("ctl-tab-target", b"GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("ctl-vtab-target", b"GET /a\x0bb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("ctl-del-target", b"GET /a\x7fb HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("ctl-esc-target", b"GET /\x1b[31m HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("ctl-soh-name", get("Fo\x01o: x"), "400 closed", S_FIELDNAME)
case("ctl-del-name", get("Fo\x7fo: x"), "400 closed", S_FIELDNAME)
case("ctl-tab-in-name", get("Fo\to: x"), "400 closed", S_FIELDNAME)
case("ctl-soh-value", get("Foo: a\x01b"), "400 closed or 200 open", S_VALUE_CTL)
case("ctl-esc-value", get("Foo: \x1b[31mred"), "400 closed or 200 open", S_VALUE_CTL)
case("ctl-vtab-value", get("Foo: a\x0bb"), "400 closed or 200 open", S_VALUE_CTL)
case("ctl-formfeed-value", get("Foo: a\x0cb"), "400 closed or 200 open", S_VALUE_CTL)
case("ctl-del-value", get("Foo: a\x7fb"), "400 closed or 200 open", S_VALUE_CTL)
case("value-htab-inside", get("Foo: a\tb", target="/echo"), "200 open", S_VALUE_OK,
     contains=(b"X-Header-Foo: a\tb",))
case("value-obs-text", get("Foo: caf\xc3\xa9 \xff", target="/echo"), "200 open", S_VALUE_OK,
     contains=(b"X-Header-Foo: caf\xc3\xa9 \xff",))

# --- Invalid tokens in methods and field names --------------------------------------------------
group("token")
for ch, tag in ((b"(", "paren"), (b",", "comma"), (b"/", "slash"), (b":", "colon"), (b"@", "at"),
                (b"[", "bracket"), (b"{", "brace"), (b'"', "dquote"), (b"\\", "backslash"), (b"=", "equals"),
                (b"\xc3\x89", "non-ascii")):
    case("method-" + tag, b"G" + ch + b"ET / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_METHOD)
case("method-empty", b" / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("method-lowercase-is-another-method", get(target="/echo").replace(b"GET", b"get", 1), "200 open",
     "RFC 9110 §9.1: methods are case-sensitive tokens: `get` is a valid (unknown) method",
     contains=(b"X-Method: get",))
case("method-long-token", b"A" * 2000 + b" / HTTP/1.1\r\nHost: h\r\n\r\n", "200 open or 501 closed",
     "RFC 9112 §3: a method longer than any implemented SHOULD get 501; the seed mux serves any method")
for ch, tag in ((b"(", "paren"), (b",", "comma"), (b"/", "slash"), (b"@", "at"), (b"[", "bracket"),
                (b"{", "brace"), (b'"', "dquote"), (b"=", "equals"), (b"?", "question"), (b";", "semicolon"),
                (b" ", "space"), (b"\xc3\xa9", "non-ascii")):
    case("name-" + tag, b"GET / HTTP/1.1\r\nHost: h\r\nFo" + ch + b"o: x\r\n\r\n", "400 closed", S_FIELDNAME)
case("name-empty", get(": x"), "400 closed", S_FIELDNAME)
case("name-no-colon", get("Foo"), "400 closed", S_FIELDNAME)
case("name-only-spaces", get("   : x"), "400 closed", S_FIELDNAME)
case("name-odd-but-token", get("X!#$%&'*+-.^_`|~0: x"), "200 open", "RFC 9110 §5.6.2: all tchar are allowed in a name")

# --- Request-target forms -----------------------------------------------------------------------
group("target")
case("origin-form-query", get(target="/echo?a=b&c"), "200 open", S_ORIGIN, contains=(b"X-Raw-Query: a=b&c",))
case("absolute-form", req("GET http://example.com/ HTTP/1.1", "Host: other.test"), "200 open", S_ABS,
     contains=(b"host example.com\n",))
case("absolute-form-https", req("GET https://example.com/user/x HTTP/1.1", "Host: other.test"), "200 open",
     S_ABS, contains=(b"host example.com user\n",))
case("absolute-form-odd-scheme", req("GET ftp://example.com/ HTTP/1.1", "Host: other.test"), "200 open",
     S_ABS + " (any scheme: RFC 3986 §3.1)", contains=(b"host example.com\n",))
case("absolute-form-plus-scheme", req("GET a+b-c.d://example.com/ HTTP/1.1", "Host: other.test"), "200 open",
     S_ABS, contains=(b"host example.com\n",))
case("absolute-form-echo-host", req("GET http://other.example:8080/echo HTTP/1.1", "Host: h"), "200 open",
     S_ABS, contains=(b"X-Host: other.example:8080",))
case("absolute-form-userinfo", req("GET http://user:pw@example.com/ HTTP/1.1", "Host: other.test"),
     "200 open or 400 closed",
     "RFC 9110 §4.2.4: userinfo SHOULD be treated as an error; ringhttp, like Go, drops it. " + S_ABS)
case("absolute-form-at-confusion", req("GET http://example.com@evil.test/echo HTTP/1.1", "Host: example.com"),
     "200 open or 400 closed",
     "RFC 3986 §3.2: the host follows the last '@'; RFC 9110 §4.2.4: userinfo SHOULD be an error",
     contains=(b"X-Host: evil.test",))
case("absolute-form-no-host-11", b"GET http://example.com/ HTTP/1.1\r\n\r\n", "400 closed", S_HOST_MISSING)
case("absolute-form-no-host-10", b"GET http://example.com/ HTTP/1.0\r\n\r\n", "200 closed", S_ABS + "; " + S_CONN_10,
     contains=(b"host example.com\n",))
case("absolute-form-bad-host", req("GET http://exa<mple.com/ HTTP/1.1", "Host: h"), "400 closed",
     "RFC 3986 §3.2.2: '<' cannot appear in a host; invalid target: RFC 9112 §3 400")
case("absolute-form-empty-scheme", req("GET ://example.com/ HTTP/1.1", "Host: h"), "400 closed",
     "RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / '+' / '-' / '.' ): invalid target, 400")
case("absolute-form-digit-scheme", req("GET 1http://example.com/ HTTP/1.1", "Host: h"), "400 closed",
     "RFC 3986 §3.1: a scheme starts with a letter: invalid target, 400")
case("authority-form-get", req("GET example.com HTTP/1.1", "Host: h"), "400 closed", S_AUTH)
case("authority-form-get-port", req("GET example.com:80 HTTP/1.1", "Host: h"), "400 closed",
     S_AUTH + " (Go reads it as an absolute-URI with scheme `example.com` and redirects it to /; "
     "docs/DIFFERENTIAL.md m)")
case("authority-form-post-port", req("POST example.com:443 HTTP/1.1", "Host: h", "Content-Length: 0"),
     "400 closed", S_AUTH)
case("authority-form-options", req("OPTIONS example.com:443 HTTP/1.1", "Host: h"), "400 closed", S_AUTH)
case("absolute-form-no-authority", req("GET http:/exact HTTP/1.1", "Host: h"), "400 closed",
     "RFC 9110 §4.2.1: an http URI without a host MUST be rejected as invalid; RFC 9112 §3.2.2")
case("absolute-form-rootless", req("GET mailto:a@example.com HTTP/1.1", "Host: h"), "400 closed",
     "RFC 9112 §3.2.2: a target that is neither origin-, absolute- (with an authority) nor asterisk-form: 400")
case("connect-authority", req("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443"), "405 open", S_CONNECT)
case("connect-authority-no-host", b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", "405 open",
     S_CONNECT + "; RFC 9112 §3.2: CONNECT needs no Host")
case("connect-authority-then-request", req("CONNECT example.com:443 HTTP/1.1", "Host: example.com:443") + BEFORE,
     "405 200 open", S_CONNECT + "; RFC 9110 §9.3.6: after a non-2xx answer the connection stays HTTP",
     contains=(b"exact\n",), pipeline=False)
case("connect-authority-bad-port", req("CONNECT example.com:x HTTP/1.1", "Host: h"), "400 closed",
     "RFC 9112 §3.2.3: authority-form = uri-host ':' port; port = *DIGIT")
case("connect-absolute-form", req("CONNECT http://example.com:443/ HTTP/1.1", "Host: h"), "400 closed",
     "RFC 9112 §3.2.3: CONNECT takes the authority-form")
case("asterisk-get", req("GET * HTTP/1.1", "Host: h"), "400 closed", S_AST)
case("asterisk-post", req("POST * HTTP/1.1", "Host: h", "Content-Length: 0"), "400 closed", S_AST)
case("asterisk-options", req("OPTIONS * HTTP/1.1", "Host: h"), "200 open", S_AST)
case("asterisk-options-body-hides-request",
     req("OPTIONS * HTTP/1.1", "Host: h", "Content-Length: %d" % len(AFTER)) + AFTER, "200 open",
     S_AST + "; RFC 9112 §6.3: its body is discarded, never read as a request", pipeline=False)
case("asterisk-with-suffix", req("OPTIONS *x HTTP/1.1", "Host: h"), "400 closed", S_AST)
case("target-empty", b"GET  HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("target-space-inside", b"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed",
     S_REQLINE + " (no whitespace inside the target)")
case("target-no-slash", req("GET echo HTTP/1.1", "Host: h"), "400 closed", S_ORIGIN)
case("target-query-only", req("GET ?a=b HTTP/1.1", "Host: h"), "400 closed", S_ORIGIN)
case("target-fragment", req("GET /exact#frag HTTP/1.1", "Host: h"), "400 closed", S_TARGET_CHARS)
case("target-fragment-only", req("GET /# HTTP/1.1", "Host: h"), "400 closed", S_TARGET_CHARS)
case("target-fragment-absolute", req("GET http://example.com/#f HTTP/1.1", "Host: h"), "400 closed", S_TARGET_CHARS)
case("target-non-ascii", req("GET /caf\xc3\xa9 HTTP/1.1", "Host: h"), "400 closed", S_TARGET_CHARS)
case("target-non-ascii-query", req("GET /echo?q=caf\xc3\xa9 HTTP/1.1", "Host: h"), "400 closed", S_TARGET_CHARS)
for ch, tag in (('"', "dquote"), ("<", "lt"), (">", "gt"), ("\\", "backslash"), ("^", "caret"), ("`", "backtick"),
                ("{", "lbrace"), ("|", "pipe"), ("}", "rbrace"), ("#", "hash"), ("\x80", "x80"), ("\xff", "xff")):
    case("target-byte-%s-path" % tag, req("GET /ex%sact HTTP/1.1" % ch, "Host: h"), "400 closed", S_TARGET_CHARS)
    case("target-byte-%s-query" % tag, req("GET /echo?a=%s HTTP/1.1" % ch, "Host: h"), "400 closed", S_TARGET_CHARS)
case("target-uri-chars", req("GET /echo?a=!$&'()*+,;=:@/?-._~%20 HTTP/1.1", "Host: h"), "200 open",
     "RFC 3986 §2: unreserved, sub-delims, ':', '@', '/', '?' and pct-encoded are allowed in a query",
     contains=(b"X-Raw-Query: a=!$&'()*+,;=:@/?-._~%20\r\n",))
case("target-brackets-query", req("GET /echo?a[]=1&b[x]=2 HTTP/1.1", "Host: h"), "200 open",
     "RFC 3986 §2.2: '[' and ']' are URI characters (gen-delims); a query with them, as browsers send it, is "
     "passed on raw", contains=(b"X-Raw-Query: a[]=1&b[x]=2\r\n",))
case("target-pct-valid", req("GET /ex%61ct HTTP/1.1", "Host: h"), "200 open", S_PCT)
case("target-pct-00", req("GET /echo/%00 HTTP/1.1", "Host: h"), "200|404 open or 400 closed",
     S_PCT + " (%00 is a valid escape; decoding it is the application's risk)")
case("target-pct-invalid", req("GET /%zz HTTP/1.1", "Host: h"), "400 closed", S_PCT)
case("target-pct-truncated", req("GET /a%4 HTTP/1.1", "Host: h"), "400 closed", S_PCT)
case("target-pct-lone", req("GET /a% HTTP/1.1", "Host: h"), "400 closed", S_PCT)
case("target-pct-invalid-in-query", req("GET /echo?a=%zz HTTP/1.1", "Host: h"), "200 open",
     "RFC 9112 §3.2.1: the query is passed on raw (Go: RawQuery); decoding is the handler's",
     contains=(b"X-Raw-Query: a=%zz",))
case("target-dot-segments", req("GET /a/../../exact HTTP/1.1", "Host: h"), "301 open",
     "RFC 3986 §5.2.4: dot-segments are removed; serve_mux redirects to the clean path (as Go)")
case("target-8000", req("GET /" + "a" * 8000 + " HTTP/1.1", "Host: h"), "200 open",
     "RFC 9112 §3: recommended to support at least 8000 octets of request-line")
case("target-60000", req("GET /" + "a" * 60000 + " HTTP/1.1", "Host: h"), "200 open",
     "RFC 9112 §3: a request-line within the head limit (64 KiB) is served")

# --- HTTP versions --------------------------------------------------------------------------------
group("version")
case("v10", get(version="HTTP/1.0"), "200 closed", S_CONN_10)
case("v10-keep-alive", get("Connection: keep-alive", version="HTTP/1.0"), "200 open", S_CONN_10)
case("v11", get(), "200 open", S_CONN_OPEN)
case("v12", get(target="/echo", version="HTTP/1.2"), "200 open", S_MINOR, contains=(b"X-Proto: HTTP/1.2",))
case("v19", get(version="HTTP/1.9"), "200 open", S_MINOR)
case("v20", get(version="HTTP/2.0"), "505 closed", S_505)
case("v30", get(version="HTTP/3.0"), "505 closed", S_505)
case("v09", get(version="HTTP/0.9"), "505 closed or 400 closed", S_505)
case("v110", get(version="HTTP/1.10"), "400 closed", S_VERSION)
case("v-lowercase", get(version="http/1.1"), "400 closed", S_VERSION)
case("v-mixed-case", get(version="Http/1.1"), "400 closed", S_VERSION)
case("v-https", get(version="HTTPS/1.1"), "400 closed", S_VERSION)
case("v-no-minor", get(version="HTTP/1"), "400 closed", S_VERSION)
case("v-no-digits", get(version="HTTP/"), "400 closed", S_VERSION)
case("v-no-dot", get(version="HTTP/11"), "400 closed", S_VERSION)
case("v-three-parts", get(version="HTTP/1.1.1"), "400 closed", S_VERSION)
case("v-letters", get(version="HTTP/a.b"), "400 closed", S_VERSION)
case("v-space-inside", get(version="HTTP/ 1.1"), "400 closed", S_VERSION)
case("v-missing", b"GET /\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE + " (HTTP/0.9 simple requests are gone)")
case("v-missing-trailing-space", b"GET / \r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("v-two-spaces-before", b"GET /  HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("v-two-spaces-after-method", b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("v-trailing-space", b"GET / HTTP/1.1 \r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("v-leading-space", b" GET / HTTP/1.1\r\nHost: h\r\n\r\n", "400 closed", S_REQLINE)
case("v-tab-separators", b"GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n", "400 closed",
     S_REQLINE + " (ringhttp does not use the MAY of whitespace-delimited parsing)")

# --- Sizes: huge heads and request lines, many fields -------------------------------------------
group("size")
LIMIT = 64 << 10   # ringhttp: the whole head within max_header_bytes (64 KiB by default), exactly


def sized_head(total: int) -> bytes:
    """A GET whose whole head (through the blank line) is exactly `total` bytes."""
    base = b"GET / HTTP/1.1\r\nHost: h\r\nX-Pad: \r\n\r\n"
    return base.replace(b"X-Pad: ", b"X-Pad: " + b"p" * (total - len(base)))


case("head-at-limit", sized_head(LIMIT), "200 open", S_431 + " (a head of exactly the limit is served)",
     pipeline=False)
case("head-one-over-limit", sized_head(LIMIT + 1), "431 closed", S_431, pipeline=False)
case("header-value-huge", get("X-Big: " + "b" * (LIMIT + 50000)), "431 closed", S_431, pipeline=False)
case("many-big-headers", get(*["X-Pad-%d: %s" % (i, "p" * 12000) for i in range(90)]), "431 closed", S_431,
     pipeline=False)
case("request-line-huge", b"GET /" + b"a" * (LIMIT + 50000) + b" HTTP/1.1\r\nHost: h\r\n\r\n", "414 closed", S_414,
     pipeline=False)
case("request-line-huge-no-end", b"GET /" + b"a" * (LIMIT + 10), "414 closed", S_414, pipeline=False)
case("request-line-100kb", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: h\r\n\r\n", "414 closed", S_414,
     pipeline=False)
case("field-line-100kb", get("X-Big: " + "b" * 100000), "431 closed", S_431, pipeline=False)
case("head-just-under-limit", sized_head(LIMIT - 100), "200 open", S_431 + " (a head just under 64 KiB is served)",
     pipeline=False)
case("head-in-go-slack", sized_head(LIMIT + 4096), "431 closed", S_431 + " (Go would read this head)",
     pipeline=False)
case("request-line-at-limit-then-fields", b"GET /" + b"a" * (LIMIT - 16) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
     "431 closed", S_431 + " (the request line alone fits: the fields are past the limit)", pipeline=False)
case("request-line-one-over-limit", b"GET /" + b"a" * (LIMIT - 15) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
     "414 closed", S_414, pipeline=False)
case("fields-100", get(*["X-F%d: v" % i for i in range(99)]), "200 open", S_431_COUNT + " (100 lines, Host included)")
case("fields-101", get(*["X-F%d: v" % i for i in range(100)]), "431 closed", S_431_COUNT)
case("fields-101-same-name", get(*["X-F: v"] * 100), "431 closed", S_431_COUNT)
case("fields-101-empty", get(*["X:"] * 100), "431 closed", S_431_COUNT)
case("fields-5000", get(*["X-F%d: v" % i for i in range(5000)]), "431 closed", S_431_COUNT, pipeline=False)

# --- Host -------------------------------------------------------------------------------------------
group("host")
case("host-missing-11", b"GET / HTTP/1.1\r\n\r\n", "400 closed", S_HOST_MISSING)
case("host-missing-11-post", b"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "400 closed", S_HOST_MISSING)
case("host-missing-10", b"GET / HTTP/1.0\r\n\r\n", "200 closed", "RFC 9112 §3.2: Host is required in HTTP/1.1 only")
case("host-empty", req("GET / HTTP/1.1", "Host:"), "200 open",
     "RFC 9112 §3.2: a Host with an empty value is valid (target with no authority)")
case("host-two", req("GET / HTTP/1.1", "Host: a", "Host: b"), "400 closed", S_HOST_TWO)
case("host-two-same", req("GET / HTTP/1.1", "Host: a", "Host: a"), "400 closed", S_HOST_TWO)
case("host-two-case", req("GET / HTTP/1.1", "Host: a", "host: a"), "400 closed", S_HOST_TWO)
case("host-two-one-empty", req("GET / HTTP/1.1", "Host:", "Host: a"), "400 closed", S_HOST_TWO)
case("host-two-http10", req("GET / HTTP/1.0", "Host: a", "Host: b"), "400 closed", S_HOST_TWO)
case("host-two-absolute-form", req("GET http://example.com/ HTTP/1.1", "Host: a", "Host: b"), "400 closed",
     S_HOST_TWO)
case("host-space", req("GET / HTTP/1.1", "Host: a b"), "400 closed", S_HOST_BAD)
case("host-slash", req("GET / HTTP/1.1", "Host: a/b"), "400 closed", S_HOST_BAD)
case("host-userinfo", req("GET / HTTP/1.1", "Host: user@example.com"), "400 closed", S_HOST_BAD)
case("host-question", req("GET / HTTP/1.1", "Host: a?b"), "400 closed", S_HOST_BAD)
case("host-hash", req("GET / HTTP/1.1", "Host: a#b"), "400 closed", S_HOST_BAD)
case("host-backslash", req("GET / HTTP/1.1", "Host: a\\b"), "400 closed", S_HOST_BAD)
case("host-non-ascii", req("GET / HTTP/1.1", "Host: ex\xc3\xa4mple.com"), "400 closed",
     S_HOST_BAD + " (a reg-name is ASCII; others are pct-encoded)")
case("host-ctl", req("GET / HTTP/1.1", "Host: a\x01b"), "400 closed", S_HOST_BAD)
case("host-port-not-digits", req("GET / HTTP/1.1", "Host: example.com:abc"), "400 closed",
     S_HOST_BAD + "; port = *DIGIT")
case("host-two-ports", req("GET / HTTP/1.1", "Host: example.com:80:81"), "400 closed",
     S_HOST_BAD + "; port = *DIGIT")
case("host-ipv6", req("GET /echo HTTP/1.1", "Host: [::1]:8080"), "200 open",
     "RFC 9110 §7.2, RFC 3986 §3.2.2: IP-literal", contains=(b"X-Host: [::1]:8080",))
case("host-with-port", req("GET / HTTP/1.1", "Host: example.com:80"), "200 open",
     "RFC 9110 §7.2: Host = uri-host [ ':' port ]; serve_mux matches without the port",
     contains=(b"host example.com\n",))
case("host-sub-delims", req("GET / HTTP/1.1", "Host: a,b;c=d"), "200 open",
     "RFC 3986 §3.2.2: sub-delims are allowed in a reg-name")

# --- Expect -----------------------------------------------------------------------------------------
group("expect")
case("expect-100-body-sent", post("Expect: 100-continue", "Content-Length: 5", body="hello"), "100 200 open",
     S_EXPECT + " (Go sends it when the handler first reads, even with the body already here)")
case("expect-100-body-withheld", post("Expect: 100-continue", "Content-Length: 5"), "100 open",
     S_EXPECT + "; then the server waits for the body")
case("expect-100-case", post("Expect: 100-Continue", "Content-Length: 5", body="hello"), "100 200 open", S_EXPECT)
case("expect-100-chunked", chunked_post(GOOD_CHUNKS, "Expect: 100-continue"), "100 200 open", S_EXPECT)
case("expect-100-no-body", post("Expect: 100-continue", "Content-Length: 0"), "200 open",
     "RFC 9110 §10.1.1: a server MAY omit 100 when there is no body to wait for")
case("expect-100-http10", post("Expect: 100-continue", "Content-Length: 5", body="hello", version="HTTP/1.0"),
     "200 closed", S_EXPECT_10)
case("expect-100-unread-body", post("Expect: 100-continue", "Content-Length: 5", target="/exact"),
     "200 closed or 200 open",
     "RFC 9110 §10.1.1: a server that answers before reading the body MAY omit 100, and then either "
     "closes (ringhttp, as Go's rule) or goes on reading the body")
case("expect-unknown", post("Expect: foo", "Content-Length: 5", body="hello"), "417 closed", S_EXPECT_OTHER)
case("expect-unknown-token-list", post("Expect: 100-continue, foo", "Content-Length: 5", body="hello"),
     "100 200 open or 417 closed", S_EXPECT_OTHER)
case("expect-two-lines", post("Expect: foo", "Expect: 100-continue", "Content-Length: 5", body="hello"),
     "417 closed or 100 200 open", S_EXPECT_OTHER)
case("expect-empty", post("Expect:", "Content-Length: 5", body="hello"), "200 open",
     "RFC 9110 §10.1.1: an empty Expect states no expectation")
case("expect-nul", post("Expect: 100-continue\x00", "Content-Length: 5", body="hello"), "400 closed", S_VALUE_NUL)

# --- Connection ---------------------------------------------------------------------------------------
group("connection")
case("conn-close", get("Connection: close"), "200 closed", S_CONN_CLOSE)
case("conn-close-then-request", get("Connection: close") + AFTER, "200 closed", S_CONN_CLOSE)
case("conn-close-uppercase-then-request", get("Connection: CLOSE") + AFTER, "200 closed", S_CONN_CLOSE)
case("conn-close-in-list-then-request", get("Connection: keep-alive, foo ,close") + AFTER, "200 closed",
     S_CONN_CLOSE)
case("conn-close-second-line-then-request", get("Connection: keep-alive", "Connection: close") + AFTER,
     "200 closed", S_CONN_CLOSE)
case("conn-close-post-then-request", post("Connection: close", "Content-Length: 5", body="hello") + AFTER,
     "200 closed", S_CONN_CLOSE)
case("conn-closed-is-not-close", get("Connection: closed"), "200 open", S_CONN_OPEN)
case("conn-empty", get("Connection:"), "200 open", S_CONN_OPEN)
case("conn-http10", get(version="HTTP/1.0") + AFTER, "200 closed", S_CONN_10)
case("conn-http10-keep-alive-close", get("Connection: keep-alive, close", version="HTTP/1.0"), "200 closed",
     S_CONN_CLOSE + "; RFC 9112 §9.3: `close` wins over `keep-alive`")
case("conn-http10-keep-alive-close-then-request", get("Connection: keep-alive, close", version="HTTP/1.0") + AFTER,
     "200 closed", S_CONN_CLOSE + "; RFC 9112 §9.3: `close` wins over `keep-alive`")
case("conn-nul", get("Connection: close\x00"), "400 closed", S_VALUE_NUL)
case("conn-names-content-length", post("Connection: Content-Length", "Content-Length: 5", body="hello") + BEFORE,
     "200 200 open", "RFC 9110 §7.6.1: Connection options are for proxies; the recipient frames by CL as usual",
     contains=(b"\r\n\r\nhello", b"exact\n"))
case("conn-names-transfer-encoding", chunked_post(GOOD_CHUNKS, "Connection: Transfer-Encoding") + BEFORE,
     "200 200 open", "RFC 9110 §7.6.1: Connection options do not change how the recipient frames the body",
     contains=(b"exact\n",))
case("panic-body-hides-request", req("POST /panic HTTP/1.1", "Host: h", "Content-Length: %d" % len(AFTER)) + AFTER,
     "- closed", "RFC 9112 §9.6: a server may close at any time; a handler that panics (Go) ends the "
     "connection with no response, and its unread body is never read as a request", pipeline=False)
case("redirect-body-hides-request",
     req("POST /a/../exact HTTP/1.1", "Host: h", "Content-Length: %d" % len(AFTER)) + AFTER, "301 open",
     "RFC 9112 §6.3: the body of a redirected request is discarded, never read as a request", pipeline=False)
case("conn-upgrade-h2c", get("Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                             "HTTP2-Settings: AAMAAABkAAQAAP__"), "200 open", S_UPGRADE)
case("conn-upgrade-websocket", get("Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="), "200 open", S_UPGRADE)

# --- Non-HTTP bytes on a fresh connection --------------------------------------------------------------
group("non-http")
CLIENT_HELLO = bytes.fromhex(
    "16030100c4010000c003030102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
    "20e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0026c02bc02fc02cc030cca9"
    "cca8c009c013c00ac014009c009d002f0035c012000a130113021303010000510000000e000c0000096c6f63"
    "616c686f7374000b000403000102000a000c000a001d0017001e00190018000d001a0018080404030807080508"
    "060401050106010503060302010203ff01000100")
NON_HTTP_RFC = ("RFC 9112 §2.2: octets that are not an HTTP message: SHOULD 400 and close "
                "(a plain close is also clean)")
case("tls-client-hello", CLIENT_HELLO, "400 closed or - closed", NON_HTTP_RFC)
case("tls-client-hello-sslv2-style", bytes.fromhex("8046010301002d0000001000") + bytes(16), "400 closed or - closed",
     NON_HTTP_RFC)
case("h2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "400 closed", S_H2)
case("h2-preface-settings", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000000040000000000"),
     "400 closed", S_H2)
case("h2-preface-line-only", b"PRI * HTTP/2.0\r\n\r\n", "400 closed", S_H2)
case("ssh-banner", b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", "400 closed or - closed", NON_HTTP_RFC)
case("smtp-ehlo", b"EHLO client.example\r\n", "400 closed or - closed", NON_HTTP_RFC)
case("proxy-protocol-v1", b"PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n" + get(), "400 closed",
     NON_HTTP_RFC + " (PROXY protocol is not enabled)")
case("proxy-protocol-v2", b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" + bytes(12) + get(), "400 closed",
     NON_HTTP_RFC + " (PROXY protocol is not enabled)")
case("random-binary", random.Random(20240601).randbytes(512), "400 closed or - closed", NON_HTTP_RFC)
case("random-binary-high", bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(512)),
     "400 closed or - closed", NON_HTTP_RFC)
case("nul-bytes", bytes(64), "400 closed or - closed", NON_HTTP_RFC)
case("ff-byte", b"\xff", "400 closed or - closed", NON_HTTP_RFC)
case("telnet-iac", b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23", "400 closed or - closed", NON_HTTP_RFC)
case("websocket-frame", bytes.fromhex("818537fa213d7f9f4d5158"), "400 closed or - closed", NON_HTTP_RFC)
case("only-crlf", b"\r\n\r\n", "- open", S_EMPTY_LINE + ": the server waits for a request-line")
case("only-crlf-then-close", b"\r\n\r\n", "- closed", S_EMPTY_LINE + "; a clean close then gets no answer",
     half_close=True)
case("only-crlf-x4-then-close", b"\r\n" * 4, "- closed", S_EMPTY_LINE, half_close=True)
case("only-cr-then-close", b"\r", "400 closed or - closed", NON_HTTP_RFC, half_close=True)
case("only-spaces", b"    \r\n\r\n", "400 closed or - closed", NON_HTTP_RFC)
case("json-body-no-head", b'{"jsonrpc":"2.0","method":"x"}\r\n\r\n', "400 closed or - closed", NON_HTTP_RFC)

# --- Position sweeps: the same bad byte at many offsets ---------------------------------------------
# The head parser works 16 or 32 bytes at a time (SSE2, AVX2): a byte must be
# judged the same in every lane and across block edges. Valid sweeps check that
# the values arrive whole (the server echoes them); they half-close so that the
# server answers and closes at once.
group("position")
OFFSETS = (0, 1, 15, 16, 17, 31, 32, 33, 63, 64)
for off in OFFSETS:
    pad = "a" * off
    for b, tag in (("\x00", "nul"), ("\x01", "soh"), ("\x7f", "del"), ("\x0b", "vtab"), ("\t", "tab")):
        case("pos-target-%s-%d" % (tag, off), req("GET /%s%sb HTTP/1.1" % (pad, b), "Host: h"), "400 closed",
             S_REQLINE)
    for b, tag in (("#", "hash"), ('"', "dquote"), ("|", "pipe"), ("\x80", "x80"), ("\xe9", "xe9")):
        case("pos-target-%s-%d" % (tag, off), req("GET /%s%sb HTTP/1.1" % (pad, b), "Host: h"), "400 closed",
             S_TARGET_CHARS)
        case("pos-query-%s-%d" % (tag, off), req("GET /?%s%sb HTTP/1.1" % (pad, b), "Host: h"), "400 closed",
             S_TARGET_CHARS)
    case("pos-target-bad-escape-%d" % off, req("GET /strip/%s%%zz HTTP/1.1" % pad, "Host: h"), "400 closed", S_PCT)
    case("pos-target-escape-%d" % off, req("GET /strip/%s%%41b?q HTTP/1.1" % pad, "Host: h"), "200 any", S_PCT,
         contains=(("stripped:/%sAb" % pad).encode(),), half_close=True)
    for b, tag in (("\x00", "nul"), (" ", "space"), ("\x7f", "del"), ("\x01", "soh"), ("(", "paren"),
                   ("\xc3", "non-ascii")):
        case("pos-name-%s-%d" % (tag, off), get("X%s%so: v" % (pad, b)), "400 closed", S_FIELDNAME)
    for b, tag, why in (("\x00", "nul", S_VALUE_NUL), ("\x01", "soh", S_VALUE_CTL), ("\x7f", "del", S_VALUE_CTL),
                        ("\r", "cr", S_BARE_CR), ("\n", "lf", S_BARE_LF)):
        expect = "400 closed" if tag in ("nul", "cr", "lf") else "400 closed or 200 open"
        case("pos-value-%s-%d" % (tag, off), get("Foo: %s%sw" % (pad, b)), expect, why)
    case("pos-value-echo-%d" % off, get("Foo: %sx\ty%s \t" % ("v" * off, "w" * off), target="/echo"), "200 any",
         S_VALUE_OK + "; " + S_OWS, contains=(("X-Header-Foo: %sx\ty%s\r\n" % ("v" * off, "w" * off)).encode(),),
         half_close=True)
    for b, tag in ((" ", "space"), ("/", "slash"), ("@", "at"), ("\x01", "soh"), ("\x80", "obs-text")):
        case("pos-host-%s-%d" % (tag, off), req("GET / HTTP/1.1", "Host: h%s%sx" % ("h" * off, b)), "400 closed",
             S_HOST_BAD)
    case("pos-host-echo-%d" % off, req("GET /echo HTTP/1.1", "Host: %s.example:8080" % ("h" * off)), "200 any",
         "RFC 9110 §7.2", contains=(("X-Host: %s.example:8080\r\n" % ("h" * off)).encode(),), half_close=True)

# --- Deep pipelines: the bad request straddles a 16 KiB receive buffer --------------------------------
# ringhttp receives into 16 KiB buffers; a head or chunk line cut by a buffer
# edge is reassembled. Valid requests fill the first buffer up to `edge - k`
# bytes, so the bad one starts k bytes before the edge.
group("buffer-edge")
RECV_BUFFER = 16 * 1024


def fill(total: int) -> tuple[bytes, int]:
    """Valid requests of exactly `total` bytes in all, and how many."""
    out, n = b"", 0
    while total - len(out) > 2 * len(BEFORE) + 20:
        out += BEFORE
        n += 1
    last = total - len(out)
    pad = b"X: " + b"p" * (last - len(BEFORE) - 5) + b"\r\n"
    out += BEFORE[:-2] + pad + b"\r\n"
    assert len(out) == total, (len(out), total)
    return out, n + 1


EDGE_BAD = (
    ("bare-lf", b"GET / HTTP/1.1\r\nHost: h\r\nFoo: a\nb\r\n\r\n", "400", S_BARE_LF),
    ("bare-cr", b"GET / HTTP/1.1\r\nHost: h\r\nFoo: a\rb\r\n\r\n", "400", S_BARE_CR),
    ("obs-fold-te", post("Transfer-Encoding:", " chunked", body=GOOD_CHUNKS), "400", S_FOLD),
    ("cl-te", post("Content-Length: %d" % (5 + len(AFTER)), "Transfer-Encoding: chunked", body=b"0\r\n\r\n"),
     "400", S_CLTE),
    ("chunk-size-bare-lf", chunked_post("5\nhello\r\n0\r\n\r\n"), "400", S_CHUNK_LF),
    ("chunk-data-bare-lf", chunked_post("5\r\nhello\n0\r\n\r\n"), "400", S_CHUNK_LF),
)
for k in (1, 2, 7, 20):
    before, n = fill(RECV_BUFFER - k)
    for tag, bad, status, why in EDGE_BAD:
        case("edge-%s-%d" % (tag, k), before + bad + AFTER, " ".join(["200"] * n + [status]) + " closed",
             why + "; RFC 9112 §9.3.2: earlier pipelined requests are answered in order", pipeline=False)
    case("edge-valid-%d" % k, before + get("Foo: x", target="/echo") + BEFORE,
         " ".join(["200"] * (n + 2)) + " open", "RFC 9112 §9.3.2: pipelined requests are answered in order",
         pipeline=False, contains=(b"X-Header-Foo: x\r\n",))

# --- Incomplete input: the server waits (or, after a half-close, answers and closes) -------------------
group("incomplete")
case("partial-method", b"GET", "- open", S_WAIT)
case("partial-request-line", b"GET / HTT", "- open", S_WAIT)
case("partial-head", b"GET / HTTP/1.1\r\nHost: h\r\n", "- open", S_WAIT)
case("partial-head-cr", b"GET / HTTP/1.1\r\nHost: h\r\n\r", "- open", S_WAIT)
case("partial-head-then-close", b"GET / HTTP/1.1\r\nHost: h\r\n", "400 closed or - closed", S_INCOMPLETE,
     half_close=True)
case("partial-head-after-empty-line", b"\r\nGET / HTTP/1.1\r\nHost: h\r\n", "- open", S_WAIT + "; " + S_EMPTY_LINE)
case("empty-then-close", b"", "- closed", "RFC 9112 §9.6: a client closing an idle connection gets nothing",
     half_close=True)
case("byte-by-byte", [bytes([b]) for b in get()], "200 open", "RFC 9112 §2: a message may arrive in any pieces",
     pause=0.005)
case("split-between-cr-lf", [b"GET / HTTP/1.1\r\nHost: h\r", b"\n\r\n"], "200 open", "RFC 9112 §2")
case("split-bad-second-part", [b"GET / HTTP/1.1\r\nHo", b"st: h\n\r\n"], "400 closed", S_BARE_LF)
case("split-good-then-garbage", [get(), b"\x16\x03\x01"], "200 400 closed",
     "RFC 9112 §9.3.2: pipelined requests are answered in order; the invalid one ends the connection")


def pipelined(c: Case) -> Case:
    """c between a valid request and a marked one: [200, c's answer], and nothing after."""
    outs = []
    for o in c.outcomes:
        statuses = " ".join("|".join(map(str, a)) for a in o.statuses)
        outs.append(("200 " + statuses).strip() + " closed")
    outs.append("200 closed")   # the connection may also just close at the bad request
    return dataclasses.replace(c, name=c.name + "+pipelined", parts=[BEFORE + c.data + AFTER],
                               expect=" or ".join(dict.fromkeys(outs)), variant="pipelined",
                               contains=(b"exact\n",), pipeline=False)


def split_variant(c: Case) -> Case:
    """c sent in two writes, cut after its first line, so that the rest of the
    head reaches the incremental head scanner rather than the one-pass parser."""
    data = c.data
    cut = data.find(b"\n") + 1
    return dataclasses.replace(c, name=c.name + "+split", parts=[data[:cut], data[cut:]], variant="split",
                               pipeline=False)


def bytewise(c: Case) -> Case:
    """c with its head in one write and then its body a byte per write, so that
    the chunked decoder resumes at every byte of the body."""
    data = c.data
    head_end = data.index(b"\r\n\r\n") + 4
    parts = [data[:head_end]] + [data[i:i + 1] for i in range(head_end, len(data))]
    return dataclasses.replace(c, name=c.name + "+bytewise", parts=parts, pause=0.003, variant="bytewise",
                               pipeline=False)


def fits_pipeline(c: Case) -> bool:
    if c.pipeline is not None:
        return c.pipeline
    if c.half_close or len(c.parts) != 1 or c.group in ("size", "incomplete", "position"):
        return False
    # Only where every allowed outcome is an error (or no answer) and a
    # close: an open connection would rightly serve the request after it.
    return all(o.close is True and (not o.statuses or min(o.statuses[-1]) >= 400) for o in c.outcomes)


SPLIT_GROUPS = ("te", "cl-te", "obs-fold", "bare-cr-lf", "ctl", "token", "version", "host")


def variants() -> list[Case]:
    out = list(CASES)
    out += [pipelined(c) for c in CASES if fits_pipeline(c)]
    out += [split_variant(c) for c in CASES
            if c.group in SPLIT_GROUPS and fits_pipeline(c) and 0 < c.data.find(b"\n") < len(c.data) - 4]
    out += [bytewise(c) for c in CASES
            if c.group in ("chunk", "trailer") and len(c.parts) == 1 and b"\r\n\r\n" in c.data
            and len(c.data) - c.data.index(b"\r\n\r\n") <= 160]
    return out
