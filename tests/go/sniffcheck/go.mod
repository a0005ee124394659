module ringhttp/tests/go/sniffcheck

go 1.23
