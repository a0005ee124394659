// go_mux measures Go's ServeMux.Handler(r) over the route sets of
// bench/mux_bench.cpp (same patterns, same requests, same order), so that
// bench/mux_bench.sh can put ringhttp, Go 1.19 and Go 1.23 side by side.
// It builds with both toolchains: with Go 1.19 it measures the pre-1.22 mux
// (which has no wildcards: "{id}" is literal text there, so the wildcard
// set measures a miss), with Go 1.23 the current one (go.mod says go 1.23).
//
// Output, one line per benchmark: <kind> <routes> <ns/op> <matched>
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func pattern(kind string, i int) string {
	n := strconv.Itoa(i)
	switch kind {
	case "static":
		return "/api/v1/resource" + n
	case "subtree":
		return "/api/v1/resource" + n + "/"
	case "wildcard":
		return "/api/v1/resource" + n + "/{id}"
	}
	return "host" + n + ".example/api/v1/resource"
}

func request(kind string, j int) *http.Request {
	n := strconv.Itoa(j)
	target, host := "", "localhost"
	switch kind {
	case "static":
		target = "/api/v1/resource" + n
	case "subtree":
		target = "/api/v1/resource" + n + "/items"
	case "wildcard":
		target = "/api/v1/resource" + n + "/42"
	default:
		target, host = "/api/v1/resource", "host"+n+".example:8080"
	}
	r := httptest.NewRequest("GET", target, nil)
	r.Host = host
	return r
}

func main() {
	kinds := flag.String("kinds", "static,subtree,wildcard,host", "route kinds")
	sizes := flag.String("sizes", "10,100,1000,10000", "route counts")
	benchtime := flag.Duration("benchtime", 300*time.Millisecond, "time per benchmark")
	flag.Parse()
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, kind := range strings.Split(*kinds, ",") {
		for _, s := range strings.Split(*sizes, ",") {
			n, _ := strconv.Atoi(s)
			mux := http.NewServeMux()
			for i := 0; i < n; i++ {
				mux.Handle(pattern(kind, i), noop)
			}
			distinct := n
			if distinct > 1024 {
				distinct = 1024
			}
			reqs := make([]*http.Request, distinct)
			for q := range reqs {
				reqs[q] = request(kind, int(int64(q)*7919%int64(n)))
			}
			matched := 0
			for _, r := range reqs {
				if _, p := mux.Handler(r); p != "" {
					matched++
				}
			}
			res := testing.Benchmark(func(b *testing.B) {
				q := 0
				for i := 0; i < b.N; i++ {
					h, p := mux.Handler(reqs[q])
					_, _ = h, p
					q++
					if q == len(reqs) {
						q = 0
					}
				}
			})
			fmt.Printf("%s %d %.1f %d/%d\n", kind, n, float64(res.T.Nanoseconds())/float64(res.N), matched, distinct)
		}
	}
}
