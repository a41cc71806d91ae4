// Package testgen writes large, valid cluster.conf files for benchmarks
// and load tests.
package testgen

import (
	"bytes"
	"fmt"
	"strings"
)

// controlPlane are the components placed on the central group, three of
// each.
var controlPlane = []string{
	"component-database", "api-server", "job-manager", "router",
	"nats-server", "events-server", "health-manager", "metrics-manager",
	"auth-server", "ldap-auth-server", "package-manager", "vault", "kv-store",
}

// singletons run once, on the singleton group.
var singletons = []string{"stagehand", "redis-server", "graphite-server", "tcp-router"}

// fixedHosts is how many hosts the central (3), singleton (1) and
// auditlog (2) groups take before the instance managers.
const fixedHosts = 6

// Cluster returns a cluster.conf with the given number of hosts that lints
// without findings: three central hosts carrying the control plane, vault
// and kv-store; one singleton host; two auditlog hosts; a tenth of the rest
// in a storage group running gluster-server; and every other host in the
// instance_manager group. Requests for fewer than 7 hosts get 7, the
// smallest layout with one instance manager. The output is the same for
// the same argument.
func Cluster(hosts int) []byte {
	hosts = max(hosts, fixedHosts+1)
	rest := hosts - fixedHosts
	storage := rest / 10
	im := rest - storage

	var b bytes.Buffer
	b.Grow(hosts*20 + 4096)
	fmt.Fprintf(&b, "# Generated cluster with %d hosts.\nprovisioner { type: generic }\n\nmachines: {\n", hosts)
	next := 0
	group := func(name string, n int, tags []string) {
		fmt.Fprintf(&b, "  %s: {\n    hosts: [\n", name)
		for range n {
			fmt.Fprintf(&b, "      %q\n", ip(next))
			next++
		}
		fmt.Fprintf(&b, "    ]\n    suitable_tags: [ %s ]\n  }\n", quoted(tags))
	}
	group("central", 3, append(append([]string{}, controlPlane...), "cluster-monitor"))
	group("singleton", 1, singletons)
	group("auditlog", 2, []string{"auditlog-database"})
	if storage > 0 {
		group("storage", storage, []string{"gluster-server"})
	}
	group("instance_manager", im, []string{"instance-manager"})
	b.WriteString("}\n\ncomponents: {\n")
	for _, c := range controlPlane {
		fmt.Fprintf(&b, "  %s: 3\n", c)
	}
	b.WriteString("  cluster-monitor: 1\n")
	for _, c := range singletons {
		fmt.Fprintf(&b, "  %s: 1\n", c)
	}
	b.WriteString("  auditlog-database: 2\n")
	if storage > 0 {
		fmt.Fprintf(&b, "  gluster-server: %d\n", storage)
	}
	fmt.Fprintf(&b, "  instance-manager: %d\n}\n", im)
	b.WriteString(chef)
	return b.Bytes()
}

// ip returns the address of host i: 10.x.y.z with z never 0, unique for
// every i below 62500*254.
func ip(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", 1+i/62500, (i/250)%250, i%250+1)
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// chef holds the settings and prompts shared by every generated file.
const chef = `
chef: {
  continuum: {
    cluster_platform: baremetal
    cluster_name: generated
    base_domain: generated.example.test
    cluster: { subnets: [ "10.0.0.0/8" ] }
    mounts: { instance-manager: { device: /dev/sdb1 } }
    package_manager: { package_store_type: local }
    router: {
      http_port: 80
      https_port: 443
      ssl: { enable: false }
    }
    auth_server: {
      identity: {
        default_provider: ldap_basic
        ldap_basic: {
          enabled: true
          search_dn: "CN=svc,DC=example,DC=test"
          base_dn: "DC=example,DC=test"
          uri: "ldaps://ldap.example.test"
        }
      }
    }
  }
}

prompts: {
  ldap_search_password: {
    label: "LDAP search account password"
    target: "chef.continuum.auth_server.identity.ldap_basic.search_passwd"
    secret: true
    min_length: 8
  }
}
`
