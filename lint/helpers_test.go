package lint

import (
	"fmt"
	"strings"
	"testing"

	"github.com/confc/confc/internal/testgen"
)

// base is a small valid cluster.conf that rule tests edit. Every rule
// test starts from it, so a test's input shows only what it changes.
const base = `provisioner { type: generic }
machines: {
  central: {
    hosts: [ "10.0.0.1", "10.0.0.2", "10.0.0.3" ]
    suitable_tags: [ "api-server", "vault", "kv-store" ]
  }
  instance_manager: {
    hosts: [ "10.0.1.1" ]
    suitable_tags: [ "instance-manager" ]
  }
}
components: {
  api-server: 3
  vault: 3
  kv-store: 3
  instance-manager: 1
}
`

// names is the chef section that required-setting asks for. base leaves it
// out because many rule tests append a chef section of their own; tests
// that need a file without any finding add it.
const names = "chef: { continuum: { cluster_name: test, base_domain: test.example } }\n"

// lintString lints src and returns the diagnostics as
// "line:col severity rule" strings, for compact comparisons.
func lintString(t *testing.T, src string) []string {
	t.Helper()
	r := Source("test.conf", []byte(src))
	if r.ParseFailed() {
		t.Fatalf("input does not parse: %v\n%s", r.Diagnostics, src)
	}
	return brief(r.Diagnostics)
}

func brief(ds []Diagnostic) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%d:%d %s %s", d.Start.Line, d.Start.Column, d.Severity, d.Rule))
	}
	return out
}

// only keeps the entries of got that belong to rule.
func only(got []string, rule string) []string {
	out := []string{}
	for _, g := range got {
		if strings.HasSuffix(g, " "+rule) {
			out = append(out, g)
		}
	}
	return out
}

// edit returns base with old replaced by new, failing when old is absent
// so a stale test cannot pass by editing nothing.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("base has no %q", old)
	}
	return strings.Replace(base, old, new, 1)
}

func TestBaseIsClean(t *testing.T) {
	if got := lintString(t, base+names); len(got) != 0 {
		t.Fatalf("base has findings: %v", got)
	}
	if got := lintString(t, string(testgen.Cluster(50))); len(got) != 0 {
		t.Fatalf("generated cluster has findings: %v", got)
	}
}
