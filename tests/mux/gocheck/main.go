// gocheck runs tests/mux/routing_cases.txt against Go's own ServeMux, so
// that every expectation in the table is Go 1.23's behaviour, not ours.
//
//	GOTOOLCHAIN=local GOPROXY=off /usr/lib/go-1.23/bin/go run ./tests/mux/gocheck tests/mux/routing_cases.txt
package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
)

type expectation struct {
	line     int
	method   string
	target   string
	host     string
	kind     string // match, 301, 404, 405, 400
	arg      string
	route    *string
	values   [][2]string
	register string // for fail cases
	errText  string
	goErr    string
}

var registeredAt = regexp.MustCompile(` \(registered at [^)]*\)`)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gocheck routing_cases.txt")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()

	var mux *http.ServeMux
	var cur *expectation
	failures, cases := 0, 0
	flush := func() {
		if cur == nil {
			return
		}
		cases++
		if msg := check(mux, cur); msg != "" {
			failures++
			fmt.Printf("line %d: %s\n", cur.line, msg)
		}
		cur = nil
	}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		switch key {
		case "mux":
			flush()
			mux = http.NewServeMux()
		case "pattern":
			flush()
			p := rest
			if err := register(mux, p); err != "" {
				fmt.Printf("line %d: registering %q: %s\n", n, p, err)
				failures++
			}
		case "req":
			flush()
			parts := strings.Fields(rest)
			cur = &expectation{line: n, method: parts[0], target: parts[1], host: "localhost"}
			if len(parts) > 2 {
				cur.host = parts[2]
			}
		case "want":
			k, a, _ := strings.Cut(rest, " ")
			cur.kind, cur.arg = k, a
		case "route":
			r := rest
			cur.route = &r
		case "value":
			name, v, _ := strings.Cut(rest, " ")
			cur.values = append(cur.values, [2]string{name, v})
		case "fail":
			flush()
			cur = &expectation{line: n, register: rest, kind: "fail"}
		case "error":
			cur.errText = strings.ReplaceAll(rest, `\n`, "\n")
		case "goerror":
			cur.goErr = strings.ReplaceAll(rest, `\n`, "\n")
		case "gowant":
			// Go's answer where ringhttp's differs on purpose.
			k, a, _ := strings.Cut(rest, " ")
			cur.kind, cur.arg = k, a
			cur.values = nil
		case "goroute":
			r := rest
			cur.route = &r
		default:
			fmt.Printf("line %d: unknown keyword %q\n", n, key)
			failures++
		}
	}
	flush()
	fmt.Printf("%d cases, %d differ from Go %s\n", cases, failures, "1.23")
	if failures > 0 {
		os.Exit(1)
	}
}

func check(mux *http.ServeMux, e *expectation) string {
	if e.kind == "fail" {
		return checkFail(mux, e)
	}
	raw := e.method + " " + e.target + " HTTP/1.1\r\nHost: " + e.host + "\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return "ReadRequest: " + err.Error()
	}
	_, route := mux.Handler(r)
	var seen *http.Request
	w := httptest.NewRecorder()
	// Wrap to observe the request the handler saw (pattern, path values).
	http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		seen = r
	}).ServeHTTP(w, r)
	got := fmt.Sprintf("code=%d pattern=%q route=%q location=%q allow=%q", w.Code, seen.Pattern, route,
		w.Header().Get("Location"), w.Header().Get("Allow"))
	bad := func(why string) string { return fmt.Sprintf("%s %s (host %s): %s; got %s", e.method, e.target, e.host, why, got) }
	switch e.kind {
	case "match":
		if w.Code != 200 || seen.Pattern != e.arg || route != e.arg {
			return bad("want match " + e.arg)
		}
		for _, v := range e.values {
			if g := seen.PathValue(v[0]); g != v[1] {
				return bad(fmt.Sprintf("value %s = %q, want %q", v[0], g, v[1]))
			}
		}
	case "301":
		if w.Code != 301 || w.Header().Get("Location") != e.arg {
			return bad("want 301 " + e.arg)
		}
		if e.route == nil {
			return bad("a 301 case needs a route line")
		}
		if route != *e.route || seen.Pattern != *e.route {
			return bad("want route " + *e.route)
		}
	case "404":
		if w.Code != 404 || route != "" || w.Body.String() != "404 page not found\n" {
			return bad("want 404")
		}
	case "405":
		if w.Code != 405 || w.Header().Get("Allow") != e.arg || w.Body.String() != "Method Not Allowed\n" {
			return bad("want 405 " + e.arg)
		}
	case "400":
		if w.Code != 400 || w.Header().Get("Connection") != "close" {
			return bad("want 400 with Connection: close")
		}
	default:
		return "unknown expectation " + e.kind
	}
	return ""
}

func checkFail(mux *http.ServeMux, e *expectation) (msg string) {
	defer func() {
		v := recover()
		if v == nil {
			msg = fmt.Sprintf("registering %q did not panic", e.register)
			return
		}
		got := registeredAt.ReplaceAllString(fmt.Sprint(v), "")
		want := e.errText
		if e.goErr != "" {
			want = e.goErr
		}
		if got != want {
			msg = fmt.Sprintf("registering %q: panic %q, want %q", e.register, got, want)
		}
	}()
	mux.HandleFunc(e.register, func(w http.ResponseWriter, r *http.Request) {})
	return ""
}

func register(mux *http.ServeMux, p string) (err string) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Sprint(v)
		}
	}()
	mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {})
	return ""
}
