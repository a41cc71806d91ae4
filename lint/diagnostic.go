package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/confc/confc/dconf"
)

// Severity is how serious a finding is. The zero Severity is Error, so a
// Diagnostic built without one is never silently downgraded.
type Severity int

// The severities, most serious first.
const (
	Error Severity = iota
	Warning
	Info
)

var severityNames = [...]string{"error", "warning", "info"}

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity turns "error", "warning" or "info" into a Severity.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return Error, fmt.Errorf("unknown severity %q: expected one of %s", s, strings.Join(severityNames[:], ", "))
}

// AtLeast reports whether s is as serious as t or more.
func (s Severity) AtLeast(t Severity) bool { return s <= t }

// Diagnostic is one finding in one file.
type Diagnostic struct {
	// Severity is the level after any per-run adjustment.
	Severity Severity
	// Rule is the stable kebab-case ID of the rule that found the problem.
	Rule string
	// Message says what is wrong, in lower case without a final period. It
	// never contains a secret value.
	Message string
	// File is the name of the file as given on the command line.
	File string
	// Start is the first byte of the offending key or value.
	Start dconf.Pos
	// End is the byte just after it; it equals Start (or is zero) when the
	// finding has no extent, such as a parse error at one character.
	End dconf.Pos
	// Hint, when not empty, says how to fix the problem.
	Hint string
	// Related lists other places that explain the finding, such as the
	// first definition of a duplicated host.
	Related []dconf.Pos
}

// String formats d as file:line:col: severity: message [rule].
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s [%s]", d.position(), d.Severity, d.Message, d.Rule)
}

func (d Diagnostic) position() string {
	p := d.Start
	if p.Filename == "" {
		p.Filename = d.File
	}
	return p.String()
}

// Compare orders diagnostics by file, position (offset, then line and
// column for hand-built positions without offsets) and rule, then message,
// so output is stable whatever order the rules ran in.
func Compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Start.Line, b.Start.Line),
		cmp.Compare(a.Start.Column, b.Start.Column),
		cmp.Compare(a.Start.Offset, b.Start.Offset),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// Sort sorts diagnostics in place with [Compare].
func Sort(ds []Diagnostic) { slices.SortStableFunc(ds, Compare) }

// Count returns how many diagnostics are at severity min or above.
func Count(ds []Diagnostic, min Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity.AtLeast(min) {
			n++
		}
	}
	return n
}
