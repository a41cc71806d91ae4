package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confc/confc/internal/testgen"
)

// TestExampleFiles checks that each example produces exactly the findings
// its name promises, and nothing else.
func TestExampleFiles(t *testing.T) {
	for _, c := range []struct {
		file string
		want []string // "line:col severity rule"; nil means clean
		alt  []string // an accepted alternative, for the syntax error column
	}{
		{file: "minimal.conf"},
		{file: "production.conf"},
		{file: "bad/even-kv-store.conf", want: []string{"45:23 error kv-store-odd"}},
		{file: "bad/no-secret-store.conf", want: []string{"42:5 error secret-store-required"}},
		{file: "bad/plaintext-secret.conf", want: []string{"70:28 error plaintext-secret"}},
		{file: "bad/unclosed-array.conf", want: []string{"28:20 error syntax"}, alt: []string{"28:19 error syntax"}},
		{file: "bad/unknown-component.conf", want: []string{"36:16 error unknown-component"}},
		{file: "bad/unrendered-erb.conf", want: []string{"9:5 error syntax"}},
		{file: "bad/vault-off-central.conf", want: []string{"27:42 error secret-store-placement"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			r, err := Path(filepath.Join("..", "testdata", "cluster-conf", c.file))
			if err != nil {
				t.Fatal(err)
			}
			got := brief(r.Diagnostics)
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) && (c.alt == nil || !slices.Equal(got, c.alt)) {
				t.Errorf("got %v, want %v", got, want)
			}
			if c.want == nil && r.Count(Error) > 0 {
				t.Errorf("valid example has errors: %v", r.Diagnostics)
			}
			wantFail := len(want) > 0 && want[0][len(want[0])-len("syntax"):] == "syntax"
			if wantFail != r.ParseFailed() {
				t.Errorf("ParseFailed = %v, want %v", r.ParseFailed(), wantFail)
			}
		})
	}
}

// TestExampleHints checks the hint and messages the expected results
// promise.
func TestExampleHints(t *testing.T) {
	r, err := Path("../testdata/cluster-conf/bad/unknown-component.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Diagnostics) != 1 || !containsQuoted(r.Diagnostics[0].Hint, "router") {
		t.Errorf("want one finding suggesting router, got %v", r.Diagnostics)
	}
	r, err = Path("../testdata/cluster-conf/bad/unrendered-erb.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !r.ParseFailed() || len(r.Diagnostics) != 1 || !containsAll(r.Diagnostics[0].Message, "erb", "render") {
		t.Errorf("want one syntax error asking to render the template, got %v", r.Diagnostics)
	}
}

func containsQuoted(s, word string) bool { return slices.Contains(quotedWords(s), word) }

func containsAll(s string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(strings.ToLower(s), w) {
			return false
		}
	}
	return true
}

func BenchmarkLintProduction(b *testing.B) {
	src, err := os.ReadFile("../testdata/cluster-conf/production.conf")
	if err != nil {
		b.Fatal(err)
	}
	Source("production.conf", src) // compile the schema outside the timing
	b.ReportAllocs()
	for b.Loop() {
		Source("production.conf", src)
	}
}

func BenchmarkLintLarge(b *testing.B) {
	src := testgen.Cluster(10000)
	if r := Source("large.conf", src); len(r.Diagnostics) != 0 {
		b.Fatalf("generated file has findings: %v", r.Diagnostics[:min(3, len(r.Diagnostics))])
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Source("large.conf", src)
	}
}
