module ringhttp/bench/go_seed

go 1.23
