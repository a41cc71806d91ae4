package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/schema"
)

// Where a rule is checked.
const (
	OriginParser = "parser" // the Dconf parser reports it
	OriginSchema = "schema" // the CUE schema (package schema) checks it
	OriginLint   = "lint"   // Go code in this package checks it
)

// Rule describes one kind of finding. The registry ([Rules]) holds one
// value per rule ID; the Doc text is the rule's documentation, printed by
// "confc explain" and meant to be copied verbatim into generated reference
// pages, so it is written for operators rather than for Go readers.
type Rule struct {
	// ID is the stable kebab-case name used in output and in
	// "# confc:ignore" comments.
	ID string
	// Severity is the level the rule reports at. Rules that report at two
	// levels (plaintext-secret) give the higher one here.
	Severity Severity
	// Origin tells where the check lives: OriginParser, OriginSchema or
	// OriginLint.
	Origin string
	// Summary is one line, lower case, no final period.
	Summary string
	// Doc explains why the rule exists and how to fix a finding, with an
	// example. Paragraphs are separated by blank lines; lines indented by
	// two spaces are cluster.conf examples.
	Doc string
	// Check runs the rule on one file. It is nil for rules that other
	// layers check (parser, schema) and for "suppression", which the engine
	// handles after every other rule has run.
	Check func(*Pass)
}

var registry = map[string]*Rule{}

// register adds r to the registry; rule files call it from init.
func register(r *Rule) *Rule {
	if _, dup := registry[r.ID]; dup {
		panic("lint: rule " + r.ID + " registered twice")
	}
	registry[r.ID] = r
	return r
}

// Rules returns every rule, sorted by ID.
func Rules() []*Rule {
	rs := make([]*Rule, 0, len(registry))
	for _, r := range registry {
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	return rs
}

// RuleByID returns the rule with the given ID, or nil.
func RuleByID(id string) *Rule { return registry[id] }

// RuleIDs returns every rule ID, sorted.
func RuleIDs() []string {
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Pass is what a rule's Check sees: the parsed file, a model of its
// machines and components, and the schema's findings.
type Pass struct {
	// File is the parsed cluster.conf.
	File *dconf.File
	// Violations are the schema's findings, for rules that avoid repeating
	// them.
	Violations []schema.Violation

	cluster *cluster
	rule    *Rule
	diags   []Diagnostic
}

// Report records a finding of the running rule at node, at the rule's
// default severity.
func (p *Pass) Report(node dconf.Node, msg, hint string) {
	p.ReportAt(p.rule.Severity, node, msg, hint)
}

// ReportAt records a finding of the running rule at an explicit severity.
func (p *Pass) ReportAt(sev Severity, node dconf.Node, msg, hint string, related ...dconf.Pos) {
	p.diags = append(p.diags, Diagnostic{
		Severity: sev,
		Rule:     p.rule.ID,
		Message:  msg,
		File:     p.File.Name,
		Start:    node.Pos(),
		End:      node.End(),
		Hint:     hint,
		Related:  related,
	})
}

// Cluster returns the machine groups and component counts of the file.
func (p *Pass) Cluster() *cluster {
	if p.cluster == nil {
		p.cluster = newCluster(p.File)
	}
	return p.cluster
}

// knownComponent reports whether name is a component the schema knows.
func knownComponent(name string) bool {
	_, ok := slices.BinarySearch(schema.Components(), name)
	return ok
}

// quoteList formats names as "a", "b" and "c".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
