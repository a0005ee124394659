module ringhttp/tests/mux/gocheck

go 1.23
