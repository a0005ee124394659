module ringhttp/tests/go/fileserver

go 1.23
