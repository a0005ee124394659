#!/bin/sh
# Runs the serve_mux benchmark (bench/mux_bench.cpp) and Go's ServeMux
# benchmark (bench/go_mux, with Go 1.19 and Go 1.23) in one go, and prints
# one table: ns per lookup by route kind and count, ringhttp's speed-up over
# Go 1.23, and reader throughput with a concurrent writer.
#
#   bench/mux_bench.sh [BUILD_DIR]        (default: build)
#
# Environment: MUX_BENCH (path of a built mux_bench, else BUILD_DIR's),
# GO119 / GO123 (go binaries, default /usr/lib/go-1.19/bin/go and
# /usr/lib/go-1.23/bin/go), MIN_TIME (seconds per C++ benchmark, default
# 0.3), REPS (repetitions, the minimum is reported, default 3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
bench=${MUX_BENCH:-$build/bench/mux_bench}
go119=${GO119:-/usr/lib/go-1.19/bin/go}
go123=${GO123:-/usr/lib/go-1.23/bin/go}
min_time=${MIN_TIME:-0.3}
reps=${REPS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bench" ]; then
    ninja -C "$build" bench/mux_bench >/dev/null
fi

echo "machine: $(nproc) CPUs, $(uname -r); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "running $bench ..." >&2
"$bench" --benchmark_filter='BM_mux_lookup_' --benchmark_min_time="$min_time" \
    --benchmark_repetitions="$reps" --benchmark_format=json >"$tmp/cpp.json" 2>/dev/null

# Each toolchain builds the same program; GOTOOLCHAIN=local keeps Go 1.23
# from looking for another toolchain, and go.mod's "go 1.23" gives it the
# current mux (with an older go line it would fall back to the 1.21 one).
for v in 119 123; do
    eval go=\$go$v
    echo "running go_mux with $("$go" version | cut -d' ' -f3) ..." >&2
    (cd "$here/go_mux" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE="$tmp/gocache$v" \
        "$go" run . -benchtime "${min_time}s") >"$tmp/go$v.txt"
done

BENCH_DIR="$here" python3 - "$tmp" <<'EOF'
import collections, json, os, sys
tmp = sys.argv[1]
cpp = collections.defaultdict(list)
for b in json.load(open(f"{tmp}/cpp.json"))["benchmarks"]:
    if b.get("run_type") != "iteration" or "error_occurred" in b:
        continue
    base, n = b["run_name"].split("/")[:2]
    kind = base[len("BM_mux_lookup_"):]
    cpp[(kind, int(n))].append(float(b["real_time"]))  # ns
best = {k: min(v) for k, v in cpp.items()}
def go(v):
    out = {}
    for line in open(f"{tmp}/go{v}.txt"):
        kind, n, ns, matched = line.split()
        out[(kind, int(n))] = (float(ns), matched)
    return out
g119, g123 = go(119), go(123)
kinds = ["static", "subtree", "wildcard", "host"]
sizes = sorted({n for (_, n) in best})
print("ns per lookup (min of repetitions); ringhttp = serve_mux lookup on an RCU ring thread")
print(f"{'kind':9} {'routes':>6} {'ringhttp':>9} {'guarded':>8} {'writer':>8} {'Go 1.19':>9} {'Go 1.23':>9} {'x Go1.23':>9} {'writer%':>8}")
for k in kinds:
    for n in sizes:
        r = best.get((k, n))
        if r is None:
            continue
        gd = best.get((k + "_guarded", n), float("nan"))
        w = best.get((k + "_writer", n), float("nan"))
        a, am = g119.get((k, n), (float("nan"), ""))
        b, _ = g123.get((k, n), (float("nan"), ""))
        note = "" if not am or am.split("/")[0] == am.split("/")[1] else f" ({am} matched)"
        print(f"{k:9} {n:>6} {r:>9.1f} {gd:>8.1f} {w:>8.1f} {a:>9.1f} {b:>9.1f} {b / r:>8.1f}x {100 * r / w:>7.0f}%{note}")
busy = {n: best.get(("static_writer_busy", n)) for n in sizes}
if any(busy.values()):
    print("static lookups with a writer registering back to back: " +
          ", ".join(f"{n}: {v:.1f} ns ({100 * best[('static', n)] / v:.0f}%)" for n, v in busy.items() if v))
if os.environ.get("RESULTS_UPDATE"):
    # One row per route kind in bench/RESULTS.md, sizes side by side.
    sys.path.insert(0, os.environ["BENCH_DIR"])
    import datetime, results
    rows = []
    for k in kinds:
        ns = [n for n in sizes if (k, n) in best]
        fmt = lambda xs: "/".join("%.0f" % x for x in xs)
        rows.append({
            "date": datetime.date.today().isoformat(),
            "benchmark": "mux lookup %s" % k,
            "subject": "ringhttp",
            "result": "%s ns at %s routes" % (fmt(best[(k, n)] for n in ns), "/".join(str(n) for n in ns)),
            "vs": "Go 1.23 %s ns (%s x); Go 1.19 %s ns; with a writer %s%% kept" % (
                fmt(g123.get((k, n), (float("nan"),))[0] for n in ns),
                "/".join("%.1f" % (g123.get((k, n), (float("nan"),))[0] / best[(k, n)]) for n in ns),
                fmt(g119.get((k, n), (float("nan"),))[0] for n in ns),
                "/".join("%.0f" % (100 * best[(k, n)] / best.get((k + "_writer", n), float("nan"))) for n in ns)),
            "command": os.environ.get("RESULTS_COMMAND", "bench/mux_bench.sh"),
        })
    results.update(rows)
print("guarded: the same lookup on a thread not registered with RCU (a read_guard per lookup)")
print("writer: with another thread registering a route every 100 us; writer% = throughput kept")
print("Go 1.19 has no wildcards: its wildcard row measures a miss (404) over the same patterns")
EOF
