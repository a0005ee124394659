// The Go side of bench/waiting_bench.py: the same handlers as
// bench/waiting_server.cpp. /sleep parks the goroutine (time.Sleep);
// /blocking makes a 200 ms blocking system call (nanosleep), for which Go's
// runtime hands the P to another thread, as it would for a blocking C call.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Hello world!") })
	http.HandleFunc("/sleep", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond)
		fmt.Fprintln(w, "slept")
	})
	http.HandleFunc("/blocking", func(w http.ResponseWriter, r *http.Request) {
		ts := syscall.NsecToTimespec(int64(200 * time.Millisecond))
		syscall.Nanosleep(&ts, nil)
		fmt.Fprintln(w, "blocked")
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
