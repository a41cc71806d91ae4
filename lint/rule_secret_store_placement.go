package lint

import "fmt"

// ruleSecretStorePlacement keeps vault and kv-store on the central group.
var ruleSecretStorePlacement = register(&Rule{
	ID:       "secret-store-placement",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "vault or kv-store is placed on a machine group other than central",
	Doc: `Vault keeps its encrypted data in the kv-store (Consul) agent on its own
host, and both are reached by the other components at the central
addresses. They may therefore only appear in the suitable_tags of the
machine group named central.

  machines: {
    central:          { suitable_tags: [ "kv-store" ] }
    instance_manager: { suitable_tags: [ "instance-manager", "vault" ] }  # wrong
  }

Move the tag to central. Because both may only run on central, they share
hosts whenever both are placed; a component left with no group at all is
reported by component-unplaceable instead.`,
	Check: checkSecretStorePlacement,
})

func checkSecretStorePlacement(p *Pass) {
	for _, g := range p.Cluster().groups {
		if g.name == centralGroup {
			continue
		}
		for _, t := range g.tags {
			if t.Value != "vault" && t.Value != "kv-store" {
				continue
			}
			p.Report(t,
				fmt.Sprintf("%q may only be placed on machine group %q, not on %q", t.Value, centralGroup, g.name),
				fmt.Sprintf("move %q to the suitable_tags of machine group %q", t.Value, centralGroup))
		}
	}
}
