package lint

import (
	"bytes"
	"strings"
	"testing"
)

// rawControl reports the first byte of s a terminal would act on: a control
// character other than tab and line feed, or a byte that is not UTF-8.
func rawControl(s string) (int, bool) {
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f || r == 0xfffd {
			return i, true
		}
	}
	return 0, false
}

func TestTextEscapesControlCharacters(t *testing.T) {
	cases := map[string]struct{ name, src string }{
		"escape in a comment":      {"test.conf", "components: { vault: 2 } # \x1b]0;pwned\x07\x1b[2J\n"},
		"NUL in a value":           {"test.conf", "components: { vault: \"a\x00b\" }\n"},
		"invalid UTF-8 in a value": {"test.conf", "components: { vault: \"a\xffb\" }\n"},
		"lone CR":                  {"test.conf", "components: { vault: 2 }\r\x1b[2Jhidden: 1\n"},
		"newline in the file name": {"a\n::error::forged.conf", "components: { vault: 2 }\n"},
	}
	for what, c := range cases {
		t.Run(what, func(t *testing.T) {
			r := Source(c.name, []byte(c.src))
			if len(r.Diagnostics) == 0 {
				t.Fatal("no findings, so nothing is printed")
			}
			var b bytes.Buffer
			if err := WriteText(&b, []*Result{r}, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if i, bad := rawControl(b.String()); bad {
				t.Errorf("raw control byte at %d:\n%q", i, b.String())
			}
			if strings.Contains(b.String(), "\n::error") {
				t.Errorf("a line starts with a forged workflow command:\n%s", b.String())
			}
			b.Reset()
			if err := WriteGitHub(&b, []*Result{r}); err != nil {
				t.Fatal(err)
			}
			if i, bad := rawControl(b.String()); bad || strings.Count(b.String(), "\n") != len(r.Diagnostics) {
				t.Errorf("github output has raw control bytes (at %d) or extra lines:\n%q", i, b.String())
			}
		})
	}
}

func TestLineMapsColumnsAfterEscapes(t *testing.T) {
	m := NewMasker([]byte("a\x07b\xffc\td password: e\n"), nil)
	text, mapCol := m.Line(1)
	if want := "a\\x07b\\xffc\td password: ****"; text != want {
		t.Fatalf("Line(1) = %q, want %q", text, want)
	}
	for col, want := range map[int]string{1: "a", 2: `\x07`, 3: "b", 4: `\xff`, 5: "c", 7: "d", 19: "****"} {
		if got := text[mapCol(col):]; !strings.HasPrefix(got, want) {
			t.Errorf("column %d maps to %q, want the start of %q", col, got, want)
		}
	}
}

func TestSnippetCaretWithBOM(t *testing.T) {
	src := "\uFEFFcomponents: { vault: 2, kv-store: 2 }\n" + names
	r := Source("test.conf", []byte(src))
	var b bytes.Buffer
	WriteText(&b, []*Result{r}, TextOptions{})
	lines := strings.Split(b.String(), "\n")
	var snippet, caret string
	for i, l := range lines {
		if strings.HasPrefix(l, "   1 |") && i+1 < len(lines) {
			snippet, caret = l, lines[i+1]
			break
		}
	}
	if strings.Contains(snippet, "\uFEFF") {
		t.Errorf("snippet shows the byte-order mark: %q", snippet)
	}
	at := strings.Index(caret, "^")
	if at < 0 || !strings.HasPrefix(snippet[at:], "2") {
		t.Errorf("caret is not under a count:\n%s\n%s", snippet, caret)
	}
}
