#!/bin/bash
# Do fixed files pay here? bench/floor_server plain against --fixed (each
# socket registered in the ring's fixed-file table, recv and send through
# it), interleaved, server on CPU 0 and wrk (64 connections) on CPU 1;
# prints the median server CPU per request of each.
#
# Usage: bench/fixed_files_probe.sh [BUILD_DIR] [ROUNDS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
rounds=${2:-5}
secs=${3:-4}
ninja -C "$build" bench/floor_server >/dev/null
hz=$(getconf CLK_TCK)
declare -A runs
for ((r = 1; r <= rounds; r++)); do
    for mode in plain fixed; do
        port=$((20000 + RANDOM % 20000))
        flag=()
        [ "$mode" = fixed ] && flag=(--fixed)
        taskset -c 0 "$build/bench/floor_server" "$port" "${flag[@]}" &
        pid=$!
        for _ in $(seq 50); do
            curl -s -o /dev/null "http://127.0.0.1:$port/" && break
            sleep 0.1
        done
        t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        reqs=$(taskset -c 1 wrk -t1 -c64 -d"${secs}s" "http://127.0.0.1:$port/" | awk '/requests in/ {print $1}')
        t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        us=$(echo "($t1 - $t0) * 1000000 / $hz / $reqs" | bc -l)
        printf 'round %d %-5s %8d requests  %.3f us server CPU/request\n' "$r" "$mode" "$reqs" "$us"
        runs[$mode]+="$us "
    done
done
for mode in plain fixed; do
    printf '%-5s median %.3f us server CPU/request\n' "$mode" \
        "$(tr ' ' '\n' <<<"${runs[$mode]}" | grep . | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')"
done
