package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/lint"
)

// Exit codes of "confc plan" beyond 0 (success) and 2 (usage error).
const (
	planExitError   = 1 // lint errors, or the plan could not be made or written
	planExitChanges = 2 // with --detailed-exitcode: the plan has changes
	planExitUnread  = 3 // the file could not be read or parsed
)

// PlanCmd compiles a cluster.conf into a plan.
type PlanCmd struct {
	File             string   `arg:"" name:"file" predictor:"conf" help:"cluster.conf to compile; - reads standard input."`
	Format           string   `enum:"text,json,markdown" default:"text" help:"Output format: text, json or markdown (${default} by default)."`
	Out              string   `short:"o" name:"out" placeholder:"PLANFILE" help:"Also write the plan, as JSON, to this file (for confc apply and confc show)."`
	DetailedExitcode bool     `name:"detailed-exitcode" help:"Exit 0 when there is nothing to change and 2 when there are changes."`
	Policy           []string `name:"policy" placeholder:"FILE.cue" predictor:"cue" help:"Also check this CUE policy file before compiling (repeatable), as confc lint --policy does."`
	Refresh          bool     `name:"refresh" help:"Read Vault and Consul (without writing) and mark each step create, update or no-op; takes the connection flags of confc apply."`

	ConnFlags `embed:"" group:"refresh"`
}

// Help is the long description shown by "confc plan --help".
func (PlanCmd) Help() string {
	return `Lints the file and, when it has no error, compiles it into the ordered
list of steps that "confc apply" would run against Vault and Consul: mounts,
auth, policies, token roles, the cluster CA, generated and prompted secrets,
the Consul ACL token and the component store. The plan holds no secret
value; a secret shows only where it goes and how it is produced. Without
--refresh the plan is made offline and every step is shown as pending; with
--refresh each step is compared with the live Vault and Consul (nothing is
written) and marked create, update, no-op or unknown. docs/plan.md describes
the plan and its JSON form.

Exit status:
  0  plan made (with --detailed-exitcode: nothing to change)
  1  the file has lint errors (printed on stderr), or another error
  2  usage error; with --detailed-exitcode also: plan made, changes present
  3  the file could not be read or parsed

Example:
  confc plan --format markdown -o plan.json cluster.conf`
}

// Run lints and compiles the file, writes the plan file when asked, and
// prints the plan.
func (c *PlanCmd) Run(env *Env) error {
	opts, err := lintOptions(env, c.Policy)
	if err != nil {
		return err
	}
	if c.File == stdinName && c.Refresh && c.InputJSON {
		return exitWith(exitUsage, errors.New(`"-" and --input-json both read standard input; give cluster.conf as a file`))
	}
	name, src, err := readConf(env, c.File)
	if err != nil {
		return exitWith(planExitUnread, err)
	}
	r := opts.Source(name, src)
	// Diagnostics go to stderr: stdout carries only the plan, so that it
	// can be piped into a pull-request comment.
	if len(r.Diagnostics) > 0 {
		if err := lint.WriteText(env.Stderr, []*lint.Result{r}, lint.TextOptions{}); err != nil {
			return fmt.Errorf("writing lint output: %w", err)
		}
	}
	if r.ParseFailed() {
		return exitWith(planExitUnread, nil)
	}
	if r.HasErrors() {
		return exitWith(planExitError, fmt.Errorf("no plan: %q has lint errors", name))
	}

	p, err := compiler.Compile(r.File)
	if err != nil {
		return exitWith(planExitError, err)
	}
	if c.Refresh {
		if err := refreshPlan(env, &c.ConnFlags, name, r.File, p); err != nil {
			return exitWith(planExitError, err)
		}
	}
	env.log().Debug("plan compiled", slog.String("file", name), slog.Int("steps", len(p.Steps)))
	if c.Out != "" {
		if err := compiler.WriteFile(c.Out, p); err != nil {
			return exitWith(planExitError, err)
		}
	}
	if err := compiler.Render(env.Stdout, p, compiler.Format(c.Format)); err != nil {
		return exitWith(planExitError, err)
	}
	if c.DetailedExitcode && p.HasChanges() {
		return exitWith(planExitChanges, nil)
	}
	return nil
}
