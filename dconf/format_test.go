package dconf

import (
	"bufio"
	"bytes"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/confc/confc/internal/golden"
)

// formatCases give an input and its exact canonical form.
var formatCases = []struct {
	what string
	src  string
	want string
}{
	{
		what: "every separator becomes a colon and one space",
		src:  "a = 1\nb 2\nc:3\nd=   x\ne {x: 1}\nf[1]\ng(\ntext\n)\n",
		want: "a: 1\nb: 2\nc: 3\nd: x\ne: { x: 1 }\nf: [ 1 ]\ng: (\ntext\n)\n",
	},
	{
		what: "entries sharing a line get a line each",
		src:  "a: 1; b: 2, c: 3\n",
		want: "a: 1\nb: 2\nc: 3\n",
	},
	{
		what: "commas and semicolons at line ends are dropped",
		src:  "m: {\n  a: 1,\n  b: [ 1, 2 ];\n  c: 3,\n},\n",
		want: "m: {\n  a: 1\n  b: [ 1, 2 ]\n  c: 3\n}\n",
	},
	{
		what: "keys and scalars keep the text they were written with",
		src:  "'k': 'raw \\n'\n\"q\": \"tab\\there \\u00e9\"\nbare: word\nf: -0.50\nz: 007\nt: 2026-12-03T17:00:00.50+01:00\n",
		want: "'k': 'raw \\n'\n\"q\": \"tab\\there \\u00e9\"\nbare: word\nf: -0.50\nz: 007\nt: 2026-12-03T17:00:00.50+01:00\n",
	},
	{
		what: "one-line maps and arrays stay on one line with canonical spacing",
		src:  "a: [1,2 ,3]\nb: {x:1,y:[ ],z:{}}\nc: [ ]\nd: {   }\n",
		want: "a: [ 1, 2, 3 ]\nb: { x: 1, y: [], z: {} }\nc: []\nd: {}\n",
	},
	{
		what: "a multi-line array keeps elements that shared a line together",
		src:  "a: [ 1, 2\n 3,\n      4 ]\n",
		want: "a: [\n  1, 2\n  3\n  4\n]\n",
	},
	{
		what: "elements that span lines get rows of their own",
		src:  "a: [ {\n  x: 1\n}, { y: 2 }, (\nblock\n),\n3 ]\n",
		want: "a: [\n  {\n    x: 1\n  }\n  { y: 2 }\n  (\nblock\n)\n  3\n]\n",
	},
	{
		what: "an empty multi-line container closes up",
		src:  "a: [\n\n]\nb: {\n}\n",
		want: "a: []\nb: {}\n",
	},
	{
		what: "an empty container keeps a comment inside",
		src:  "a: [\n    # none yet\n]\n",
		want: "a: [\n  # none yet\n]\n",
	},
	{
		what: "comments keep their place",
		src: "# head\n\n# second\na: 1   # trailing\nm: {   # after brace\n\n  # before x\n  x: 1,# tight\n\n\n  # end of map\n}  # after close\n" +
			"arr: [ # after bracket\n  1, 2 # row\n  # last\n] # done\n# tail\n",
		want: "# head\n\n# second\na: 1 # trailing\nm: { # after brace\n  # before x\n  x: 1 # tight\n\n  # end of map\n} # after close\n" +
			"arr: [ # after bracket\n  1, 2 # row\n  # last\n] # done\n# tail\n",
	},
	{
		what: "comment text is kept exactly",
		src:  "a: 1 #no space,  two  spaces, trailing blank \n#\tTab\n",
		want: "a: 1 #no space,  two  spaces, trailing blank \n#\tTab\n",
	},
	{
		what: "blank lines collapse to one and go from the start and inside brackets",
		src:  "\n\n\na: 1\n\n\n\nb: {\n\n  c: 1\n\n  d: 2\n\n}\n\n",
		want: "a: 1\n\nb: {\n  c: 1\n\n  d: 2\n}\n",
	},
	{
		what: "tabs and odd indentation become two spaces per level",
		src:  "a: {\n\tb: {\n\t\t\tc: [\n x\n\t]\n}\n  }\n",
		want: "a: {\n  b: {\n    c: [\n      x\n    ]\n  }\n}\n",
	},
	{
		what: "right-aligned keys are kept and repaired",
		src:  "components: {\n  # control plane\n  component-database: 3\n          api-server: 3 # note\n  auditlog-database: 2\n\n               vault: 3\n}\n",
		want: "components: {\n  # control plane\n  component-database: 3\n          api-server: 3 # note\n   auditlog-database: 2\n\n               vault: 3\n}\n",
	},
	{
		what: "flush-left keys stay flush left",
		src:  "m: {\n  component-database: 3\n  vault: 3\n    kv-store: 3\n}\n",
		want: "m: {\n  component-database: 3\n  vault: 3\n  kv-store: 3\n}\n",
	},
	{
		what: "aligned keys next to a map value are not aligned",
		src:  "m: {\n  long-name: 1\n      short: { a: 1 }\n        mid: 2\n}\n",
		want: "m: {\n  long-name: 1\n  short: { a: 1 }\n  mid: 2\n}\n",
	},
	{
		what: "alignment counts characters, not bytes",
		src:  "m: {\n  héhé: 1\n   abc: 2\n    ab: 3\n}\n",
		want: "m: {\n  héhé: 1\n   abc: 2\n    ab: 3\n}\n",
	},
	{
		what: "the root map can be aligned",
		src:  "   name: x\nversion: 1\n  other: 2\n",
		want: "   name: x\nversion: 1\n  other: 2\n",
	},
	{
		what: "block strings are copied byte for byte",
		src:  "s: (  first line kept\n\t  ) not the end\n#not a comment \"\\q\n) , # closes\nt: (\n\n)\n",
		want: "s: (  first line kept\n\t  ) not the end\n#not a comment \"\\q\n) # closes\nt: (\n\n)\n",
	},
	{
		what: "CRLF files stay CRLF",
		src:  "# c\r\na: 1\r\nb: (\r\nx\r\n)\r\nc: [\r\n  1,\r\n]\r\n",
		want: "# c\r\na: 1\r\nb: (\r\nx\r\n)\r\nc: [\r\n  1\r\n]\r\n",
	},
	{
		what: "line breaks inside a block string do not choose the line ends",
		src:  "\n0(\r\n)",
		want: "0: (\r\n)\n",
	},
	{
		what: "a byte-order mark is dropped",
		src:  "\uFEFFa: 1\n",
		want: "a: 1\n",
	},
	{
		what: "an empty file stays empty",
		src:  "\n\n  \n",
		want: "",
	},
	{
		what: "a file of comments keeps them",
		src:  "# one\n\n\n   # two",
		want: "# one\n\n# two\n",
	},
	{
		what: "bare words that need a separator stay apart",
		src:  "a: [x,y]\nb {c:d}\ne: :x\nf = =y\n",
		want: "a: [ x, y ]\nb: { c: d }\ne: :x\nf: =y\n",
	},
}

func TestFormat(t *testing.T) {
	for _, c := range formatCases {
		t.Run(c.what, func(t *testing.T) {
			got := checkFormat(t, "case.conf", []byte(c.src))
			if diff := cmp.Diff(c.want, string(got)); diff != "" {
				t.Errorf("Format(%q) mismatch (-want +got):\n%s", c.src, diff)
			}
		})
	}
}

func TestFormatNil(t *testing.T) {
	if got := Format(nil); len(got) != 0 {
		t.Errorf("Format(nil) = %q, want nothing", got)
	}
	if got := Format(&File{}); len(got) != 0 {
		t.Errorf("Format of a file without a root = %q, want nothing", got)
	}
}

func TestFormatSourceError(t *testing.T) {
	out, err := FormatSource("bad.conf", []byte("a: [ 1\n"))
	if out != nil {
		t.Errorf("FormatSource returned output %q for a bad file", out)
	}
	list, ok := err.(ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("error is %T %v, want an ErrorList", err, err)
	}
	if got, want := list[0].Error(), "bad.conf:1:4: "; !strings.HasPrefix(got, want) {
		t.Errorf("error %q does not start with %q", got, want)
	}
}

// TestFormatGolden formats the example files and compares the result with
// testdata/format/DIR-NAME.golden. Run with CONFC_UPDATE_GOLDEN=1 to
// rewrite them, then review the diff.
func TestFormatGolden(t *testing.T) {
	var names []string
	for _, pattern := range []string{"../testdata/cluster-conf/*.conf", "../testdata/dconf/*.conf"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	n := 0
	for _, name := range names {
		src := readFile(t, name)
		if _, err := Parse(name, src); err != nil {
			continue
		}
		n++
		got := checkFormat(t, name, src)
		path := filepath.Join("testdata", "format", filepath.Base(filepath.Dir(name))+"-"+strings.TrimSuffix(filepath.Base(name), ".conf")+".golden")
		golden.Check(t, path, got)
	}
	if n < 4 {
		t.Fatalf("only %d example files parsed; the globs look wrong", n)
	}
}

// TestFormatRoundTrip formats every Dconf file under a testdata directory
// of the module, and every input of the fuzz corpora, and checks that the
// result means the same, keeps the comments and is stable.
func TestFormatRoundTrip(t *testing.T) {
	files, corpus := 0, 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != ".." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.Contains(filepath.ToSlash(path), "/testdata/") {
			return nil
		}
		switch {
		case strings.Contains(filepath.ToSlash(path), "/testdata/fuzz/"):
			for i, src := range corpusInputs(t, path) {
				corpus++
				if _, err := Parse("fuzz.conf", src); err == nil {
					checkFormat(t, path+"#"+strconv.Itoa(i), src)
				}
			}
		case strings.HasSuffix(path, ".conf"):
			src := readFile(t, path)
			if _, err := Parse(path, src); err == nil {
				files++
				checkFormat(t, path, src)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 4 {
		t.Fatalf("only %d Dconf files under testdata parsed; the walk looks wrong", files)
	}
	t.Logf("checked %d files and %d corpus entries", files, corpus)
}

// corpusInputs reads a file of the Go fuzzing corpus format and returns
// its []byte and string arguments.
func corpusInputs(t *testing.T, path string) [][]byte {
	t.Helper()
	src := readFile(t, path)
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, prefix := range []string{"[]byte(", "string("} {
			if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, ")") {
				continue
			}
			s, err := strconv.Unquote(line[len(prefix) : len(line)-1])
			if err != nil {
				t.Fatalf("%s: bad corpus line %q: %v", path, line, err)
			}
			out = append(out, []byte(s))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// FuzzFormat formats every input that parses and checks the round trip:
// the formatted text parses to the same values and comments, and
// formatting it again changes nothing.
func FuzzFormat(f *testing.F) {
	for _, pattern := range []string{
		"../testdata/cluster-conf/*.conf",
		"../testdata/dconf/*.conf",
	} {
		names, _ := filepath.Glob(pattern)
		for _, name := range names {
			f.Add(readFile(f, name))
		}
	}
	for _, c := range parseCases {
		f.Add([]byte(c.src))
	}
	for _, c := range formatCases {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := Parse("fuzz.conf", src); err != nil {
			return
		}
		checkFormat(t, "fuzz.conf", src)
	})
}

// valuesOnly compares trees by what they mean and how each scalar and key
// was written, leaving positions out.
var valuesOnly = cmpopts.IgnoreTypes(Span{})

// checkFormat formats src, which must parse, and fails t unless the result
// parses to the same tree (positions aside) with the same comments, has no
// blank at the end of a line outside comments and block strings, and is a
// fixed point of Format. It returns the formatted text.
func checkFormat(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	f, err := Parse(name, src)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := Format(f)
	g, err := Parse(name, out)
	if err != nil {
		t.Fatalf("%s: the formatted text does not parse: %v\nsource:\n%s\nformatted:\n%s", name, err, src, out)
	}
	if diff := cmp.Diff(f.Root, g.Root, valuesOnly); diff != "" {
		t.Fatalf("%s: formatting changed the values (-before +after):\n%s\nsource:\n%s\nformatted:\n%s", name, diff, src, out)
	}
	if diff := cmp.Diff(commentTexts(f), commentTexts(g)); diff != "" {
		t.Fatalf("%s: formatting changed the comments (-before +after):\n%s\nformatted:\n%s", name, diff, out)
	}
	if again := Format(g); !bytes.Equal(again, out) {
		t.Fatalf("%s: formatting is not stable (-first +second):\n%s", name, cmp.Diff(string(out), string(again)))
	}
	checkLineEnds(t, name, g)
	return out
}

func commentTexts(f *File) []string {
	var texts []string
	for _, c := range f.Comments {
		// Format drops a stray carriage return at the end of a comment.
		texts = append(texts, strings.TrimRight(c.Text, "\r"))
	}
	return texts
}

// checkLineEnds fails t when a line of the formatted file f ends in a blank
// that belongs to neither a comment nor a block string, which are kept as
// written.
func checkLineEnds(t *testing.T, name string, f *File) {
	t.Helper()
	var kept []Span
	for _, c := range f.Comments {
		kept = append(kept, c.Span)
	}
	Walk(f.Root, func(_ Path, v Value) bool {
		if s, ok := v.(*String); ok && s.Style == Block {
			kept = append(kept, s.Span)
		}
		return true
	})
	off := 0
	for _, line := range bytes.SplitAfter(f.Src, []byte("\n")) {
		body := bytes.TrimRight(line, "\r\n")
		if n := len(body); n > 0 && (body[n-1] == ' ' || body[n-1] == '\t') {
			last := off + n - 1
			inside := false
			for _, s := range kept {
				if s.Start.Offset <= last && last < s.Stop.Offset {
					inside = true
				}
			}
			if !inside {
				t.Fatalf("%s: formatted line %q ends in a blank", name, body)
			}
		}
		off += len(line)
	}
}

func BenchmarkFormatProduction(b *testing.B) {
	benchmarkFormat(b, readFile(b, "../testdata/cluster-conf/production.conf"))
}

func BenchmarkFormatLarge(b *testing.B) {
	benchmarkFormat(b, largeConf(10000))
}

// benchmarkFormat measures Format alone, on a tree parsed once.
func benchmarkFormat(b *testing.B, src []byte) {
	f, err := Parse("bench.conf", src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if len(Format(f)) == 0 {
			b.Fatal("empty output")
		}
	}
}
