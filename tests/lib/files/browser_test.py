#!/usr/bin/env python3
"""A real browser against ringhttp's file_server: headless Chromium loads a
directory listing, and a page whose <video> element fetches its media with
Range requests (its URL starts at 100 s of 120, and the page then seeks to
119 s: Chromium asks for ranges from the middle of the file).

The media is a 120 s PCM WAV (21 MB) made here (no video encoder is needed to build
the test; Chromium plays audio-only media in a <video> element and fetches it
exactly as it does a video). Opt-in, as it needs Debian's chromium package:
  RINGHTTP_BROWSER=1 meson test -C <build> --suite browser
Exits 77 (meson: SKIP) without RINGHTTP_BROWSER=1 or without chromium.

Usage: browser_test.py FILES_SERVER_BINARY
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

PAGE = """<!doctype html>
<title>video</title>
<video id="v" src="tone.wav#t=100" preload="metadata" muted></video>
<p id="result">pending</p>
<script>
const v = document.getElementById('v'), out = document.getElementById('result');
v.addEventListener('loadedmetadata', () => {
  out.textContent = 'metadata ' + v.duration.toFixed(1);
  v.currentTime = v.duration - 1;
});
v.addEventListener('seeked', () => {
  out.textContent = 'seeked ' + v.duration.toFixed(1) + ' at ' + v.currentTime.toFixed(1);
});
v.addEventListener('error', () => { out.textContent = 'error ' + (v.error && v.error.code); });
</script>
"""


def wav(seconds: int, rate: int = 44100) -> bytes:
    period = bytes()
    for i in range(100):  # a 441 Hz square wave, stereo 16-bit
        s = 8000 if i < 50 else -8000
        period += struct.pack("<hh", s, s)
    frames = period * (seconds * rate // 100)
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, rate, rate * 4, 4, 16)
    header += b"data" + struct.pack("<I", len(frames))
    return header + frames


def chromium(url: str, profile: str) -> str:
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           "--autoplay-policy=no-user-gesture-required", "--virtual-time-budget=30000",
           "--dump-dom", url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return r.stdout


def main() -> int:
    if os.environ.get("RINGHTTP_BROWSER") != "1":
        print("skipped: set RINGHTTP_BROWSER=1 to run the browser suite")
        return 77
    if shutil.which("chromium") is None:
        print("skipped: chromium is not installed (apt-get install chromium)")
        return 77
    binary = sys.argv[1]
    base = tempfile.mkdtemp(prefix="ringhttp-browser-")
    proc = None
    log = ""
    failures = []
    try:
        root = os.path.join(base, "root")
        os.makedirs(os.path.join(root, "sub dir"))
        for name in ("a.txt", "b c.txt", "x&y.txt"):
            with open(os.path.join(root, name), "w") as f:
                f.write(name + "\n")
        with open(os.path.join(root, "video.html"), "w") as f:
            f.write(PAGE)
        media = wav(120)
        with open(os.path.join(root, "tone.wav"), "wb") as f:
            f.write(media)
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
        profile = os.path.join(base, "profile")

        dom = chromium(f"http://127.0.0.1:{port}/", profile)
        print("listing DOM:", dom)
        for href, text in (("a.txt", "a.txt"), ("b%20c.txt", "b c.txt"), ("sub%20dir/", "sub dir/"),
                           ("video.html", "video.html"), ("x&amp;y.txt", "x&amp;y.txt")):
            if f'<a href="{href}">{text}</a>' not in dom:
                failures.append(f"listing lacks <a href=\"{href}\">{text}</a>")

        dom = chromium(f"http://127.0.0.1:{port}/video.html", profile)
        m = re.search(r'<p id="result">([^<]*)</p>', dom)
        result = m.group(1) if m else "(no result element)"
        print("video page result:", result)
        if not result.startswith("seeked 120.0"):
            failures.append(f"the video did not load and seek: {result}")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                log, _ = proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                log, _ = proc.communicate()
        shutil.rmtree(base, ignore_errors=True)
    print("server log:\n" + (log or ""))
    ranges = re.findall(r"GET /tone\.wav \[bytes=(\d+)-(\d*)\] -> (\d+)", log or "")
    print("media range requests:", ranges)
    if not any(status == "206" for _, _, status in ranges):
        failures.append("no Range request for the media was answered 206")
    if not any(int(start) > 0 and status == "206" for start, _, status in ranges):
        failures.append("no Range request from the middle of the media (the seek)")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
