#!/usr/bin/env python3
"""Micro benchmarks: the request codec (bench/parser_bench), the response
writer (bench/writer_bench) and serve_mux
(bench/mux_bench.sh, with Go 1.19 and 1.23 beside it), pinned to CPU 0.

Usage: bench/micro_bench.py [--build DIR] [--reps N] [--update]
--update rewrites their rows of bench/RESULTS.md in place.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import results  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    command = "bench/micro_bench.py " + " ".join(sys.argv[1:])
    if not os.path.exists(os.path.join(ROOT, args.build, "build.ninja")):
        subprocess.run(["meson", "setup", args.build, "--buildtype=release", "-Dtests=false"], check=True, cwd=ROOT,
                       stdout=sys.stderr)
    subprocess.run(["ninja", "-C", args.build, "bench/parser_bench", "bench/writer_bench", "bench/mux_bench"],
                   check=True, cwd=ROOT, stdout=sys.stderr)
    best = {}
    for program in ("parser_bench", "writer_bench"):
        out = subprocess.run(["taskset", "-c", "0", os.path.join(ROOT, args.build, "bench", program),
                              "--benchmark_repetitions=%d" % args.reps, "--benchmark_min_time=0.5",
                              "--benchmark_format=json"], check=True, capture_output=True, text=True).stdout
        for b in json.loads(out)["benchmarks"]:
            if b.get("run_type") == "iteration":
                best[b["run_name"]] = min(best.get(b["run_name"], float("inf")), float(b["cpu_time"]))
    today = datetime.date.today().isoformat()
    names = {"BM_parser_parse_small": ("codec: parse 165-byte request", "target 60 ns"),
             "BM_parser_parse_browser": ("codec: parse 702-byte browser request", "target 150 ns"),
             "BM_parser_scan_browser": ("codec: find the end of a 702-byte head (split arrival)", ""),
             "BM_parser_chunked_decode": ("codec: decode a 64 KiB chunked body", ""),
             "BM_writer_head_hello": ("writer: hello response head into a 4 KB block", ""),
             "BM_writer_head_10_fields": ("writer: head with 10 handler fields", ""),
             "BM_writer_body/16384": ("writer: 16 KiB body in 1 KiB writes", ""),
             "BM_writer_body/262144": ("writer: 256 KiB body in 1 KiB writes", "")}
    rows = []
    for key, (what, target) in names.items():
        if key in best:
            rows.append({"date": today, "benchmark": what, "subject": "ringhttp",
                         "result": "%.0f ns (best of %d, CPU 0)" % (best[key], args.reps), "vs": target,
                         "command": command})
            print("%-58s %8.0f ns" % (what, best[key]))
    if args.update:
        results.update(rows)
    env = dict(os.environ, MUX_BENCH=os.path.join(ROOT, args.build, "bench", "mux_bench"), REPS=str(args.reps))
    if args.update:
        env.update(RESULTS_UPDATE="1", RESULTS_COMMAND=command)
    subprocess.run(["taskset", "-c", "0", os.path.join(ROOT, "bench", "mux_bench.sh"), args.build], check=True,
                   cwd=ROOT, env=env)


if __name__ == "__main__":
    main()
