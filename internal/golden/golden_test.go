package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps failures instead of reporting them,
// so the test can check that Check fails when it should.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheckComparesAndWrites(t *testing.T) {
	t.Setenv(Env, "")
	path := filepath.Join(t.TempDir(), "sub", "out.golden")

	r := &recorder{TB: t}
	Check(r, path, []byte("one\n"))
	if !r.failed {
		t.Error("a missing golden file passed")
	}

	t.Setenv(Env, "1")
	Check(t, path, []byte("one\n"))
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "one\n" {
		t.Fatalf("update wrote %q, %v", b, err)
	}

	t.Setenv(Env, "")
	r = &recorder{TB: t}
	Check(r, path, []byte("one\n"))
	if r.failed {
		t.Error("equal output failed")
	}
	Check(r, path, []byte("two\n"))
	if !r.failed {
		t.Error("different output passed")
	}
}
