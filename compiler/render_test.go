package compiler

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confc/confc/internal/golden"
	"github.com/confc/confc/internal/testgen"
)

const goldenDir = "../testdata/golden/plan"

// normalise replaces what changes with every schema edit, so golden files
// only change when the plan does.
func normalise(p *Plan) *Plan {
	q := *p
	q.Fingerprint = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	q.Input.SchemaVersion = "SCHEMA"
	q.Input.ConfcVersion = "dev"
	return &q
}

// TestGolden compares every rendering of each valid example with its
// golden file; CONFC_UPDATE_GOLDEN=1 rewrites them.
func TestGolden(t *testing.T) {
	ext := map[Format]string{FormatText: ".txt", FormatJSON: ".json", FormatMarkdown: ".md"}
	for _, name := range validConfs(t) {
		p := normalise(compileSource(t, name, readConf(t, name)))
		for f, out := range renderAll(t, p) {
			path := filepath.Join(goldenDir, strings.TrimSuffix(name, ".conf")+ext[f])
			golden.Check(t, path, []byte(out))
		}
	}
}

func TestTextRendering(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	var b bytes.Buffer
	if err := RenderText(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	v, c := p.Counts()
	wantSummary := fmt.Sprintf("Plan: %d steps: %d vault, %d consul\n", len(p.Steps), v, c)
	if !strings.HasSuffix(out, wantSummary) {
		t.Errorf("text does not end with %q:\n%s", wantSummary, out)
	}
	if v+c != len(p.Steps) || c == 0 || v == 0 {
		t.Errorf("counts %d vault + %d consul for %d steps", v, c, len(p.Steps))
	}
	if !strings.Contains(out, "not checked against servers") {
		t.Error("offline plan does not say it was not checked against servers")
	}
	for _, s := range p.Steps {
		if !strings.Contains(out, "  + "+s.ID+" ") {
			t.Errorf("no line for step %s", s.ID)
		}
	}
}

func TestRenderingWithStatuses(t *testing.T) {
	p := compileSource(t, "minimal.conf", readConf(t, "minimal.conf"))
	p.Refreshed = true
	for i, s := range p.Steps {
		switch i % 3 {
		case 0:
			s.Status = StatusNoop
		case 1:
			s.Status = StatusUpdate
		default:
			s.Status = StatusCreate
		}
	}
	p.Steps[0].Status = StatusUnknown
	var b bytes.Buffer
	if err := RenderText(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"  ? " + p.Steps[0].ID,
		"  ~ " + p.Steps[1].ID,
		"  + " + p.Steps[2].ID,
		"  = " + p.Steps[3].ID,
		"checked against servers",
		", 1 unknown\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if !p.HasChanges() {
		t.Error("HasChanges = false with updates present")
	}
	for _, s := range p.Steps {
		s.Status = StatusNoop
	}
	if p.HasChanges() {
		t.Error("HasChanges = true when every step is a no-op")
	}
}

func TestMarkdownRendering(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details> blocks")
	}
	if strings.Contains(out, "was cut") {
		t.Error("production plan was cut")
	}
	for _, want := range []string{"| **Total** | **" + fmt.Sprint(len(p.Steps)) + "** |", "```hcl", "**Plan:**"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

func TestMarkdownIsCapped(t *testing.T) {
	p := compileSource(t, "large.conf", testgen.Cluster(10000))
	var b bytes.Buffer
	if err := RenderMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > MarkdownLimit {
		t.Fatalf("markdown is %d bytes, over %d", len(out), MarkdownLimit)
	}
	if !strings.Contains(out, "was cut to stay under") {
		t.Error("a cut rendering does not say so")
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Error("unbalanced <details> blocks in a cut rendering")
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "for all of it.") {
		t.Errorf("the note is not at the end:\n%s", out[len(out)-300:])
	}
}

func TestCodeFence(t *testing.T) {
	tests := []struct{ text, want string }{
		{"plain", "```"},
		{"a ``` b", "````"},
		{"`````", "``````"},
	}
	for _, tt := range tests {
		if got := codeFence(tt.text); got != tt.want {
			t.Errorf("codeFence(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	p := compileSource(t, "minimal.conf", readConf(t, "minimal.conf"))
	if err := Render(&bytes.Buffer{}, p, "yaml"); err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Fatalf("err = %v", err)
	}
}
