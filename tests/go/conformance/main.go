// Command conformance is the reference server for ringhttp's differential
// test (tests/wire/differential.py): Go's net/http, standard library only,
// serving a fixed route table that the C++ test server mirrors.
//
// Usage:
//
//	conformance [--addr HOST:PORT] [--routes seed|modern]
//
// It prints nothing on stdout; errors and net/http's own log go to stderr.
// SIGTERM or SIGINT stops it: the listener closes and the process exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	routes := flag.String("routes", "seed", "route table: seed or modern")
	flag.Parse()

	mux := http.NewServeMux()
	switch *routes {
	case "seed":
		seedRoutes(mux)
	case "modern":
		modernRoutes(mux)
	default:
		fmt.Fprintf(os.Stderr, "conformance: unknown --routes %q (want seed or modern)\n", *routes)
		os.Exit(2)
	}

	srv := &http.Server{
		Addr:     *addr,
		Handler:  mux,
		ErrorLog: log.New(os.Stderr, "conformance: ", log.LstdFlags),
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		<-sigs
		// Close rather than Shutdown: a test harness wants the process gone
		// now, and a connection parked in keep-alive must not delay it.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
		close(done)
	}()

	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
		os.Exit(1)
	}
	<-done
}

// seedRoutes registers the seed route table: Go 1.21-compatible patterns
// (no methods, no wildcards) plus the echo and framing probes.
func seedRoutes(mux *http.ServeMux) {
	text := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, s) }
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Hello world!") })
	mux.HandleFunc("/user/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Hello thinkerou!") })
	mux.HandleFunc("/images/", text("images\n"))
	mux.HandleFunc("/images/thumbnails/", text("thumbnails\n"))
	mux.HandleFunc("/exact", text("exact\n"))
	mux.HandleFunc("example.com/", text("host example.com\n"))
	mux.HandleFunc("example.com/user/", text("host example.com user\n"))

	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "body: "+err.Error(), http.StatusBadRequest)
			return
		}
		h := w.Header()
		h.Set("X-Method", r.Method)
		h.Set("X-Path", r.URL.Path)
		h.Set("X-Raw-Query", r.URL.RawQuery)
		h.Set("X-Host", r.Host)
		h.Set("X-Content-Length", strconv.FormatInt(r.ContentLength, 10))
		h.Set("X-Proto", r.Proto)
		h.Set("X-Header-Foo", strings.Join(r.Header.Values("Foo"), ","))
		w.Write(body)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("a", 10000)))
	})
	mux.HandleFunc("/sized", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5")
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/user/", http.StatusFound)
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "teapot", http.StatusTeapot)
	})
	mux.HandleFunc("/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("boom")
	})
	mux.HandleFunc("/flush", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	})
	mux.HandleFunc("/ignore-body", text("ignored\n"))
	mux.HandleFunc("/html", text("<!DOCTYPE html><html><body>hi</body></html>"))
	mux.Handle("/strip/", http.StripPrefix("/strip", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "stripped:"+r.URL.Path)
	})))
}

// modernRoutes registers the Go 1.22 pattern table: methods, wildcards,
// {$}, host patterns. There is no catch-all, so 404 and 405 are reachable.
// Every handler reports the pattern that matched in X-Pattern.
func modernRoutes(mux *http.ServeMux) {
	handle := func(pattern string, body func(r *http.Request) string) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Pattern", r.Pattern)
			io.WriteString(w, body(r))
		})
	}
	fixed := func(s string) func(*http.Request) string {
		return func(*http.Request) string { return s }
	}
	handle("GET /items/{id}", func(r *http.Request) string { return "item " + r.PathValue("id") })
	handle("POST /items/{id}", func(r *http.Request) string { return "post item " + r.PathValue("id") })
	handle("GET /items/new", fixed("new item"))
	handle("/items/{id}/edit", func(r *http.Request) string { return "edit " + r.PathValue("id") })
	handle("GET /files/{path...}", func(r *http.Request) string { return "file [" + r.PathValue("path") + "]" })
	handle("GET /exact/{$}", fixed("exact root"))
	handle("/tree/", fixed("tree"))
	handle("GET /gtree/", fixed("gtree"))
	handle("GET /b/{bucket}/o/{obj...}", func(r *http.Request) string {
		return "bucket " + r.PathValue("bucket") + " obj " + r.PathValue("obj")
	})
	handle("api.example/items/{id}", func(r *http.Request) string { return "host item " + r.PathValue("id") })
	handle("HEAD /head-only", fixed(""))
	handle("GET /getdel", fixed("getdel"))
	handle("DELETE /getdel", fixed("getdel"))
	handle("GET /{$}", fixed("root"))
}
