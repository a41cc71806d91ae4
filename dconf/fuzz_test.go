package dconf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics and that every tree it returns
// has positions that lie inside the source and agree with each other.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{
		"../testdata/cluster-conf/*.conf",
		"../testdata/cluster-conf/bad/*.conf",
		"../testdata/dconf/*.conf",
	} {
		names, _ := filepath.Glob(pattern)
		for _, name := range names {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	for _, c := range parseCases {
		f.Add([]byte(c.src))
	}
	for _, c := range errorCases {
		f.Add([]byte(c.src))
	}

	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.conf", src)
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error is %T %v, want a non-empty ErrorList", err, err)
			}
			for _, e := range list {
				checkPos(t, src, e.Pos)
			}
			return
		}
		checkTree(t, file)
	})
}

// checkTree fails t when a node of f has a position outside the source, ends
// before it starts, lies outside its parent, or has a line and column that do
// not match its offset.
func checkTree(t *testing.T, f *File) {
	t.Helper()
	src := f.Src
	checkSpan := func(what string, n Node, parent Node) {
		t.Helper()
		checkPos(t, src, n.Pos())
		checkPos(t, src, n.End())
		if n.Pos().Offset > n.End().Offset {
			t.Fatalf("%s: starts at %d after its end %d", what, n.Pos().Offset, n.End().Offset)
		}
		if parent != nil && (n.Pos().Offset < parent.Pos().Offset || n.End().Offset > parent.End().Offset) {
			t.Fatalf("%s: span %d-%d outside its parent %d-%d", what, n.Pos().Offset, n.End().Offset, parent.Pos().Offset, parent.End().Offset)
		}
	}
	var visit func(v Value, parent Node)
	visit = func(v Value, parent Node) {
		checkSpan(v.Kind().String(), v, parent)
		text := string(src[v.Pos().Offset:v.End().Offset])
		switch n := v.(type) {
		case *Map:
			for _, e := range n.Entries {
				checkSpan("key", e.Key, n)
				if e.Key.Style == Bare && e.Key.Name != string(src[e.Key.Pos().Offset:e.Key.End().Offset]) {
					t.Fatalf("bare key %q does not match its source", e.Key.Name)
				}
				if e.Key.End().Offset > e.Value.Pos().Offset {
					t.Fatalf("key %q ends after its value starts", e.Key.Name)
				}
				visit(e.Value, n)
			}
		case *Array:
			for _, el := range n.Elems {
				visit(el, n)
			}
		case *String:
			if n.Style == Bare && n.Value != text {
				t.Fatalf("bare string %q does not match its source %q", n.Value, text)
			}
		case *Int:
			if n.Raw != text {
				t.Fatalf("integer raw %q does not match its source %q", n.Raw, text)
			}
		case *Float:
			if n.Raw != text {
				t.Fatalf("float raw %q does not match its source %q", n.Raw, text)
			}
		case *Bool:
			if n.Raw != text {
				t.Fatalf("boolean raw %q does not match its source %q", n.Raw, text)
			}
		case *DateTime:
			if n.Raw != text {
				t.Fatalf("date-time raw %q does not match its source %q", n.Raw, text)
			}
		}
	}
	visit(f.Root, nil)
	last := -1
	for _, c := range f.Comments {
		checkSpan("comment", c, f.Root)
		if c.Pos().Offset <= last {
			t.Fatalf("comments out of order at %d", c.Pos().Offset)
		}
		last = c.Pos().Offset
		if c.Text != string(src[c.Pos().Offset:c.End().Offset]) || c.Text[0] != '#' {
			t.Fatalf("comment %q does not match its source", c.Text)
		}
	}
}

// checkPos fails t unless p lies in src and its line and column agree with
// its offset, computed here independently of the parser.
func checkPos(t *testing.T, src []byte, p Pos) {
	t.Helper()
	if p.Offset < 0 || p.Offset > len(src) {
		t.Fatalf("offset %d outside the source (length %d)", p.Offset, len(src))
	}
	line := 1 + bytes.Count(src[:p.Offset], []byte{'\n'})
	col := p.Offset - (bytes.LastIndexByte(src[:p.Offset], '\n') + 1) + 1
	if p.Line != line || p.Column != col {
		t.Fatalf("offset %d is at %d:%d, the position says %d:%d", p.Offset, line, col, p.Line, p.Column)
	}
}
