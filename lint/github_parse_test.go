package lint

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

// workflowCommand is one GitHub Actions workflow command, parsed the way
// the runner reads it:
//
//	::LEVEL key=value,key=value::message
//
// Property values are escaped %→%25, CR→%0D, LF→%0A, :→%3A, ,→%2C; the
// message %→%25, CR→%0D, LF→%0A.
type workflowCommand struct {
	level   string
	props   map[string]string
	message string
}

var (
	unescapeProperty = strings.NewReplacer("%25", "%", "%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",").Replace
	unescapeData     = strings.NewReplacer("%25", "%", "%0D", "\r", "%0A", "\n").Replace
)

func parseWorkflowCommand(line string) (workflowCommand, error) {
	var c workflowCommand
	rest, ok := strings.CutPrefix(line, "::")
	if !ok {
		return c, fmt.Errorf("no leading \"::\" in %q", line)
	}
	head, msg, ok := strings.Cut(rest, "::")
	if !ok {
		return c, fmt.Errorf("no \"::\" before the message in %q", line)
	}
	// A raw CR or LF would end the command early on the runner.
	if strings.ContainsAny(line, "\r\n") {
		return c, fmt.Errorf("raw line break in %q", line)
	}
	level, props, _ := strings.Cut(head, " ")
	c.level, c.message, c.props = level, unescapeData(msg), map[string]string{}
	for _, kv := range strings.Split(props, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return c, fmt.Errorf("property %q has no value", kv)
		}
		if strings.ContainsAny(v, ":,") {
			return c, fmt.Errorf("property %s has an unescaped separator: %q", k, v)
		}
		c.props[k] = unescapeProperty(v)
	}
	return c, nil
}

// TestGitHubRoundTrip writes findings whose file, rule, message and hint
// hold every character GitHub needs escaped, parses the lines back and
// compares.
func TestGitHubRoundTrip(t *testing.T) {
	pos := func(line, col int) dconf.Pos { return dconf.Pos{Line: line, Column: col, Offset: 1} }
	nasty := "50% of a,b: c\r\nnext line"
	results := []*Result{{Name: "dir/a,b:c%.conf", Diagnostics: []Diagnostic{
		{Severity: Error, Rule: "vault-count", Message: nasty, Hint: "fix: 100%", File: "dir/a,b:c%.conf", Start: pos(3, 5), End: pos(3, 9)},
		{Severity: Warning, Rule: "unused-tag", Message: "plain", File: "dir/a,b:c%.conf", Start: pos(7, 1), End: pos(8, 2)},
		{Severity: Info, Rule: "x:y,z%", Message: "note", File: "dir/a,b:c%.conf", Start: pos(1, 1)},
	}}}
	var b bytes.Buffer
	if err := WriteGitHub(&b, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), b.String())
	}
	want := []workflowCommand{
		{"error", map[string]string{"file": "dir/a,b:c%.conf", "line": "3", "col": "5", "endLine": "3", "endColumn": "9", "title": "vault-count"}, nasty + "\nhint: fix: 100%"},
		{"warning", map[string]string{"file": "dir/a,b:c%.conf", "line": "7", "col": "1", "endLine": "8", "endColumn": "2", "title": "unused-tag"}, "plain"},
		{"notice", map[string]string{"file": "dir/a,b:c%.conf", "line": "1", "col": "1", "endLine": "1", "endColumn": "1", "title": "x:y,z%"}, "note"},
	}
	for i, l := range lines {
		got, err := parseWorkflowCommand(l)
		if err != nil {
			t.Errorf("line %d: %v", i+1, err)
			continue
		}
		if got.level != want[i].level || got.message != want[i].message || fmt.Sprint(got.props) != fmt.Sprint(want[i].props) {
			t.Errorf("line %d parses as\n  %+v\nwant\n  %+v", i+1, got, want[i])
		}
	}
}

// TestGitHubExamples parses the output for every example file: each line
// is a well-formed command with the documented properties and positions
// that match the diagnostic.
func TestGitHubExamples(t *testing.T) {
	files, _ := filepath.Glob("../testdata/cluster-conf/bad/*.conf")
	if len(files) == 0 {
		t.Fatal("no example files")
	}
	for _, f := range files {
		r, err := Path(f)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteGitHub(&b, []*Result{r}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != len(r.Diagnostics) {
			t.Errorf("%s: %d lines for %d findings", f, len(lines), len(r.Diagnostics))
			continue
		}
		for i, l := range lines {
			c, err := parseWorkflowCommand(l)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			d := r.Diagnostics[i]
			for _, k := range []string{"file", "line", "col", "endLine", "endColumn", "title"} {
				if _, ok := c.props[k]; !ok {
					t.Errorf("%s: line %d lacks property %s", f, i+1, k)
				}
			}
			if c.props["file"] != f || c.props["line"] != strconv.Itoa(d.Start.Line) || c.props["col"] != strconv.Itoa(d.Start.Column) || c.props["title"] != d.Rule {
				t.Errorf("%s: properties %v do not match %v", f, c.props, d)
			}
			if !strings.HasPrefix(c.message, d.Message) {
				t.Errorf("%s: message %q does not start with %q", f, c.message, d.Message)
			}
		}
	}
}
