package compiler

import (
	"slices"
	"strconv"
	"strings"
)

// The fixed names of the Vault layout. docs/plan.md documents them; apply
// and the components rely on them, so changing one is a breaking change.
const (
	// KVMount is the KV v2 mount that holds every cluster secret.
	KVMount = "cluster"
	// PKIMount is the PKI mount that holds the cluster CA.
	PKIMount = "pki"
	// UserpassMount is the userpass auth mount of the passphrase user.
	UserpassMount = "userpass"
	// AdminPolicy is the policy of the passphrase user.
	AdminPolicy = "cluster-admin"
	// AdminUser is the userpass user the cluster passphrase logs in as.
	AdminUser = "cluster-admin"
	// VaultServerRole is the PKI role Vault's server certificate is issued
	// under.
	VaultServerRole = "vault-server"
	// ConsulComponentsPolicy is the Consul policy of the component token.
	ConsulComponentsPolicy = "confc-components"
)

// The logical paths inside KVMount (without "data/").
const (
	pathDBPassword   = "database/component-database"
	pathKVStoreToken = "kv-store/token"
	pathVaultTLS     = "vault/server-tls"
)

func pathClassKey(kind string) string { return "components/" + kind + "/class-key" }
func pathEFSKey(mount string) string  { return "efs/" + mount }
func pathPrompt(name string) string   { return "prompts/" + name }
func pathRouterTLS(i int) string      { return "router/tls/" + strconv.Itoa(i) }
func pathConfig(dotted string) string { return "config/" + dotted }

// kvAPIPath returns the Vault API path of a KV v2 entry: what policies grant
// and what components read.
func kvAPIPath(logical string) string { return KVMount + "/data/" + logical }

// StorePrefix returns the Consul key prefix of the component store of the
// named cluster, with a trailing slash.
func StorePrefix(cluster string) string { return "confc/" + cluster + "/store/" }

// componentPolicy returns the Vault policy (and token role) name of a
// component kind.
func componentPolicy(kind string) string { return "component-" + kind }

// databaseUsers are the component kinds that log in to the component
// database and so read its password.
var databaseUsers = []string{
	"api-server", "auth-server", "component-database", "events-server",
	"health-manager", "job-manager", "package-manager", "stagehand",
}

// storeUsers are the component kinds that use the Consul component store and
// so read the key-value store token.
var storeUsers = []string{
	"api-server", "auth-server", "cluster-monitor", "events-server",
	"health-manager", "job-manager", "package-manager",
}

// settingReaders maps a part of chef.continuum (dotted, relative to it) to
// the component kinds that consume the secrets below it: a prompt answer or a
// literal secret at a path under the prefix is readable by those kinds. The
// longest matching prefix wins; a path under no prefix is readable only by
// the passphrase user.
var settingReaders = map[string][]string{
	"auth_server":                     {"auth-server"},
	"auth_server.identity.basic":      {"auth-server", "basic-auth-server"},
	"auth_server.identity.google":     {"auth-server", "google-auth-server"},
	"auth_server.identity.keycloak":   {"auth-server", "keycloak-auth-server"},
	"auth_server.identity.ldap_basic": {"auth-server", "ldap-auth-server"},
	"auditlog_database_password":      {"api-server", "auditlog-database"},
	"component_database":              {"component-database"},
	"instance_manager":                {"instance-manager"},
	"nfs":                             {"nfs-server"},
	"package_manager":                 {"package-manager"},
	"router":                          {"router"},
	"stagehand":                       {"stagehand"},
}

// readersOf returns the component kinds that read the secret at the dotted
// path p (a full path from the root of cluster.conf), sorted.
func readersOf(p string) []string {
	rel, ok := strings.CutPrefix(p, "chef.continuum.")
	if !ok {
		return []string{}
	}
	best, found := "", false
	for prefix := range settingReaders {
		if (rel == prefix || strings.HasPrefix(rel, prefix+".")) && len(prefix) >= len(best) {
			best, found = prefix, true
		}
	}
	if !found {
		return []string{}
	}
	r := slices.Clone(settingReaders[best])
	slices.Sort(r)
	return r
}

// efsOwners maps a mount name under chef.continuum.mounts to the component
// kind that mounts it and so reads its encryption key. A mount named after a
// component kind belongs to that kind; any other mount belongs to the
// instance managers, which host most volumes.
var efsOwners = map[string]string{
	"auditlog":        "auditlog-database",
	"graphite":        "graphite-server",
	"package-storage": "package-manager",
	"redis":           "redis-server",
	"nfs":             "nfs-server",
}

// efsOwner returns the component kind that reads the key of a mount.
func efsOwner(mount string, known func(string) bool) string {
	if o, ok := efsOwners[mount]; ok {
		return o
	}
	if strings.HasPrefix(mount, "gluster-brick") {
		return "gluster-server"
	}
	if known(mount) {
		return mount
	}
	return "instance-manager"
}
