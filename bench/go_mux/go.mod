module ringhttp/bench/go_mux

go 1.23
