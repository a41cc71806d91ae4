// Package golden compares test output with expected output kept in files,
// and rewrites those files instead when CONFC_UPDATE_GOLDEN=1 is set, so a
// deliberate change of output is reviewed as a diff of the files.
package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Env is the environment variable that, set to 1, makes tests rewrite
// their golden files instead of comparing with them.
const Env = "CONFC_UPDATE_GOLDEN"

// Update reports whether golden files are to be rewritten in this run.
func Update() bool {
	return os.Getenv(Env) == "1"
}

// Check compares got with the content of the file at path and reports a
// difference as a test error showing a diff. When Update is true it writes
// got to path instead, creating the directory if needed.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v (run with %s=1 to create it)", err, Env)
		return
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}
