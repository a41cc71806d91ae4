package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// commands returns every command node of the CLI, depth first.
func commands(t *testing.T) []*kong.Node {
	t.Helper()
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("confc"), kong.Writers(io.Discard, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	var out []*kong.Node
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, c := range n.Children {
			if c.Type == kong.CommandNode {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(parser.Model.Node)
	if len(out) < 6 {
		t.Fatalf("found only %d commands", len(out))
	}
	return out
}

// TestEveryCommandIsDocumented fails when a command lacks the one-line
// summary, the longer description or an example in its --help.
func TestEveryCommandIsDocumented(t *testing.T) {
	for _, c := range commands(t) {
		name := c.FullPath()
		t.Run(name, func(t *testing.T) {
			if c.Hidden {
				t.Skip("hidden")
			}
			if strings.TrimSpace(c.Help) == "" {
				t.Errorf("%s has no one-line summary (help tag)", name)
			}
			if strings.Contains(strings.TrimSpace(c.Help), "\n") {
				t.Errorf("%s: summary spans several lines", name)
			}
			detail := strings.TrimSpace(c.Detail)
			i := strings.Index(detail, "Example")
			switch {
			case detail == "":
				t.Errorf("%s has no long description (Help method)", name)
			case i < 0:
				t.Errorf("%s --help has no example", name)
			case i < 40:
				t.Errorf("%s: the description before the example is too short to explain the command", name)
			case !strings.Contains(detail[i:], "confc "):
				t.Errorf("%s: the example does not show a confc command line", name)
			}
			for _, f := range c.Flags {
				if !f.Hidden && strings.TrimSpace(f.Help) == "" {
					t.Errorf("%s --%s has no help", name, f.Name)
				}
			}
		})
	}
}

// TestHelpOutput checks that what the test above inspects reaches the user.
func TestHelpOutput(t *testing.T) {
	for _, c := range commands(t) {
		args := append(strings.Fields(strings.TrimPrefix(c.FullPath(), "confc ")), "--help")
		var stdout, stderr bytes.Buffer
		if code := run(args, nil, &stdout, &stderr); code != 0 {
			t.Errorf("%v: exit %d, stderr %s", args, code, stderr.String())
			continue
		}
		out := stdout.String()
		if !strings.Contains(out, c.Help) || !strings.Contains(out, "Example") {
			t.Errorf("%v prints no summary or example:\n%s", args, out)
		}
	}
}
