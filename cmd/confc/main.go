// Command confc lints cluster.conf, compiles it into an ordered plan and
// applies the plan to Vault and Consul.
//
// Run "confc --help" for the list of commands.
package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target for a confc process. A lint or
// plan run lives for milliseconds and allocates most of its memory while
// compiling the schema, so with the default (100) a lint of production.conf
// spends about a fifth of its instructions collecting garbage the process is
// about to drop anyway. 400 raises the peak for a 10,000-host file from 55 MB
// to 72 MB. GOGC in the environment still wins.
const gcPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
