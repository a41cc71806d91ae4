package dconf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestParseExamples(t *testing.T) {
	files, err := filepath.Glob("../testdata/cluster-conf/*.conf")
	if err != nil || len(files) < 2 {
		t.Fatalf("example files missing: %v", err)
	}
	bad, _ := filepath.Glob("../testdata/cluster-conf/bad/*.conf")
	failing := map[string]string{
		"unclosed-array.conf": `28:20: unclosed array: "[" opened here has no matching "]" (found "}" at 29:3)`,
		"unrendered-erb.conf": `9:5: unrendered ERB tag "<%=": render the .erb template with erb before confc reads it`,
	}
	for _, name := range append(files, bad...) {
		f, err := Parse(filepath.Base(name), readFile(t, name))
		want, shouldFail := failing[filepath.Base(name)]
		switch {
		case shouldFail && err == nil:
			t.Errorf("%s: parsed, want error %s", name, want)
		case shouldFail && err.Error() != filepath.Base(name)+":"+want:
			t.Errorf("%s: error\n%v\nwant\n%s:%s", name, err, filepath.Base(name), want)
		case !shouldFail && err != nil:
			t.Errorf("%s: %v", name, err)
		case !shouldFail:
			checkTree(t, f)
			if f.Root.Get("machines") == nil || f.Root.Get("components") == nil || len(f.Comments) == 0 {
				t.Errorf("%s: machines, components or comments missing", name)
			}
		}
	}
}

func TestParseProductionValues(t *testing.T) {
	f, err := Parse("production.conf", readFile(t, "../testdata/cluster-conf/production.conf"))
	if err != nil {
		t.Fatal(err)
	}
	path := Path{{Key: "chef"}, {Key: "continuum"}, {Key: "router"}, {Key: "ssl"}, {Key: "tlshosts"}, {Index: 0, IsIndex: true}, {Key: "certificate_chain"}}
	chain, ok := Lookup(f.Root, path).(*String)
	if !ok {
		t.Fatalf("%s: not a string: %v", path, Lookup(f.Root, path))
	}
	if chain.Style != Block || !bytes.HasPrefix([]byte(chain.Value), []byte("-----BEGIN CERTIFICATE-----\n")) ||
		!bytes.HasSuffix([]byte(chain.Value), []byte("-----END CERTIFICATE-----\n")) {
		t.Errorf("certificate chain %q is not the PEM block", chain.Value)
	}
	hosts := Lookup(f.Root, Path{{Key: "machines"}, {Key: "central"}, {Key: "hosts"}})
	if got := dump(hosts); got != `["10.40.1.11", "10.40.1.12", "10.40.1.13"]` {
		t.Errorf("central hosts %s", got)
	}
	vault := Lookup(f.Root, Path{{Key: "components"}, {Key: "vault"}})
	if got := dump(vault); got != "int:3" {
		t.Errorf("components.vault %s, want int:3", got)
	}
	if p := vault.Pos(); p.Line != 51 || p.Column != 23 {
		t.Errorf("components.vault at %s, want line 51 column 23", p)
	}
}

// TestParseCRLF checks that a file with CRLF line ends gives the same values
// and the same lines and columns as the LF original.
func TestParseCRLF(t *testing.T) {
	lf := readFile(t, "../testdata/cluster-conf/production.conf")
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	a, err := Parse("lf.conf", lf)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("crlf.conf", crlf)
	if err != nil {
		t.Fatal(err)
	}
	if dump(a.Root) != dump(b.Root) {
		t.Errorf("CRLF values differ:\n%s\n%s", dump(a.Root), dump(b.Root))
	}
	sa, sb := spans(a), spans(b)
	if len(sa) != len(sb) {
		t.Fatalf("%d nodes with LF, %d with CRLF", len(sa), len(sb))
	}
	for i := range a.Comments {
		if a.Comments[i].Text != b.Comments[i].Text {
			t.Errorf("comment %q became %q", a.Comments[i].Text, b.Comments[i].Text)
		}
	}
	// Lines and columns stay the same; only offsets move.
	Walk(a.Root, func(p Path, v Value) bool {
		w := Lookup(b.Root, p)
		if w == nil || v.Pos().Line != w.Pos().Line || v.Pos().Column != w.Pos().Column {
			t.Errorf("%s: at %s with LF, %v with CRLF", p, v.Pos(), w)
		}
		return true
	})
}

func TestParseNilOnError(t *testing.T) {
	f, err := Parse("x.conf", []byte("a: [\n"))
	var list ErrorList
	if f != nil || !errors.As(err, &list) {
		t.Fatalf("got %v, %v", f, err)
	}
}
