#!/usr/bin/env python3
"""Many server-sent event streams on one ring (issue 13).

bench/waiting_server's /sse sends 20 events 100 ms apart (sleep_for, then a
flushed write) on each stream. This opens N streams at once from CPU 1
(asyncio, one thread) against one ring on CPU 0 and reports how long the
streams took (2.0 s is the floor), how late events came against their
schedule, the server's peak RSS growth per stream and its CPU per event.

usage: bench/sse_bench.py [--streams 1000] [--build build-bench]
"""
import argparse
import asyncio
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import http_bench as hb  # noqa: E402
import waiting_bench as wb  # noqa: E402


async def stream(port, lateness, done):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /sse HTTP/1.1\r\nHost: b\r\n\r\n")
    await writer.drain()
    start = time.monotonic()
    buf = b""
    seen = 0
    while seen < 20:
        chunk = await reader.read(65536)
        if not chunk:
            break
        buf += chunk
        while b"data: tick " in buf:
            i = buf.index(b"data: tick ")
            end = buf.find(b"\n\n", i)
            if end < 0:
                break
            seen += 1
            lateness.append((time.monotonic() - start) - 0.1 * seen)
            buf = buf[end + 2:]
    writer.close()
    done.append((seen, time.monotonic() - start))


async def run(port, n, sampler):
    lateness, done = [], []
    t0 = time.monotonic()
    tasks = [asyncio.create_task(stream(port, lateness, done)) for _ in range(n)]
    while not all(t.done() for t in tasks):
        sampler()
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    return time.monotonic() - t0, lateness, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--build", default="build-bench")
    args = ap.parse_args()
    exe = wb.build(args.build)
    os.sched_setaffinity(0, {1})
    hb.raise_nofile()
    port = hb.free_port()
    srv = hb.Server("ringhttp", lambda p: [exe, "--addr", "127.0.0.1:%d" % p, "--threads", "1"])
    srv.start(port)
    try:
        pid = srv.pid()
        rss0 = hb.rss_kib(pid)
        peak = [rss0]
        ticks0 = hb.cpu_ticks(pid)
        took, lateness, done = asyncio.run(run(port, args.streams, lambda: peak.append(hb.rss_kib(pid))))
        cpu = (hb.cpu_ticks(pid) - ticks0) / hb.CLK_TCK
    finally:
        srv.stop()
    events = sum(s for s, _ in done)
    complete = sum(1 for s, _ in done if s == 20)
    lateness.sort()
    print("%d streams of 20 events 100 ms apart, one ring: %d complete, %d events" % (args.streams, complete, events))
    print("all streams done in %.2f s (floor 2.0 s); each stream %.2f s median, %.2f s max" %
          (took, statistics.median(t for _, t in done), max(t for _, t in done)))
    print("event lateness: p50 %.1f ms, p99 %.1f ms" %
          (lateness[len(lateness) // 2] * 1000, lateness[int(len(lateness) * 0.99)] * 1000))
    print("server RSS: %d KiB before, %d KiB peak: %.1f KiB per stream; CPU %.1f us per event" %
          (rss0, max(peak), (max(peak) - rss0) / args.streams, cpu * 1e6 / max(events, 1)))


if __name__ == "__main__":
    main()
