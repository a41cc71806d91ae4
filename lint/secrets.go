package lint

import (
	"github.com/confc/confc/dconf"
)

// hasViolationAt reports whether the schema already reported a finding that
// starts at node, so that a Go rule does not report one mistake twice.
func (p *Pass) hasViolationAt(node dconf.Node) bool {
	for _, v := range p.Violations {
		if v.Pos.Offset == node.Pos().Offset && v.Pos.Line == node.Pos().Line {
			return true
		}
	}
	return false
}
