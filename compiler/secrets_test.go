package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// canaryConf is minimal.conf with literal secrets in every kind of place
// the compiler must keep out of a plan. Lint rejects it; the test compiles
// it directly.
const canaryConf = `
provisioner { type: generic }
machines: {
  central: {
    hosts: [ "10.20.0.11" ]
    suitable_tags: [ "router", "auth-server", "package-manager", "vault", "kv-store", "ldap-auth-server" ]
  }
}
components: { router: 1, auth-server: 1, package-manager: 1, vault: 1, kv-store: 1, ldap-auth-server: 1 }
chef: {
  continuum: {
    cluster_name: lab
    base_domain: lab.example.test
    auditlog_database_password: "CANARY-AUDITLOG-7f3a"
    custom_cookbook: { api_token: "CANARY-TOKEN-91bd", note: "fine to show" }
    package_manager: {
      package_store_type: s3
      s3_store: { bucket: b, access_key: AK, secret_key: "CANARY-S3-SECRET-2c4e" }
    }
    router: {
      ssl: {
        enable: true
        tlshosts: [
          {
            server_names: [ "apps.lab.example.test" ]
            certificate_chain: "-----BEGIN CERTIFICATE-----\nNOTSECRETCHAIN\n-----END CERTIFICATE-----\n"
            private_key: (
-----BEGIN PRIVATE KEY-----
CANARYPRIVATEKEYBODY0d9e8f7a6b5c
-----END PRIVATE KEY-----
)
          }
        ]
      }
    }
    auth_server: {
      identity: {
        ldap_basic: { search_dn: "CN=svc", search_passwd: "CANARY-LDAP-5e6f" }
        google: { client_id: visible-client-id, client_secret: "CANARY-GOOGLE-8a9b" }
        basic: { users: [ { name: admin, password: "CANARY-BASIC-0c1d" } ] }
      }
    }
  }
}
prompts: {
  extra_answer: { label: "x", target: "chef.continuum.auth_server.identity.keycloak.client_secret" }
}
`

var canaries = []string{
	"CANARY-AUDITLOG", "CANARY-TOKEN", "CANARY-S3-SECRET", "CANARYPRIVATEKEYBODY",
	"CANARY-LDAP", "CANARY-GOOGLE", "CANARY-BASIC", "BEGIN PRIVATE KEY",
}

func TestNoSecretInAnyRendering(t *testing.T) {
	p := compileSource(t, "canary.conf", []byte(canaryConf))
	outputs := renderAll(t, p)

	path := filepath.Join(t.TempDir(), "plan.json")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	outputs["file"] = string(file)
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for f, s := range renderAll(t, back) {
		outputs["reloaded-"+f] = s
	}

	for name, out := range outputs {
		for _, c := range canaries {
			if strings.Contains(out, c) {
				t.Errorf("%s rendering contains %q", name, c)
			}
		}
	}
	// The renderings are not empty and do show the non-secret values, so
	// the search above looked at real output.
	for _, want := range []string{"visible-client-id", "NOTSECRETCHAIN", "fine to show"} {
		if !strings.Contains(outputs[FormatJSON], want) {
			t.Errorf("json rendering lacks non-secret value %q", want)
		}
	}
}

// TestLiteralSecretsMoveToVault checks that each literal secret is not just
// dropped but stored in Vault from cluster.conf, and referenced in the
// component store.
func TestLiteralSecretsMoveToVault(t *testing.T) {
	p := compileSource(t, "canary.conf", []byte(canaryConf))
	literal := []string{
		"chef.continuum.auditlog_database_password",
		"chef.continuum.custom_cookbook.api_token",
		"chef.continuum.package_manager.s3_store.secret_key",
		"chef.continuum.router.ssl.tlshosts.0.private_key",
		"chef.continuum.auth_server.identity.ldap_basic.search_passwd",
		"chef.continuum.auth_server.identity.google.client_secret",
		"chef.continuum.auth_server.identity.basic.users.0.password",
	}
	for _, dotted := range literal {
		s := p.Step("vault.kv.put:config/" + dotted)
		if s == nil {
			t.Errorf("no Vault write for the literal at %s", dotted)
			continue
		}
		if f := s.KV.Fields; len(f) != 1 || f[0].Source != "cluster-conf:"+dotted || !f[0].Secret || f[0].Value != nil {
			t.Errorf("%s: fields = %+v", dotted, f)
		}
	}
	router := p.Step("vault.kv.put:router/tls/0")
	if router == nil {
		t.Fatal("no router TLS step")
	}
	var key *KVField
	for i := range router.KV.Fields {
		if router.KV.Fields[i].Name == "private_key" {
			key = &router.KV.Fields[i]
		}
	}
	if key == nil || key.Source != "cluster-conf:chef.continuum.router.ssl.tlshosts.0.private_key" || !key.Secret {
		t.Errorf("router private key field = %+v", key)
	}

	store := p.Step("consul.kv.put:chef/continuum/auth_server")
	if store == nil {
		t.Fatal("no auth_server store step")
	}
	for _, want := range []string{
		`"vault":"cluster/data/config/chef.continuum.auth_server.identity.ldap_basic.search_passwd"`,
		`"vault":"cluster/data/prompts/extra_answer"`,
	} {
		if !strings.Contains(string(store.ConsulKV.Value), want) {
			t.Errorf("auth_server store value lacks %s:\n%s", want, store.ConsulKV.Value)
		}
	}
}
