package main

import (
	"fmt"
	"github.com/confc/confc/internal/suggest"
	"strings"

	"github.com/confc/confc/lint"
	"github.com/confc/confc/schema"
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
		msg := fmt.Sprintf("unknown rule %q", c.Rule)
		if near := closestRule(c.Rule); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return exitWith(exitUsage, fmt.Errorf("%s; known rules: %s", msg, strings.Join(lint.RuleIDs(), ", ")))
	}
	fmt.Fprintf(env.Stdout, "%s (%s, checked by the %s)\n\n%s\n\n%s\n", r.ID, r.Severity, r.Origin, r.Summary, r.Doc)
	if r.ID == "unknown-component" {
		// The list lives in the embedded schema, which binary users cannot
		// read; printing it here keeps it in step with what lint accepts.
		fmt.Fprintf(env.Stdout, "\nKnown components:\n  %s\n", strings.Join(schema.Components(), "\n  "))
	}
	return nil
}

// closestRule returns the rule ID nearest to id by edit distance, or ""
// when none is close enough to be a likely typo (more than a third of the
// longer name would have to change). An ID that contains id, or that id
// contains, also counts as close ("secret-store" finds
// "secret-store-placement").
func closestRule(id string) string {
	best, bestDist := "", -1
	for _, cand := range lint.RuleIDs() {
		d := suggest.Distance(id, cand)
		if strings.Contains(cand, id) && len(id) >= 4 || strings.Contains(id, cand) {
			d = min(d, 1)
		}
		if limit := max(len(id), len(cand)) / 3; d > limit {
			continue
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}
