package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confc/confc/internal/golden"
)

// TestLintGolden runs "confc lint" on every example file in every format
// and compares stdout and the exit code with
// testdata/golden/lint/NAME.FORMAT. Set CONFC_UPDATE_GOLDEN=1 to rewrite
// the golden files, then review the diff.
func TestLintGolden(t *testing.T) {
	t.Chdir("../..")
	files, err := filepath.Glob("testdata/cluster-conf/*.conf")
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := filepath.Glob("testdata/cluster-conf/bad/*.conf")
	files = append(files, bad...)
	if len(files) < 9 {
		t.Fatalf("found only %d example files", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "testdata/cluster-conf/"), ".conf")
		name = strings.ReplaceAll(name, "/", "-")
		for _, format := range []string{"text", "json", "sarif", "github"} {
			t.Run(name+"."+format, func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run([]string{"lint", "--format", format, "--color", "never", file}, nil, &stdout, &stderr)
				got := fmt.Sprintf("# exit %d\n%s", code, stdout.String())
				golden.Check(t, filepath.Join("testdata/golden/lint", name+"."+format), []byte(got))
				if stderr.Len() > 0 {
					t.Errorf("unexpected stderr: %s", stderr.String())
				}
			})
		}
	}
}
