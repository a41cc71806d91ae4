package main

import (
	"fmt"
	"strings"

	"github.com/confc/confc/lint"
)

// ExplainCmd prints the documentation of a lint rule.
type ExplainCmd struct {
	Rule string `arg:"" optional:"" name:"rule-id" predictor:"ruleid" help:"ID of the rule, as printed in brackets by confc lint; leave out to list every rule."`
}

// Help is the long description shown by "confc explain --help".
func (ExplainCmd) Help() string {
	return `Prints why a lint rule exists, what it checks and how to fix a finding.
Without a rule ID, lists every rule with a one-line summary.

Example:
  confc explain secret-store-placement`
}

// Run prints one rule, or the list of rules.
func (c *ExplainCmd) Run(env *Env) error {
	if c.Rule == "" {
		for _, r := range lint.Rules() {
			fmt.Fprintf(env.Stdout, "%-24s %-8s %s\n", r.ID, r.Severity, r.Summary)
		}
		return nil
	}
	r := lint.RuleByID(c.Rule)
	if r == nil {
		return exitWith(exitUsage, fmt.Errorf("unknown rule %q; known rules: %s", c.Rule, strings.Join(lint.RuleIDs(), ", ")))
	}
	fmt.Fprintf(env.Stdout, "%s (%s, checked by the %s)\n\n%s\n\n%s\n", r.ID, r.Severity, r.Origin, r.Summary, r.Doc)
	return nil
}
