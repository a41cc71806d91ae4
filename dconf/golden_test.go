package dconf

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confc/confc/internal/golden"
)

// TestGolden parses each testdata/dconf/NAME.conf and compares a listing of
// every node, its position and its value (or the parse error) with
// NAME.out. Run with CONFC_UPDATE_GOLDEN=1 to rewrite the .out files, then
// review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../testdata/dconf/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, name := range files {
		got := listing(filepath.Base(name), readFile(t, name))
		golden.Check(t, strings.TrimSuffix(name, ".conf")+".out", []byte(got))
	}
}

// listing describes the parse of src one node per line: path, kind, span
// and, for scalars, the value; then the comments. A failed parse lists the
// errors instead.
func listing(name string, src []byte) string {
	f, err := Parse(name, src)
	if err != nil {
		var b strings.Builder
		for _, e := range err.(ErrorList) {
			fmt.Fprintf(&b, "error %s\n", e)
			for _, r := range e.Related {
				fmt.Fprintf(&b, "  related %s\n", r)
			}
		}
		return b.String()
	}
	var b strings.Builder
	at := func(n Node) string {
		s, e := n.Pos(), n.End()
		return fmt.Sprintf("%d:%d-%d:%d [%d,%d)", s.Line, s.Column, e.Line, e.Column, s.Offset, e.Offset)
	}
	Walk(f.Root, func(p Path, v Value) bool {
		path := p.String()
		if path == "" {
			path = "."
		}
		if k := LookupKey(f.Root, p); k != nil {
			fmt.Fprintf(&b, "%s key %s\n", path, at(k.Key))
		}
		fmt.Fprintf(&b, "%s %s %s", path, v.Kind(), at(v))
		switch v.(type) {
		case *Map, *Array:
		default:
			b.WriteString(" " + dump(v))
		}
		b.WriteByte('\n')
		return true
	})
	for _, c := range f.Comments {
		fmt.Fprintf(&b, "comment %s %q\n", at(c), c.Text)
	}
	return b.String()
}
