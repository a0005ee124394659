module ringhttp/bench/go_waiting

go 1.23
