package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/lint"
)

// ShowCmd renders a saved plan file.
type ShowCmd struct {
	File   string `arg:"" name:"planfile" predictor:"plan" help:"Plan file written by confc plan -o."`
	Format string `enum:"text,json,markdown" default:"text" help:"Output format: text, json or markdown (${default} by default)."`
	Check  string `name:"check" placeholder:"CLUSTER.CONF" help:"Also check that the plan still matches this cluster.conf, and fail when it does not."`
}

// Help is the long description shown by "confc show --help".
func (ShowCmd) Help() string {
	return `Prints a plan file in the same renderings as "confc plan", for example
to post a plan made in one pipeline stage as a pull-request comment in
another. With --check, it first verifies that the plan was made from the
given cluster.conf (comments and formatting aside) by this confc and schema.

Exit status:
  0  plan shown
  1  --check found the plan stale
  2  usage error
  3  the plan file or the --check file could not be read or parsed

Example:
  confc show --format markdown plan.json`
}

// Run reads, optionally checks, and renders the plan file.
func (c *ShowCmd) Run(env *Env) error {
	p, err := compiler.ReadFile(c.File)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return exitWith(showExitUnread, fmt.Errorf("cannot read %q: %w", c.File, pe.Err))
		}
		// Decoding errors already start with the file name.
		return exitWith(showExitUnread, err)
	}
	if c.Check != "" {
		name, src, err := readConf(env, c.Check)
		if err != nil {
			return exitWith(showExitUnread, err)
		}
		r := lint.Source(name, src)
		if r.ParseFailed() {
			_ = lint.WriteText(env.Stderr, []*lint.Result{r}, lint.TextOptions{})
			return exitWith(showExitUnread, fmt.Errorf("cannot check the plan: %q does not parse", name))
		}
		if err := compiler.CheckFresh(p, r.File); err != nil {
			return exitWith(showExitStale, err)
		}
	}
	if err := compiler.Render(env.Stdout, p, compiler.Format(c.Format)); err != nil {
		return exitWith(1, err)
	}
	return nil
}

// Exit codes of "confc show" beyond 0 and 2 (usage error).
const (
	showExitStale  = 1 // --check found the plan stale
	showExitUnread = 3 // the plan file or the --check file could not be read or parsed
)
