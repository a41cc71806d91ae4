package lint

import "fmt"

// ruleVaultCount warns when vault and kv-store counts differ.
var ruleVaultCount = register(&Rule{
	ID:       "vault-count",
	Severity: Warning,
	Origin:   OriginLint,
	Summary:  "the vault count differs from the kv-store count",
	Doc: `Each vault server talks to the kv-store agent on its own host, so the
usual layout runs one of each on every central host. A different count
leaves vault servers without a local agent, or agents without a vault.

  components: { vault: 1, kv-store: 3 }   # usually vault: 3

This is a warning: some operators run fewer vault servers on purpose.
Nothing is reported when either count is 0; secret-store-required covers
that case.`,
	Check: checkVaultCount,
})

func checkVaultCount(p *Pass) {
	c := p.Cluster()
	v, kv := c.byName["vault"], c.byName["kv-store"]
	if v == nil || kv == nil || v.count <= 0 || kv.count <= 0 || v.count == kv.count {
		return
	}
	p.Report(v.value,
		fmt.Sprintf("vault count %d differs from kv-store count %d", v.count, kv.count),
		vaultCountHint(v.count, kv.count))
}

// vaultCountHint suggests one odd count for both: kv-store must be odd
// (kv-store-odd), so suggesting an even kv-store count for vault to follow
// would only trade one finding for another.
func vaultCountHint(vault, kv int64) string {
	switch {
	case kv%2 == 1:
		return fmt.Sprintf("set vault to %d so that every kv-store host runs one vault server", kv)
	case vault%2 == 1:
		return fmt.Sprintf("set kv-store to %d, an odd count, so that every kv-store host runs one vault server", vault)
	}
	n := max(kv-1, 1)
	return fmt.Sprintf("set kv-store and vault to %d: kv-store needs an odd count, and every kv-store host runs one vault server", n)
}
