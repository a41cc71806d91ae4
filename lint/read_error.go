package lint

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/confc/confc/dconf"
)

// OriginReader marks a rule that confc reports when it cannot read a file
// at all.
const OriginReader = "reader"

// RuleReadError is the rule ID of a file that could not be read.
const RuleReadError = "read-error"

func init() {
	register(&Rule{
		ID:       RuleReadError,
		Severity: Error,
		Origin:   OriginReader,
		Summary:  "a file named on the command line could not be read",
		Doc: `The file does not exist, is a directory, or may not be read by the user
running confc. Nothing in it is checked, and "confc lint" exits with
status 3.

The finding is reported at line 1, column 1 of the file, in every output
format, so that a CI upload of JSON or SARIF shows the failure instead of a
clean run; SARIF output also marks the run as not successful.

A read error cannot be suppressed.`,
	})
}

// ReadError returns the result for a file that could not be read: one
// read-error finding at line 1, column 1, with err's reason (without the
// path, which the finding names already).
func ReadError(name string, err error) *Result {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	start := dconf.Pos{Filename: name, Line: 1, Column: 1}
	return &Result{
		Name:      name,
		ReadError: err,
		Diagnostics: []Diagnostic{{
			Severity: Error,
			Rule:     RuleReadError,
			Message:  fmt.Sprintf("cannot read the file: %v", err),
			File:     name,
			Start:    start,
			End:      start,
		}},
	}
}
