// Command sniffcheck prints Go's answers for content-type sniffing so that
// ringhttp's engine/sniff.cpp can be checked against net/http byte for byte.
// It is a development tool: the C++ test suite does not run it.
//
// Modes (every input and output is one hex-encoded byte string a line):
//
//	sniffcheck < inputs.hex           Go's DetectContentType for each input
//	sniffcheck -gen N [-seed S]       N inputs mutated from the signature set
//	sniffcheck -gotable sniff_test.go Go's own test table, as "hex<TAB>want"
//
// check.sh drives all three against the C++ side (cpp/cpp_sniff.cpp).
package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"math/rand"
	"net/http"
	"os"
	"strconv"
)

func main() {
	gen := flag.Int("gen", 0, "print this many generated inputs instead of sniffing")
	seed := flag.Int64("seed", 1, "random seed for -gen")
	gotable := flag.String("gotable", "", "print the sniffTests table of this Go test file")
	flag.Parse()

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()

	switch {
	case *gotable != "":
		printGoTable(out, *gotable)
	case *gen > 0:
		r := rand.New(rand.NewSource(*seed))
		for i := 0; i < *gen; i++ {
			fmt.Fprintln(out, hex.EncodeToString(mutate(r)))
		}
	default:
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 1<<20)
		for in.Scan() {
			data, err := hex.DecodeString(in.Text())
			if err != nil {
				log.Fatalf("bad hex input %q: %v", in.Text(), err)
			}
			fmt.Fprintln(out, http.DetectContentType(data))
		}
		if err := in.Err(); err != nil {
			log.Fatal(err)
		}
	}
}

// printGoTable parses the Go test file and prints the data and expected type
// of every row of its sniffTests table, so the C++ table can be shown to hold
// the same inputs without copying them by hand.
func printGoTable(out *bufio.Writer, path string) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "sniffTests" {
			return true
		}
		for _, elt := range vs.Values[0].(*ast.CompositeLit).Elts {
			row := elt.(*ast.CompositeLit).Elts
			fmt.Fprintf(out, "%s\t%s\t%s\n", hex.EncodeToString(byteSlice(row[1])), str(row[2]), str(row[0]))
		}
		return false
	})
}

// byteSlice evaluates the two forms the table uses: []byte("...") and []byte{1, 2}.
func byteSlice(e ast.Expr) []byte {
	switch e := e.(type) {
	case *ast.CallExpr:
		return []byte(str(e.Args[0]))
	case *ast.CompositeLit:
		b := []byte{}
		for _, x := range e.Elts {
			v, err := strconv.ParseUint(x.(*ast.BasicLit).Value, 0, 8)
			if err != nil {
				log.Fatal(err)
			}
			b = append(b, byte(v))
		}
		return b
	}
	log.Fatalf("unexpected table expression %T", e)
	return nil
}

func str(e ast.Expr) string {
	s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// seeds are the starts of every signature the sniffer knows, plus near
// misses and plain text, for mutate to build on.
var seeds = []string{
	"", "plain text", "{\"json\": true}", "  \r\n\t\f", "\x0b<html>",
	"<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV",
	"<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P",
	"<!--", "<?xml", "<?XML", "<", "<!", "<!DOCTYPE",
	"%PDF-", "%!PS-Adobe-", "%PDF", "%!PS",
	"\xFE\xFF\x00\x00", "\xFF\xFE\x00\x00", "\xEF\xBB\xBF\x00", "\xFE\xFF", "\xFF\xFE", "\xEF\xBB\xBF",
	"\x00\x00\x01\x00", "\x00\x00\x02\x00", "BM", "GIF87a", "GIF89a", "GIF8",
	"RIFF\x00\x00\x00\x00WEBPVP", "RIFF\x10\x00\x00\x00WEBPVP8 ", "\x89PNG\x0D\x0A\x1A\x0A", "\xFF\xD8\xFF",
	"FORM\x00\x00\x00\x00AIFF", "ID3", "OggS\x00", "MThd\x00\x00\x00\x06",
	"RIFF\x00\x00\x00\x00AVI ", "RIFF\x00\x00\x00\x00WAVE", "\x1A\x45\xDF\xA3",
	"\x00\x01\x00\x00", "OTTO", "ttcf", "wOFF", "wOF2",
	"\x1F\x8B\x08", "PK\x03\x04", "Rar!\x1A\x07\x00", "Rar!\x1A\x07\x01\x00", "\x00\x61\x73\x6D",
	"\xFF\xFB\x90\x00", "\xFF\xF3", // bare MPEG audio frames: Go does not sniff them
}

const (
	textBytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 <>!-?%/=\"'\t\n\r\f\x1b\x7f\xc3\xa9"
	wsBytes   = " \t\n\r\f\v"
)

func mutate(r *rand.Rand) []byte {
	var b []byte
	switch r.Intn(10) {
	case 0:
		b = mp4Box(r)
	case 1:
		b = make([]byte, 34+r.Intn(4))
		r.Read(b)
		b = append(b, "LP"[:r.Intn(3)]...)
	default:
		b = []byte(seeds[r.Intn(len(seeds))])
	}
	if r.Intn(4) == 0 { // leading whitespace
		n := r.Intn(6)
		if r.Intn(20) == 0 {
			n = 505 + r.Intn(10)
		}
		ws := make([]byte, n)
		for i := range ws {
			ws[i] = wsBytes[r.Intn(len(wsBytes))]
		}
		b = append(ws, b...)
	}
	if r.Intn(3) == 0 { // flip the case of letters
		for i := range b {
			if r.Intn(3) == 0 && (b[i]|0x20) >= 'a' && (b[i]|0x20) <= 'z' {
				b[i] ^= 0x20
			}
		}
	}
	switch r.Intn(6) { // a tail: none, text, binary, terminator, or a pad to about 512
	case 1:
		for n := r.Intn(40); n > 0; n-- {
			b = append(b, textBytes[r.Intn(len(textBytes))])
		}
	case 2:
		tail := make([]byte, r.Intn(40))
		r.Read(tail)
		b = append(b, tail...)
	case 3:
		b = append(b, " >x\x00"[r.Intn(4)])
	case 4:
		for len(b) < 500+r.Intn(24) {
			b = append(b, textBytes[r.Intn(len(textBytes))])
		}
		b = append(b, byte(r.Intn(0x20)))
	}
	if len(b) > 0 && r.Intn(5) == 0 { // one random byte changed, or the data cut short
		if r.Intn(2) == 0 {
			b[r.Intn(len(b))] = byte(r.Intn(256))
		} else {
			b = b[:r.Intn(len(b))]
		}
	}
	return b
}

// mp4Box builds an ftyp box with a random size field and random brands, some
// of them "mp4x", sometimes truncated.
func mp4Box(r *rand.Rand) []byte {
	n := 3 + r.Intn(8) // brand slots after the size and type
	size := uint32(8 + 4*n)
	switch r.Intn(5) {
	case 0:
		size += uint32(1 + r.Intn(3)) // not a multiple of 4
	case 1:
		size = uint32(r.Intn(600))
	}
	b := []byte{byte(size >> 24), byte(size >> 16), byte(size >> 8), byte(size)}
	b = append(b, "ftyp"...)
	if r.Intn(8) == 0 {
		b[4+r.Intn(4)] ^= 0x20
	}
	brands := []string{"mp41", "mp42", "isom", "avc1", "M4V ", "mp4 ", "3gp4"}
	for i := 0; i < n; i++ {
		b = append(b, brands[r.Intn(len(brands))]...)
	}
	if r.Intn(4) == 0 {
		b = b[:r.Intn(len(b)+1)]
	}
	return b
}
