package main

import (
	"fmt"

	"github.com/confc/confc/internal/version"
)

// VersionCmd prints the version of confc.
type VersionCmd struct{}

// Help is the long description shown by "confc version --help".
func (VersionCmd) Help() string {
	return `Prints the release, the VCS commit the binary was built from and the Go
release that built it. Include this output in bug reports.

Example:
  confc version`
}

// Run prints the version lines.
func (VersionCmd) Run(env *Env) error {
	_, err := fmt.Fprintf(env.Stdout, "confc %s\ncommit %s\n%s\n", version.Version, version.Commit(), version.GoVersion())
	return err
}
