// Command confc lints cluster.conf, compiles it into an ordered plan and
// applies the plan to Vault and Consul.
//
// Run "confc --help" for the list of commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
