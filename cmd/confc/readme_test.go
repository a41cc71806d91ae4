package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestReadmePlanSample keeps the plan sample in README.md true: every line
// of it, except the fingerprint line (which changes with each schema and
// release) and the "..." marks where it is trimmed, must be a line of the
// real "confc plan" output for production.conf.
func TestReadmePlanSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const first = "confc plan for cluster "
	text := string(readme)
	start := strings.Index(text, "```\n"+first)
	if start < 0 {
		t.Fatal("README.md has no plan sample")
	}
	block := text[start+len("```\n"):]
	block = block[:strings.Index(block, "```")]

	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", "../../testdata/cluster-conf/production.conf"}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("plan exited %d: %s", code, stderr.String())
	}
	// The README names the file as the plan prints a file given without a
	// directory.
	out := strings.Replace(stdout.String(), "(../../testdata/cluster-conf/production.conf)", "(production.conf)", 1)
	real := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		real[l] = true
	}
	checked := 0
	for _, l := range strings.Split(block, "\n") {
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || trimmed == "..." || strings.HasPrefix(l, "fingerprint ") {
			continue
		}
		if !real[l] {
			t.Errorf("README plan sample line is not in the real output:\n%s", l)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d sample lines checked", checked)
	}
}
