package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// stdinDisplayName names standard input in positions and messages of the
// commands that read a cluster.conf ("<stdin>:3:5: ...").
const stdinDisplayName = "<stdin>"

// readConf reads the cluster.conf named on the command line, or standard
// input for "-". It returns the name to use in positions along with the
// content. A read error names the file and keeps the underlying reason.
func readConf(env *Env, name string) (display string, src []byte, err error) {
	if name == stdinName {
		src, err = io.ReadAll(env.Stdin)
		if err != nil {
			return stdinDisplayName, nil, fmt.Errorf("cannot read standard input: %w", err)
		}
		return stdinDisplayName, src, nil
	}
	src, err = os.ReadFile(name)
	if err != nil {
		return name, nil, fmt.Errorf("cannot read %q: %w", name, unwrapPathError(err))
	}
	return name, src, nil
}

// errStdinTwice refuses a second "-" among the files of one command.
var errStdinTwice = errors.New(`"-" (standard input) may be given only once`)
