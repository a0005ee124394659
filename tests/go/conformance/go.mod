module ringhttp/tests/go/conformance

go 1.23
