package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/confc/confc/internal/golden"
	"github.com/confc/confc/internal/testbin"
)

// removeBinAfter runs the tests, then deletes the confc binary that the
// pseudo-terminal tests built.
type removeBinAfter struct{ m *testing.M }

func (r removeBinAfter) Run() int {
	code := r.m.Run()
	testbin.Remove()
	return code
}

func TestMain(m *testing.M) {
	testscript.Main(removeBinAfter{m}, map[string]func(){
		"confc": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the scripts in testdata/script; set
// CONFC_UPDATE_GOLDEN=1 to rewrite their expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: golden.Update(),
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "")
			return nil
		},
	})
}
