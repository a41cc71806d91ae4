package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"unicode/utf8"
)

// longLine is a one-line cluster.conf with n unknown components, each a
// finding, on a line far wider than SnippetWidth.
func longLine(n int) string {
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(names, "\n") + ", components: {")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "bogus%d: 1", i)
	}
	b.WriteString("}\n")
	return b.String()
}

func writeText(t *testing.T, rs ...*Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, rs, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSnippetWindowOnLongLine(t *testing.T) {
	src := longLine(60)
	r := Source("long.conf", []byte(src))
	if len(r.Diagnostics) != 60 {
		t.Fatalf("got %d findings, want 60", len(r.Diagnostics))
	}
	out := writeText(t, r)
	lines := strings.Split(out, "\n")
	checked := 0
	for i, l := range lines {
		if !strings.HasPrefix(l, "   1 | ") {
			continue
		}
		shown := strings.TrimPrefix(l, "   1 | ")
		caret := strings.TrimPrefix(lines[i+1], "     | ")
		// The window plus an ellipsis at each cut end.
		if n := utf8.RuneCountInString(shown); n > SnippetWidth+2 {
			t.Fatalf("snippet is %d columns wide: %q", n, shown)
		}
		if n := utf8.RuneCountInString(caret); n > SnippetWidth+2 {
			t.Fatalf("caret line is %d columns wide", n)
		}
		// The caret sits under the component it reports.
		at := utf8.RuneCountInString(caret[:strings.Index(caret, "^")])
		under := string([]rune(shown)[at:])
		if !strings.HasPrefix(under, "bogus") {
			t.Errorf("caret points at %.20q", under)
		}
		if !strings.HasSuffix(shown, ellipsis) && !strings.HasSuffix(shown, "}") {
			t.Errorf("a cut line does not end with %q: %q", ellipsis, shown)
		}
		checked++
	}
	if checked != 60 {
		t.Errorf("%d snippets, want 60", checked)
	}
	// The whole output is bounded by the number of findings, not by their
	// product with the line length.
	if max := 60 * 700; len(out) > max {
		t.Errorf("output is %d bytes for 60 findings, want at most %d", len(out), max)
	}
}

func TestSnippetShortLineIsWhole(t *testing.T) {
	out := writeText(t, Source("t.conf", []byte(edit(t, "  vault: 3\n", "  vault: 1\n")+names)))
	if strings.Contains(out, ellipsis) {
		t.Errorf("short line was cut:\n%s", out)
	}
}

func TestSnippetsStopAfterMax(t *testing.T) {
	r := Source("long.conf", []byte(longLine(MaxSnippets+5)))
	out := writeText(t, r)
	if got := strings.Count(out, "\n   1 | "); got != MaxSnippets {
		t.Errorf("%d snippets, want %d", got, MaxSnippets)
	}
	if got := strings.Count(out, "[unknown-component]"); got != MaxSnippets+5 {
		t.Errorf("%d findings listed, want %d", got, MaxSnippets+5)
	}
	note := fmt.Sprintf("note: long.conf has %d findings; the 5 after the first %d are listed without source lines", MaxSnippets+5, MaxSnippets)
	if !strings.Contains(out, note) {
		t.Errorf("no note %q in output", note)
	}
}

func TestSummaryCountsLintedFiles(t *testing.T) {
	clean := base + names
	bad := edit(t, "  kv-store: 3\n", "  kv-store: 2\n") + names
	out := writeText(t, Source("a.conf", []byte(clean)), Source("b.conf", []byte(bad)), Source("c.conf", []byte(clean)))
	if want := "in 3 files (1 with findings)\n"; !strings.HasSuffix(out, want) {
		t.Errorf("summary does not end with %q:\n%s", want, out)
	}
	if out := writeText(t, Source("a.conf", []byte(clean)), Source("c.conf", []byte(clean))); out != "" {
		t.Errorf("clean run printed %q", out)
	}
	out = writeText(t, Source("b.conf", []byte(bad)))
	if !strings.HasSuffix(out, " in 1 file\n") {
		t.Errorf("one file with findings: %q", out)
	}
}

func TestCaretInsideMaskedText(t *testing.T) {
	// The file does not parse, so everything after the secret key is
	// masked to the end of the line; the error lies inside that text.
	src := names + "x: {\n  auditlog_database_password: \"canary-mask-55\" 4 more\n}\n"
	r := Source("t.conf", []byte(src))
	if !r.ParseFailed() {
		t.Fatal("input parses")
	}
	out := writeText(t, r)
	if strings.Contains(out, "canary-mask-55") {
		t.Fatalf("secret shown:\n%s", out)
	}
	d := r.Diagnostics[0]
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf("%4d | ", d.Start.Line)) {
			continue
		}
		caret := strings.TrimPrefix(lines[i+1], "     | ")
		if at := strings.Index(caret, "^"); at != d.Start.Column-1 {
			t.Errorf("caret at column %d, want %d:\n%s\n%s", at+1, d.Start.Column, l, lines[i+1])
		}
		if !strings.HasSuffix(caret, "^ (masked)") {
			t.Errorf("caret line does not say it is masked: %q", caret)
		}
		return
	}
	t.Fatalf("no snippet:\n%s", out)
}

func TestReadErrorInEveryFormat(t *testing.T) {
	err := &fs.PathError{Op: "open", Path: "nope.conf", Err: fs.ErrNotExist}
	r := ReadError("nope.conf", err)
	if !r.ParseFailed() || !r.HasErrors() {
		t.Fatal("a read error is not a failure")
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	var got []JSONDiagnostic
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Rule != RuleReadError || got[0].Severity != "error" || got[0].Line != 1 || got[0].File != "nope.conf" {
		t.Errorf("json: %+v", got)
	}

	var sb bytes.Buffer
	if err := WriteSARIF(&sb, []*Result{r}, "v1"); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&sb)
	dec.DisallowUnknownFields()
	var log sarifLogSpec
	if err := dec.Decode(&log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != 1 || run.Results[0].RuleID != RuleReadError || run.Results[0].Level != "error" {
		t.Errorf("sarif results: %+v", run.Results)
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful {
		t.Fatalf("sarif invocations: %+v", run.Invocations)
	}
	n := run.Invocations[0].ToolExecutionNotifications
	if len(n) != 1 || n[0].Level != "error" || n[0].Descriptor.ID != RuleReadError || !strings.Contains(n[0].Message.Text, "nope.conf") ||
		len(n[0].Locations) != 1 || n[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "nope.conf" {
		t.Errorf("notification: %+v", n)
	}

	var gh bytes.Buffer
	if err := WriteGitHub(&gh, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gh.String(), "::error file=nope.conf,line=1") || !strings.Contains(gh.String(), "title=read-error") {
		t.Errorf("github: %q", gh.String())
	}

	text := writeText(t, r)
	if !strings.HasPrefix(text, "nope.conf:1:1: error: cannot read the file: file does not exist [read-error]\n") {
		t.Errorf("text: %q", text)
	}
	if !errors.Is(r.ReadError, fs.ErrNotExist) {
		t.Errorf("ReadError %v", r.ReadError)
	}
}

func TestSARIFSuccessfulWithoutReadErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSARIF(&b, []*Result{Source("t.conf", []byte("x: {"))}, "v1"); err != nil {
		t.Fatal(err)
	}
	var log sarifLogSpec
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations
	if len(inv) != 1 || !inv[0].ExecutionSuccessful || len(inv[0].ToolExecutionNotifications) != 0 {
		t.Errorf("a parse error is a finding, not a failed run: %+v", inv)
	}
}
