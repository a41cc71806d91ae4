package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/confc/confc/internal/version"
	"github.com/confc/confc/lint"
	"github.com/confc/confc/schema"
)

// Exit codes of "confc lint".
const (
	lintExitClean    = 0 // no finding at or above --fail-on
	lintExitFindings = 1 // findings at or above --fail-on
	lintExitUnread   = 3 // a file could not be read or parsed
)

// LintCmd checks cluster.conf files.
type LintCmd struct {
	Files  []string `arg:"" name:"file" predictor:"conf" help:"cluster.conf files to check; - reads standard input."`
	Format string   `enum:"text,json,sarif,github" default:"text" help:"Output format: text, json, sarif or github (${default} by default)."`
	FailOn string   `name:"fail-on" enum:"error,warning" default:"error" help:"Exit with status 1 when a finding is at this level or above: error or warning."`
	Color  string   `enum:"auto,always,never" default:"auto" help:"Colour text output: auto (on a terminal without NO_COLOR), always or never."`
	Policy []string `name:"policy" placeholder:"FILE.cue" predictor:"cue" help:"Also check the constraints of this CUE policy file (repeatable); see docs/policies.md."`
}

// Help is the long description shown by "confc lint --help".
func (LintCmd) Help() string {
	return `Parses each file, checks it against the cluster.conf schema and the
cross-field rules (vault placement, host counts, plain-text secrets, prompt
targets, ...), and prints the findings. Secret values are masked in every
format. "confc explain RULE-ID" describes a rule; a finding can be silenced
with a "# confc:ignore RULE-ID reason" comment on the line before it.
A clean run prints nothing; "-" reads a file from standard input.

Exit status:
  0  no finding at or above the --fail-on level
  1  at least one finding at or above the --fail-on level
  2  usage error
  3  a file could not be read (a read-error finding) or parsed

Every finding links to its rule's page under docs/rules. --policy adds an
organisation's own CUE constraints; a policy that does not compile stops
the run with status 3 before any file is checked.

Example:
  confc lint --format github cluster.conf
  confc lint --policy examples/policies/prod-kv-store.cue cluster.conf`
}

// Run lints every file, prints the findings and picks the exit code.
func (c *LintCmd) Run(env *Env) error {
	failOn, err := lint.ParseSeverity(c.FailOn)
	if err != nil {
		return exitWith(exitUsage, err)
	}

	opts, err := lintOptions(env, c.Policy)
	if err != nil {
		return err
	}
	if n := countStdin(c.Files); n > 1 {
		return exitWith(exitUsage, errStdinTwice)
	}
	code := lintExitClean
	var results []*lint.Result
	for _, name := range c.Files {
		display, src, err := readConf(env, name)
		if err != nil {
			// The finding goes into every format, so that a JSON or SARIF
			// consumer sees the failure; stderr says it too for machine
			// formats, whose stdout is usually redirected.
			if c.Format != "text" {
				fmt.Fprintf(env.Stderr, "confc: %v\n", err)
			}
			results = append(results, lint.ReadError(display, errors.Unwrap(err)))
			code = lintExitUnread
			continue
		}
		env.log().Debug("file read", slog.String("file", display), slog.Int("bytes", len(src)))
		r := opts.Source(display, src)
		results = append(results, r)
		env.log().Debug("file linted", slog.String("file", display), slog.Int("errors", r.Count(lint.Error)), slog.Int("findings", len(r.Diagnostics)))
		if r.ParseFailed() {
			code = lintExitUnread
		} else if code == lintExitClean && r.Count(failOn) > 0 {
			code = lintExitFindings
		}
	}

	if err := writeResults(env.Stdout, results, c.Format, c.useColor(env.Stdout)); err != nil {
		return fmt.Errorf("writing lint output: %w", err)
	}
	if code == lintExitClean {
		return nil
	}
	return exitWith(code, nil)
}

// lintOptions loads the policy files named on the command line. A policy
// that cannot be read or compiled is reported at its own position and ends
// the run with status 3, like a cluster.conf that does not parse: checking
// without it would pass files the organisation means to reject.
func lintOptions(env *Env, policies []string) (lint.Options, error) {
	opts := lint.Options{Logger: env.log()}
	for _, name := range policies {
		start := time.Now()
		p, err := schema.LoadPolicy(name)
		if err != nil {
			return opts, exitWith(lintExitUnread, fmt.Errorf("policy: %w", err))
		}
		env.log().Debug("policy loaded", slog.String("file", name), slog.Int("rules", len(p.Rules())), since(start))
		opts.Policies = append(opts.Policies, p)
	}
	return opts, nil
}

// writeResults renders results in the named format.
func writeResults(w io.Writer, results []*lint.Result, format string, color bool) error {
	switch format {
	case "json":
		return lint.WriteJSON(w, results)
	case "sarif":
		return lint.WriteSARIF(w, results, version.Version)
	case "github":
		return lint.WriteGitHub(w, results)
	}
	return lint.WriteText(w, results, lint.TextOptions{Color: color})
}

// useColor decides whether text output is coloured: only on a terminal
// and only when NO_COLOR is unset, unless --color says otherwise.
func (c *LintCmd) useColor(w io.Writer) bool {
	switch c.Color {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// countStdin counts the "-" arguments among names.
func countStdin(names []string) int {
	n := 0
	for _, name := range names {
		if name == stdinName {
			n++
		}
	}
	return n
}

// unwrapPathError drops the operation and path from a file error, which
// the caller's message already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
