// Command gencluster writes a generated cluster.conf to stdout, for
// benchmark scripts: go run ./internal/testgen/gencluster 10000 > large.conf
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/confc/confc/internal/testgen"
)

func main() {
	hosts := 10000
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "gencluster: host count must be a positive integer, got %q\n", os.Args[1])
			os.Exit(2)
		}
		hosts = n
	}
	if _, err := os.Stdout.Write(testgen.Cluster(hosts)); err != nil {
		fmt.Fprintf(os.Stderr, "gencluster: %v\n", err)
		os.Exit(1)
	}
}
