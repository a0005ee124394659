#!/bin/sh
# check.sh: compare engine/sniff.cpp with Go's net/http.DetectContentType.
#   1. every row of Go's sniff_test.go table appears in sniff_test.cpp;
#   2. every input in sniff_test.cpp gets Go's answer, which is also its "want";
#   3. N generated inputs (default 20000) get the same answer from both.
# Usage: tests/go/sniffcheck/check.sh [N] [SEED]
set -eu
n=${1:-20000}
seed=${2:-1}
root=$(cd "$(dirname "$0")/../../.." && pwd)
go=${GO:-/usr/lib/go-1.23/bin/go}
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-/tmp/gocache-sniff}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

(cd "$root/tests/go/sniffcheck" && "$go" build -o "$tmp/sniffcheck" .)
${CXX:-g++} -std=c++20 -O2 -I"$root" "$root/engine/sniff.cpp" "$root/tests/go/sniffcheck/cpp/cpp_sniff.cpp" \
    $(pkg-config --cflags --libs catch2) -o "$tmp/cpp_sniff"

fail=0

"$tmp/sniffcheck" -gotable "$("$go" env GOROOT)/src/net/http/sniff_test.go" | cut -f1,2 | sort -u >"$tmp/go_rows"
"$tmp/cpp_sniff" table >"$tmp/cpp_rows"
cut -f1,2 "$tmp/cpp_rows" | sort -u >"$tmp/cpp_pairs"
missing=$(comm -23 "$tmp/go_rows" "$tmp/cpp_pairs" | wc -l)
echo "go table: $(wc -l <"$tmp/go_rows") distinct rows, $missing missing from sniff_test.cpp"
comm -23 "$tmp/go_rows" "$tmp/cpp_pairs" | sed 's/^/  missing: /'
[ "$missing" -eq 0 ] || fail=1

cut -f1 "$tmp/cpp_rows" >"$tmp/table.hex"
"$tmp/sniffcheck" <"$tmp/table.hex" >"$tmp/table.go"
"$tmp/cpp_sniff" <"$tmp/table.hex" >"$tmp/table.cpp"
cut -f2 "$tmp/cpp_rows" >"$tmp/table.want"
paste "$tmp/table.go" "$tmp/table.want" "$tmp/table.cpp" "$tmp/cpp_rows" |
    awk -F'\t' '$1 != $2 || $1 != $3 { print "  go=" $1 " want=" $2 " c++=" $3 " case=" $6 " hex=" $4; bad++ }
                END { print "test table: " NR " inputs, " bad+0 " disagreeing with Go"; exit bad > 0 }' || fail=1

"$tmp/sniffcheck" -gen "$n" -seed "$seed" >"$tmp/gen.hex"
"$tmp/sniffcheck" <"$tmp/gen.hex" >"$tmp/gen.go"
"$tmp/cpp_sniff" <"$tmp/gen.hex" >"$tmp/gen.cpp"
paste "$tmp/gen.go" "$tmp/gen.cpp" "$tmp/gen.hex" |
    awk -F'\t' '$1 != $2 { if (bad < 20) print "  go=" $1 " c++=" $2 " hex=" $3; bad++ }
                END { print "generated: " NR " inputs, " bad+0 " mismatches" }
                END { exit bad > 0 }' || fail=1
echo "distinct answers among generated inputs: $(sort -u "$tmp/gen.go" | wc -l)"
exit $fail
