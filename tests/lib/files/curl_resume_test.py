#!/usr/bin/env python3
"""curl resumes an interrupted download from ringhttp's file_server with -C -.

A rate-limited curl is cut off after a second (a partial file), then
`curl -C -` asks for the rest with a Range request; the result must be the
whole file, byte for byte, and the resume must have been a 206.

Usage: curl_resume_test.py FILES_SERVER_BINARY
"""
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def main() -> int:
    binary = sys.argv[1]
    base = tempfile.mkdtemp(prefix="ringhttp-curl-")
    proc = None
    try:
        root = os.path.join(base, "root")
        os.makedirs(root)
        data = os.urandom(20 * 1024 * 1024 + 321)
        with open(os.path.join(root, "download.bin"), "wb") as f:
            f.write(data)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([binary, "--addr", f"127.0.0.1:{port}", "--root", root, "--log"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("server did not start")
                    return 1
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/download.bin"
        out = os.path.join(base, "out.bin")
        # Interrupted: rate-limited and cut off after 1.5 s, curl has part of 20 MiB (exit 28).
        first = subprocess.run(["curl", "-sS", "--limit-rate", "500K", "--max-time", "1.5", "-o", out, url],
                               capture_output=True, text=True)
        partial = os.path.getsize(out) if os.path.exists(out) else 0
        print(f"first curl exit {first.returncode}, {partial} of {len(data)} bytes")
        if first.returncode != 28 or not 0 < partial < len(data):
            print("FAIL: the first download was not interrupted part-way")
            return 1
        second = subprocess.run(["curl", "-sS", "-C", "-", "-o", out, "-w", "%{http_code}", url],
                                capture_output=True, text=True, timeout=120)
        print(f"resume: curl exit {second.returncode}, status {second.stdout!r}")
        with open(out, "rb") as f:
            got = f.read()
        ok = second.returncode == 0 and second.stdout == "206" and got == data
        if not ok:
            print(f"FAIL: resumed file has {len(got)} bytes, sha256 match: "
                  f"{hashlib.sha256(got).digest() == hashlib.sha256(data).digest()}")
            return 1
        print(f"ok: resumed from byte {partial}, whole file matches")
        return 0
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                out_text, _ = proc.communicate(timeout=15)
                print("server log:\n" + (out_text or ""))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
