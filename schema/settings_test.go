package schema

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/confc/confc/dconf"
)

// path parses a dotted path the way prompt targets are written; elements made
// of digits become array indexes.
func path(s string) dconf.Path {
	if s == "" {
		return nil
	}
	var p dconf.Path
	for _, part := range strings.Split(s, ".") {
		if i, err := strconv.Atoi(part); err == nil {
			p = append(p, dconf.PathElem{Index: i, IsIndex: true})
			continue
		}
		p = append(p, dconf.PathElem{Key: part})
	}
	return p
}

func TestIsSecret(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"chef.continuum.auth_server.identity.ldap_basic.search_passwd", true},
		{"chef.continuum.auth_server.identity.google.client_secret", true},
		{"chef.continuum.auth_server.identity.keycloak.client_secret", true},
		{"chef.continuum.auth_server.identity.keycloak.web_client_secret", true},
		{"chef.continuum.auth_server.identity.basic.users.0.password", true},
		{"chef.continuum.auth_server.identity.basic.users.17.password", true},
		{"chef.continuum.package_manager.s3_store.secret_key", true},
		{"chef.continuum.router.ssl.tlshosts.0.private_key", true},
		{"chef.continuum.router.ssl.tlshosts.5.private_key", true},
		{"chef.continuum.auditlog_database_password", true},

		{"chef.continuum.auth_server.identity.google.client_id", false},
		{"chef.continuum.auth_server.identity.google.web_client_id", false},
		{"chef.continuum.auth_server.identity.basic.users.0.name", false},
		{"chef.continuum.package_manager.s3_store.access_key", false},
		{"chef.continuum.router.ssl.tlshosts.0.certificate_chain", false},
		{"chef.continuum.auditlog_database_user", false},
		{"chef.continuum.router.ssl.tlshosts", false},
		{"chef.continuum", false},
		{"", false},
		// Undeclared settings are judged by the linter, by name.
		{"chef.apzabbix.db.master_pass", false},
		{"chef.continuum.auth_server.identity.keycloak.other_secret", false},
		{"chef.continuum.router.ssl.tlshosts.private_key", false},
		{"components.vault", false},
	}
	for _, tt := range tests {
		if got := IsSecret(path(tt.path)); got != tt.want {
			t.Errorf("IsSecret(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestIsSecretKeyForm(t *testing.T) {
	// A dotted target turned into keys only: "0" is a key, not an index.
	p := dconf.Path{{Key: "chef"}, {Key: "continuum"}, {Key: "router"}, {Key: "ssl"}, {Key: "tlshosts"}, {Key: "0"}, {Key: "private_key"}}
	if !IsSecret(p) || !KnownSetting(p) {
		t.Errorf("IsSecret/KnownSetting(%s) = %v/%v, want true/true", p, IsSecret(p), KnownSetting(p))
	}
}

func TestKnownSetting(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"", true},
		{"provisioner.type", true},
		{"machines.central.hosts", true},
		{"machines.any_group.hosts.3", true},
		{"machines.central.suitable_tags", true},
		{"components.router", true},
		{"components.kv-store", true},
		{"chef.continuum.cluster_name", true},
		{"chef.continuum.router.ssl.tlshosts.0.private_key", true},
		{"chef.continuum.router.ssl.tlshosts.0.server_names.1", true},
		{"chef.continuum.auth_server.identity.ldap_basic.search_passwd", true},
		{"chef.continuum.auth_server.identity.basic.users.2.password", true},
		{"chef.continuum.mounts.instance-manager.device", true},
		{"chef.continuum.package_manager.s3_store.secret_key", true},
		{"prompts.any_name.target", true},

		{"foo", false},
		{"provisioner.kind", false},
		{"components.route", false},
		{"machines.central.host", false},
		{"chef.continuum.vxlan_enable", false},
		{"chef.apzabbix.db.master_pass", false},
		{"chef.continuum.router.failover", false},
		{"chef.continuum.router.ssl.tlshosts.0.privatekey", false},
		{"chef.continuum.cluster_name.x", false},
		{"prompts.bad-name", false},
	}
	for _, tt := range tests {
		if got := KnownSetting(path(tt.path)); got != tt.want {
			t.Errorf("KnownSetting(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestComponents(t *testing.T) {
	got := Components()
	for _, name := range []string{"router", "vault", "kv-store", "instance-manager", "ldap-auth-server", "orchestrator-server", "gluster-server"} {
		found := false
		for _, c := range got {
			found = found || c == name
		}
		if !found {
			t.Errorf("Components() lacks %q", name)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Errorf("Components() not sorted or not unique at %q, %q", got[i-1], got[i])
		}
	}
	got[0] = "changed"
	if Components()[0] == "changed" {
		t.Error("Components() returns the package's own slice")
	}
}

func TestVersion(t *testing.T) {
	v := Version()
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(v) {
		t.Errorf("Version() = %q, want 16 hex digits", v)
	}
	if again := Version(); again != v {
		t.Errorf("Version() changed between calls: %q, %q", v, again)
	}
}

// TestNoSchemaPositions feeds many kinds of mistakes and checks that every
// violation points into cluster.conf, never into a schema file.
func TestNoSchemaPositions(t *testing.T) {
	src := `provisioner { type: [1] }
machines: {
  g1: { hosts: [ "x", 1, {a: 1} ], suitable_tags: [ rooter, 3 ], other: 1 }
  g2: "not a map"
}
components: { route: 1, kv-store: 4, vault: -2, router: "x" }
chef: {
  continuum: {
    cluster_name: "A B", base_domain: 3, cluster: { subnets: "10.0.0.0/8" }
    router: { http_port: "80", ssl: { enable: "yes", tlshosts: [ { private_key: 1 }, 5 ] } }
    auth_server: { identity: { ldap_basic: { model_name: X, port: true } } }
    mounts: { im: { device: "sdb" } }
    vxlan: 1
  }
  apzabbix: 7
}
prompts: { p: { label: 1, target: 2, secret: "no", min_length: -1, pattern: [] }, q: {} }
extra: {}
`
	vs := Validate(parse(t, src))
	if len(vs) < 20 {
		t.Errorf("got %d violations, want at least 20", len(vs))
	}
	for _, v := range vs {
		if v.Pos.Filename != "cluster.conf" || v.End.Filename != "cluster.conf" || !v.Pos.IsValid() {
			t.Errorf("violation not positioned in cluster.conf: %s-%s %s", v.Pos, v.End, brief(v))
		}
		if strings.Contains(v.Message, ".cue") || strings.Contains(v.Hint, ".cue") {
			t.Errorf("violation names a schema file: %s", brief(v))
		}
		if v.Message == "" || strings.HasSuffix(v.Message, ".") || v.Message[0] >= 'A' && v.Message[0] <= 'Z' {
			t.Errorf("message not in house style: %q", v.Message)
		}
	}
}

// TestSecretsNotEchoed puts canary values at secret settings, in forms the
// schema rejects, and checks no violation repeats them.
func TestSecretsNotEchoed(t *testing.T) {
	const canary = "CANARY-9f2c7e"
	src := `chef: { continuum: {
  router: { ssl: { tlshosts: [ { private_key: [ "` + canary + `" ] }, { private_key: { k: "` + canary + `" } } ] } }
  auth_server: { identity: { basic: { users: [ { password: 7, name: "` + canary + `x" } ] } } }
  auditlog_database_password: { v: "` + canary + `" }
} }
`
	vs := Validate(parse(t, src))
	if len(vs) == 0 {
		t.Fatal("no violations; the test needs some")
	}
	for _, v := range vs {
		if strings.Contains(v.Message+v.Hint, canary) {
			t.Errorf("violation echoes a secret: %s", brief(v))
		}
	}
}

func TestValidateConcurrent(t *testing.T) {
	f := parse(t, "components: { kv-store: 2 }\n")
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				vs := Validate(f)
				if len(vs) != 1 || vs[0].Rule != RuleKVStoreOdd {
					errs <- "unexpected violations"
					return
				}
				_ = IsSecret(path("chef.continuum.router.ssl.tlshosts.0.private_key"))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestValidateNil(t *testing.T) {
	if vs := Validate(nil); vs != nil {
		t.Errorf("Validate(nil) = %v, want nil", vs)
	}
}
