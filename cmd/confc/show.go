package main

import (
	"fmt"

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
  1  the plan file is unreadable or invalid, or --check found it stale
  2  usage error

Example:
  confc show --format markdown plan.json`
}

// Run reads, optionally checks, and renders the plan file.
func (c *ShowCmd) Run(env *Env) error {
	p, err := compiler.ReadFile(c.File)
	if err != nil {
		return exitWith(1, unwrapPathError(err))
	}
	if c.Check != "" {
		r, err := lint.Path(c.Check)
		if err != nil {
			return exitWith(1, fmt.Errorf("cannot read %q: %w", c.Check, unwrapPathError(err)))
		}
		if r.ParseFailed() {
			_ = lint.WriteText(env.Stderr, []*lint.Result{r}, lint.TextOptions{})
			return exitWith(1, fmt.Errorf("cannot check the plan: %q does not parse", c.Check))
		}
		if err := compiler.CheckFresh(p, r.File); err != nil {
			return exitWith(1, err)
		}
	}
	if err := compiler.Render(env.Stdout, p, compiler.Format(c.Format)); err != nil {
		return exitWith(1, err)
	}
	return nil
}
