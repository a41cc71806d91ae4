package lint_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/confc/confc/internal/golden"
	"github.com/confc/confc/internal/rulesdoc"
	"github.com/confc/confc/lint"
)

//go:generate go run ../internal/rulesdoc/gendocs -dir ../docs/rules

// TestRuleDocsUpToDate fails when docs/rules differs from what the rule
// registry generates: a changed Doc text, a new rule or a removed one.
// Regenerate with "go generate ./lint" or CONFC_UPDATE_GOLDEN=1.
func TestRuleDocsUpToDate(t *testing.T) {
	dir := filepath.Join("..", lint.DocDir)
	pages := rulesdoc.Render(lint.Rules())
	if golden.Update() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range pages {
			if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, want := range pages {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v (run go generate ./lint)", err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s is out of date with the rule registry (run go generate ./lint)", name)
		}
	}
	onDisk, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range onDisk {
		if _, ok := pages[filepath.Base(p)]; !ok {
			t.Errorf("%s documents no rule in the registry (run go generate ./lint)", p)
		}
	}
}

// TestRuleDocsContent checks that each page carries its rule's own text
// and that the index links every rule, so a generator that wrote empty or
// shuffled pages would not pass.
func TestRuleDocsContent(t *testing.T) {
	pages := rulesdoc.Render(lint.Rules())
	index := string(pages[rulesdoc.IndexName])
	for _, r := range lint.Rules() {
		page := string(pages[r.ID+".md"])
		if !strings.Contains(page, "# "+r.ID+"\n") {
			t.Errorf("%s.md lacks its title", r.ID)
		}
		// Every prose line of the Doc text appears in the page.
		for _, l := range strings.Split(r.Doc, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.Contains(page, l) {
				t.Errorf("%s.md lacks the line %q", r.ID, l)
			}
		}
		if !strings.Contains(index, "]("+r.ID+".md)") {
			t.Errorf("index lacks a link to %s.md", r.ID)
		}
	}
	if n := strings.Count(index, ".md) |"); n != len(lint.Rules()) {
		t.Errorf("index has %d rule rows, want %d", n, len(lint.Rules()))
	}
	// Examples in the Doc text become code blocks.
	page := string(pages["kv-store-odd.md"])
	if !strings.Contains(page, "```\ncomponents: { kv-store: 2 }") {
		t.Errorf("kv-store-odd.md does not show its example as code:\n%s", page)
	}
}

// TestDocURL checks the link every text and SARIF finding carries.
func TestDocURL(t *testing.T) {
	if got := lint.DocURL("kv-store-odd"); got != lint.DocBaseURL+"kv-store-odd.md" {
		t.Errorf("DocURL = %q", got)
	}
	if got := lint.DocURL("made-up-by-a-policy"); got != "" {
		t.Errorf("DocURL of an unknown rule = %q, want empty", got)
	}
	if !slices.Contains(lint.RuleIDs(), "policy") {
		t.Errorf("the policy rule is not registered")
	}
}

// TestCIWorkflowMatchesDocs keeps the workflow shown in docs/ci.md and the
// file users copy, examples/github/confc.yml, identical.
func TestCIWorkflowMatchesDocs(t *testing.T) {
	doc, err := os.ReadFile("../docs/ci.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../examples/github/confc.yml")
	if err != nil {
		t.Fatal(err)
	}
	const begin = "<!-- BEGIN examples/github/confc.yml -->\n```yaml\n"
	const end = "```\n<!-- END examples/github/confc.yml -->"
	_, rest, ok := strings.Cut(string(doc), begin)
	if !ok {
		t.Fatalf("docs/ci.md lacks %q", begin)
	}
	block, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("docs/ci.md lacks %q", end)
	}
	if block != string(file) {
		t.Errorf("the workflow in docs/ci.md differs from examples/github/confc.yml")
	}
	// The workflow must use the pieces docs/ci.md promises.
	for _, want := range []string{
		"confc lint --format sarif",
		"github/codeql-action/upload-sarif",
		"confc lint --format github",
		"confc plan --format markdown",
		"security-events: write",
		"pull-requests: write",
	} {
		if !strings.Contains(block, want) {
			t.Errorf("workflow lacks %q", want)
		}
	}
}
