// Package testbin builds the confc command for tests that must run it as a
// real process: to kill it part way, to race two of them, or to give it a
// terminal. The binary is built once per test binary and shared.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
	bin  string
	err  error
)

// Confc returns the path of a confc binary built from this module, building
// it on the first call. A failed build fails the test.
func Confc(t testing.TB) string {
	t.Helper()
	once.Do(build)
	if err != nil {
		t.Fatalf("building confc: %v", err)
	}
	return bin
}

func build() {
	dir, err = os.MkdirTemp("", "confc-test-bin-")
	if err != nil {
		return
	}
	bin = filepath.Join(dir, "confc")
	out, berr := exec.Command("go", "build", "-o", bin, "github.com/confc/confc/cmd/confc").CombinedOutput()
	if berr != nil {
		err = fmt.Errorf("go build: %v\n%s", berr, out)
	}
}

// Remove deletes the built binary, if any. Call it from TestMain once the
// tests have run.
func Remove() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
