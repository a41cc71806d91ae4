package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunUsageErrors(t *testing.T) {
	for _, c := range []struct {
		what string
		args []string
		want string // in stderr
	}{
		{"unknown flag", []string{"lint", "--bogus", "x.conf"}, "unknown flag --bogus"},
		{"bad format", []string{"lint", "--format", "xml", "x.conf"}, "--format"},
		{"bad fail-on", []string{"lint", "--fail-on", "info", "x.conf"}, "--fail-on"},
		{"no command", nil, "expected one of"},
		{"no file", []string{"lint"}, "expected \"<file> ...\""},
		{"unknown rule", []string{"explain", "no-such-rule"}, "unknown rule \"no-such-rule\""},
	} {
		t.Run(c.what, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(c.args, nil, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.want)
			}
			if strings.Contains(stderr.String(), "goroutine") {
				t.Errorf("stack trace in stderr: %s", stderr.String())
			}
		})
	}
}

func TestRunHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"lint", "--help"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Exit status:", "3  a file could not be read (a read-error finding) or parsed", "Example:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("lint --help lacks %q:\n%s", want, stdout.String())
		}
	}
}
