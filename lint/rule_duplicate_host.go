package lint

import (
	"fmt"

	"github.com/confc/confc/dconf"
)

// ruleDuplicateHost catches a host listed twice.
var ruleDuplicateHost = register(&Rule{
	ID:       "duplicate-host",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a host is listed in two machine groups, or twice in one",
	Doc: `Every host belongs to exactly one machine group: the group decides which
components the host may run. A host listed twice would be counted twice
when components are placed, and the two groups would fight over it.

  machines: {
    central: { hosts: [ "10.0.0.1" ] }
    singleton: { hosts: [ "10.0.0.1" ] }   # already in central
  }

Remove one of the entries. Addresses are compared as IP addresses, so
"fe80::1" and "fe80:0::1" are the same host.`,
	Check: checkDuplicateHost,
})

func checkDuplicateHost(p *Pass) {
	type seen struct {
		group string
		node  *dconf.String
	}
	first := map[string]seen{}
	for _, g := range p.Cluster().groups {
		for _, h := range g.hosts {
			if p.hasViolationAt(h) {
				// Not an address (the schema says so); comparing it
				// would report one mistake twice.
				continue
			}
			k := canonicalHost(h.Value)
			prev, dup := first[k]
			if !dup {
				first[k] = seen{g.name, h}
				continue
			}
			where := fmt.Sprintf("machine groups %q and %q", prev.group, g.name)
			if prev.group == g.name {
				where = fmt.Sprintf("machine group %q twice", g.name)
			}
			p.ReportAt(p.rule.Severity, h,
				fmt.Sprintf("host %q is listed in %s (first at %d:%d)", h.Value, where, prev.node.Pos().Line, prev.node.Pos().Column),
				"remove one of the entries: a host belongs to one machine group",
				prev.node.Pos())
		}
	}
}
