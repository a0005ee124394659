// The seed program, as the Go peer in the HTTP benchmarks.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
)

func Hello(w http.ResponseWriter, r *http.Request)     { fmt.Fprintln(w, "Hello world!") }
func HelloUser(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Hello thinkerou!") }

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	flag.Parse()
	http.HandleFunc("/", Hello)
	http.HandleFunc("/user/", HelloUser)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
