// Command fileserver is the Go 1.23 twin of tests/ext/files/files_server.cpp:
// http.FileServer(http.Dir(root)) plus the ServeContent and ServeFile
// routes the differential test (tests/ext/files/files_differential.py)
// sends the same requests to.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// content is what the /_content/ routes serve; the C++ twin has the same bytes.
const content = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" +
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n"

var modtime = time.Date(2024, time.January, 2, 3, 4, 5, 0, time.UTC)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	root := flag.String("root", ".", "directory to serve")
	flag.Parse()

	files := http.FileServer(http.Dir(*root))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/_content/etag":
			w.Header().Set("Etag", `"v1"`)
			http.ServeContent(w, r, "doc.txt", modtime, strings.NewReader(content))
		case r.URL.Path == "/_content/sniff":
			http.ServeContent(w, r, "", modtime, strings.NewReader("<html><body>hi</body></html>"))
		case r.URL.Path == "/_content/zero":
			http.ServeContent(w, r, "doc.txt", time.Time{}, strings.NewReader(content))
		case r.URL.Path == "/_content/typed":
			w.Header().Set("Content-Type", "application/x-custom")
			http.ServeContent(w, r, "doc.txt", modtime, strings.NewReader(content))
		case strings.HasPrefix(r.URL.Path, "/_servefile/"):
			http.ServeFile(w, r, filepath.Join(*root, "hello.txt"))
		case strings.HasPrefix(r.URL.Path, "/_servedir/"):
			http.ServeFile(w, r, filepath.Join(*root, "sub"))
		default:
			files.ServeHTTP(w, r)
		}
	})

	srv := &http.Server{Addr: *addr, Handler: handler, ErrorLog: log.New(os.Stderr, "fileserver: ", log.LstdFlags)}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		<-sigs
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
		close(done)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "fileserver: %v\n", err)
		os.Exit(1)
	}
	<-done
}
