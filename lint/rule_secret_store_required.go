package lint

import "fmt"

// ruleSecretStoreRequired demands a secret store where components need one.
var ruleSecretStoreRequired = register(&Rule{
	ID:       "secret-store-required",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "instance-manager is deployed without vault, or vault without kv-store",
	Doc: `Instance managers fetch their keys and tokens from Vault when they start,
so a cluster with instance-manager hosts needs at least one vault server.
Vault in turn stores its data in the kv-store (Consul), so vault needs
kv-store.

  components: {
    instance-manager: 4
    # vault and kv-store missing
  }

Add vault and kv-store to the suitable_tags of machine group central and
give both the same odd count in components.`,
	Check: checkSecretStoreRequired,
})

func checkSecretStoreRequired(p *Pass) {
	c := p.Cluster()
	if im := c.byName["instance-manager"]; im != nil && im.count > 0 && c.count("vault") <= 0 {
		p.Report(im.key,
			"machine with instance-manager tag cannot be deployed without a machine with vault tag",
			fmt.Sprintf("add %q and %q to machine group %q and give them a count in components", "vault", "kv-store", centralGroup))
	}
	if v := c.byName["vault"]; v != nil && v.count > 0 && c.count("kv-store") <= 0 {
		p.Report(v.key,
			"vault cannot be deployed without kv-store, which holds its data",
			fmt.Sprintf("add %q to machine group %q and give it the same count as vault", "kv-store", centralGroup))
	}
}
