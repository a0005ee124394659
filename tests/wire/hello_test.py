#!/usr/bin/env python3
"""The seed program over real sockets: curl, Python's http.client and wrk.

Usage: hello_test.py PATH_TO_HELLO

Starts tools/hello on a free loopback port and checks what the issue asks of
it: `/` and `/user/x` answer, `/user` redirects to `/user/` with 301; curl and
http.client agree; `wrk -c64 -d5s` gets only correct answers and no errors.
Ends with "N passed, M failed" and exits 1 on any failure.
"""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

results = []


def check(name, ok, detail=""):
    results.append((name, ok))
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


WRK_SCRIPT = r"""
local bad = 0
response = function(status, headers, body)
  if status ~= 200 or body ~= "Hello world!\n" then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("BAD_RESPONSES %d\n", bad))
end
"""


def main():
    hello = os.path.abspath(sys.argv[1])
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    proc = subprocess.Popen([hello, "--addr", "127.0.0.1:%d" % port], stderr=subprocess.PIPE)
    try:
        if not wait_listening(port, proc):
            check("hello starts and listens", False, proc.stderr.read().decode() if proc.poll() is not None else "timeout")
            return
        check("hello starts and listens", True)

        # curl
        if shutil.which("curl"):
            out = subprocess.run(["curl", "-s", base + "/"], capture_output=True, timeout=10).stdout
            check("curl / says Hello world!", out == b"Hello world!\n", repr(out))
            out = subprocess.run(["curl", "-s", base + "/user/x"], capture_output=True, timeout=10).stdout
            check("curl /user/x says Hello thinkerou!", out == b"Hello thinkerou!\n", repr(out))
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base + "/user"],
                                 capture_output=True, timeout=10).stdout.decode()
            check("curl /user gets 301 to /user/", out == "301 %s/user/" % base, out)
            out = subprocess.run(["curl", "-s", "-L", base + "/user?x=1"], capture_output=True, timeout=10).stdout
            check("curl -L /user?x=1 follows to Hello thinkerou!", out == b"Hello thinkerou!\n", repr(out))
        else:
            check("curl is installed", False)

        # http.client, one keep-alive connection for several requests
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path, body in (("/", b"Hello world!\n"), ("/user/x", b"Hello thinkerou!\n"), ("/anything", b"Hello world!\n")):
            conn.request("GET", path)
            r = conn.getresponse()
            data = r.read()
            check("http.client GET %s" % path, r.status == 200 and data == body and
                  r.getheader("Content-Length") == str(len(body)) and
                  r.getheader("Content-Type") == "text/plain; charset=utf-8" and r.getheader("Date") is not None,
                  "%d %r %r" % (r.status, data, r.getheaders()))
        conn.request("GET", "/user?q=1")
        r = conn.getresponse()
        r.read()
        check("http.client GET /user is 301 to /user/?q=1", r.status == 301 and r.getheader("Location") == "/user/?q=1",
              "%d %r" % (r.status, r.getheader("Location")))
        conn.request("HEAD", "/")
        r = conn.getresponse()
        check("http.client HEAD / has no body", r.status == 200 and r.read() == b"", str(r.status))
        conn.request("POST", "/user/", body=b"x" * 1000)
        r = conn.getresponse()
        check("http.client POST with an unread body keeps the connection", r.read() == b"Hello thinkerou!\n")
        conn.request("GET", "/")
        r = conn.getresponse()
        check("http.client reuses the connection after it", r.read() == b"Hello world!\n")
        conn.close()

        # wrk -c64 -d5s: every answer correct, no socket errors
        if shutil.which("wrk"):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
                f.write(WRK_SCRIPT)
                script = f.name
            try:
                out = subprocess.run(["wrk", "-t1", "-c64", "-d5s", "-s", script, base + "/"],
                                     capture_output=True, timeout=60).stdout.decode()
            finally:
                os.unlink(script)
            m = re.search(r"(\d+) requests in", out)
            bad = re.search(r"BAD_RESPONSES (\d+)", out)
            requests = int(m.group(1)) if m else 0
            check("wrk -c64 -d5s completes requests", requests > 1000, out)
            check("wrk sees no socket errors", "Socket errors" not in out, out)
            check("wrk sees no non-2xx answers", "Non-2xx" not in out, out)
            check("wrk sees only Hello world! bodies", bad is not None and bad.group(1) == "0", out)
            print(out.strip().splitlines()[-2] if out.strip() else "", flush=True)
        else:
            check("wrk is installed", False)
        check("hello still running after all of it", proc.poll() is None)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    try:
        main()
    finally:
        failed = sum(1 for _, ok in results if not ok)
        print("%d passed, %d failed" % (len(results) - failed, failed))
        sys.exit(1 if failed or not results else 0)
