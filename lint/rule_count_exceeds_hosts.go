package lint

import "fmt"

// onePerHost lists the components of which a host runs at most one
// instance: each binds fixed ports or owns a local disk.
var onePerHost = []string{
	"vault",
	"kv-store",
	"component-database",
	"auditlog-database",
	"instance-manager",
	"gluster-server",
}

// ruleCountExceedsHosts catches counts no placement can satisfy.
var ruleCountExceedsHosts = register(&Rule{
	ID:       "count-exceeds-hosts",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a one-per-host component has a higher count than the hosts that may carry it",
	Doc: `Some components run at most once per host: vault, kv-store,
component-database, auditlog-database, instance-manager and
gluster-server. Their count cannot exceed the number of distinct hosts in
the machine groups that list them in suitable_tags.

  machines:   { central: { hosts: [ "10.0.0.1" ], suitable_tags: [ "vault" ] } }
  components: { vault: 3 }   # only one host may carry vault

Add hosts to a group that lists the component, or lower the count.`,
	Check: checkCountExceedsHosts,
})

func checkCountExceedsHosts(p *Pass) {
	c := p.Cluster()
	for _, name := range onePerHost {
		comp := c.byName[name]
		if comp == nil || comp.count <= 0 {
			continue
		}
		hosts := c.hostsFor(name)
		// With no host at all the component is unplaceable, which has
		// its own rule.
		if hosts == 0 || int64(hosts) >= comp.count {
			continue
		}
		p.Report(comp.value,
			fmt.Sprintf("%q has count %d but only %d %s may carry it (one per host)", name, comp.count, hosts, plural(hosts, "host", "hosts")),
			fmt.Sprintf("lower the count to %d or add hosts to a machine group that lists %q", hosts, name))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
