package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

// parse parses src as cluster.conf, failing the test on a syntax error.
func parse(t testing.TB, src string) *dconf.File {
	t.Helper()
	f, err := dconf.Parse("cluster.conf", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

// brief writes a violation as line:col [rule] message, the form the tables
// below expect.
func brief(v Violation) string {
	s := fmt.Sprintf("%d:%d [%s] %s", v.Pos.Line, v.Pos.Column, v.Rule, v.Message)
	if v.Hint != "" {
		s += " (" + v.Hint + ")"
	}
	return s
}

func TestValidateConstraints(t *testing.T) {
	tests := []struct {
		what string
		src  string
		want []string
	}{
		{
			what: "valid file with every section",
			src: `provisioner { type: generic }
machines: { central: { hosts: ["10.0.0.1", "fd00::1"], suitable_tags: [vault, kv-store] } }
components: { vault: 1, kv-store: 3 }
chef: { continuum: { cluster_name: lab }, apzabbix: { anything: 1 } }
prompts: { p1: { label: "L", target: "chef.continuum.auth_server.identity.google.client_secret" } }
`,
		},
		{
			what: "unknown section",
			src:  "provisioner { type: generic }\nprovisoner { type: generic }\n",
			want: []string{`2:1 [unknown-section] unknown section "provisoner": expected one of chef, components, machines, prompts, provisioner (did you mean "provisioner"?)`},
		},
		{
			what: "unknown section without a close match",
			src:  "foo: 1\n",
			want: []string{`1:1 [unknown-section] unknown section "foo": expected one of chef, components, machines, prompts, provisioner`},
		},
		{
			what: "provisioner type",
			src:  "provisioner { type: aws }\n",
			want: []string{`1:21 [schema] provisioner.type must be "generic", got "aws"`},
		},
		{
			what: "provisioner is not a map",
			src:  "provisioner: generic\n",
			want: []string{`1:14 [schema] provisioner must be a map, got "generic"`},
		},
		{
			what: "unknown provisioner key",
			src:  "provisioner { typ: generic }\n",
			want: []string{`1:15 [schema] unknown setting "typ" in provisioner (did you mean "type"?)`},
		},
		{
			what: "kv-store even",
			src:  "components: {\n  kv-store: 2\n}\n",
			want: []string{`2:13 [kv-store-odd] kv-store count must be odd (1, 3, 5, …) for a Raft quorum, got 2`},
		},
		{
			what: "kv-store odd and zero are fine",
			src:  "components: { kv-store: 5 }\nmachines: { a: { suitable_tags: [] } }\n",
		},
		{
			what: "kv-store zero is fine",
			src:  "components: { kv-store: 0 }\n",
		},
		{
			what: "negative count",
			src:  "components: { vault: -1 }\n",
			want: []string{`1:22 [schema] components.vault must be at least 0, got -1`},
		},
		{
			what: "count is not an integer",
			src:  "components: { vault: three }\n",
			want: []string{`1:22 [schema] components.vault must be an integer, got "three"`},
		},
		{
			what: "unknown component with every other error in the same map",
			src:  "components: {\n  route: 1\n  kv-store: 2\n  vault: -1\n}\n",
			want: []string{
				`2:3 [unknown-component] unknown component "route" (did you mean "router"?)`,
				`3:13 [kv-store-odd] kv-store count must be odd (1, 3, 5, …) for a Raft quorum, got 2`,
				`4:10 [schema] components.vault must be at least 0, got -1`,
			},
		},
		{
			what: "unknown component in suitable_tags",
			src:  "machines: {\n  central: {\n    suitable_tags: [ vault, rooter ]\n  }\n}\n",
			want: []string{`3:29 [unknown-component] unknown component "rooter" (did you mean "router"?)`},
		},
		{
			what: "unknown component far from any name",
			src:  "components: { zzzzzzzz: 1 }\n",
			want: []string{`1:15 [unknown-component] unknown component "zzzzzzzz"`},
		},
		{
			what: "bad IP addresses",
			src:  "machines: {\n  central: {\n    hosts: [ \"10.20.0.1\", \"10.20.0.x\", \"::g\" ]\n  }\n}\n",
			want: []string{
				`3:27 [schema] "10.20.0.x" is not an IP address`,
				`3:40 [schema] "::g" is not an IP address`,
			},
		},
		{
			what: "hosts is not an array",
			src:  "machines: { central: { hosts: \"10.0.0.1\" } }\n",
			want: []string{`1:31 [schema] machines.central.hosts must be an array, got "10.0.0.1"`},
		},
		{
			what: "unknown key in a machine group",
			src:  "machines: { central: { host: [] } }\n",
			want: []string{`1:24 [schema] unknown setting "host" in machines.central (did you mean "hosts"?)`},
		},
		{
			what: "subnets must be CIDRs",
			src:  "chef: { continuum: { cluster: { subnets: [ \"10.0.0.0/8\", \"10.0.0.1\" ] } } }\n",
			want: []string{`1:58 [schema] "10.0.0.1" is not a network in CIDR notation such as 10.0.0.0/16`},
		},
		{
			what: "cluster name",
			src:  "chef: { continuum: { cluster_name: Prod_East } }\n",
			want: []string{`1:36 [schema] cluster_name must be a DNS label (lower-case letters, digits and "-", at most 63), got "Prod_East"`},
		},
		{
			what: "base domain",
			src:  "chef: { continuum: { base_domain: \"a..b\" } }\n",
			want: []string{`1:35 [schema] base_domain must be a DNS name, got "a..b"`},
		},
		{
			what: "port out of range",
			src:  "chef: { continuum: { router: { http_port: 0, https_port: 70000 } } }\n",
			want: []string{
				`1:43 [schema] chef.continuum.router.http_port must be at least 1, got 0`,
				`1:58 [schema] chef.continuum.router.https_port must be at most 65535, got 70000`,
			},
		},
		{
			what: "boolean setting",
			src:  "chef: { continuum: { vxlan_enabled: yes } }\n",
			want: []string{`1:37 [schema] chef.continuum.vxlan_enabled must be a boolean, got "yes"`},
		},
		{
			what: "typo in continuum",
			src:  "chef: { continuum: { vxlan_enable: true } }\n",
			want: []string{`1:22 [schema] unknown setting "vxlan_enable" in chef.continuum (did you mean "vxlan_enabled"?)`},
		},
		{
			what: "open parts accept anything",
			src: `chef: {
  continuum: {
    router: { failover: true }
    auth_server: { identity: { keycloak: { anything: 1 }, saml: {} } }
    mounts: { data: { device: "/dev/sdc", options: "x" } }
  }
  apzabbix: { db: { master_pass: "x" } }
}
`,
		},
		{
			what: "package store type",
			src:  "chef: { continuum: { package_manager: { package_store_type: ftp } } }\n",
			want: []string{`1:61 [schema] chef.continuum.package_manager.package_store_type must be one of "gluster", "local", "s3", got "ftp"`},
		},
		{
			what: "tls host key is closed",
			src:  "chef: { continuum: { router: { ssl: { tlshosts: [ { server_name: [] } ] } } } }\n",
			want: []string{`1:53 [schema] unknown setting "server_name" in chef.continuum.router.ssl.tlshosts.0 (did you mean "server_names"?)`},
		},
		{
			what: "secret values are never quoted",
			src:  "chef: { continuum: { router: { ssl: { tlshosts: [ { private_key: 12345 } ] } } } }\n",
			want: []string{`1:66 [schema] chef.continuum.router.ssl.tlshosts.0.private_key must be a string, got a hidden secret value`},
		},
		{
			what: "ldap port as string or number",
			src:  "chef: { continuum: { auth_server: { identity: { ldap_basic: { port: \"636\" } } } } }\n",
		},
		{
			what: "ldap port not a number",
			src:  "chef: { continuum: { auth_server: { identity: { ldap_basic: { port: \"ldaps\" } } } } }\n",
			want: []string{`1:69 [schema] chef.continuum.auth_server.identity.ldap_basic.port must be a match of the regular expression "^[0-9]+$", got "ldaps"`},
		},
		{
			what: "prompt missing required fields",
			src:  "prompts: {\n  p1: { help: \"h\" }\n}\n",
			want: []string{
				`2:3 [schema] prompts.p1 is missing required field "label"`,
				`2:3 [schema] prompts.p1 is missing required field "target"`,
			},
		},
		{
			what: "prompt fields",
			src:  "prompts: {\n  p1: { label: \"L\", target: \"a b\", secret: 1, min_length: 0, colour: red }\n}\n",
			want: []string{
				`2:29 [schema] target must be a dotted setting path such as chef.continuum.router.ssl.tlshosts.0.private_key, got "a b"`,
				`2:44 [schema] prompts.p1.secret must be a boolean, got 1`,
				`2:59 [schema] prompts.p1.min_length must be at least 1, got 0`,
				`2:62 [schema] unknown setting "colour" in prompts.p1 (expected one of help, label, min_length, pattern, secret, target)`,
			},
		},
		{
			what: "prompt name",
			src:  "prompts: {\n  bad-name: { label: \"L\", target: \"a.b\" }\n}\n",
			want: []string{`2:3 [schema] key "bad-name" is not allowed in prompts`},
		},
		{
			what: "errors in several sections at once",
			src:  "provisioner { type: aws }\ncomponents: { route: 1 }\nprompts: { p: { label: L } }\nfoo: 1\n",
			want: []string{
				`1:21 [schema] provisioner.type must be "generic", got "aws"`,
				`2:15 [unknown-component] unknown component "route" (did you mean "router"?)`,
				`3:12 [schema] prompts.p is missing required field "target"`,
				`4:1 [unknown-section] unknown section "foo": expected one of chef, components, machines, prompts, provisioner`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			var got []string
			for _, v := range Validate(parse(t, tt.src)) {
				got = append(got, brief(v))
				if v.Severity != SeverityError {
					t.Errorf("severity %q, want error: %s", v.Severity, brief(v))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestExamples checks the schema-side findings on every example file.
func TestExamples(t *testing.T) {
	want := map[string][]string{
		"minimal.conf":               nil,
		"production.conf":            nil,
		"bad/even-kv-store.conf":     {`45:23 [kv-store-odd] kv-store count must be odd (1, 3, 5, …) for a Raft quorum, got 2`},
		"bad/no-secret-store.conf":   nil,
		"bad/plaintext-secret.conf":  nil,
		"bad/unknown-component.conf": {`36:16 [unknown-component] unknown component "route" (did you mean "router"?)`},
		"bad/vault-off-central.conf": nil,
	}
	dir := filepath.Join("..", "testdata", "cluster-conf")
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			f, err := dconf.Parse(name, src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var got []string
			for _, v := range Validate(f) {
				got = append(got, brief(v))
				if v.Pos.Filename != name {
					t.Errorf("position in %q, want %q", v.Pos.Filename, name)
				}
				if s := string(src[v.Pos.Offset:v.End.Offset]); v.End.Offset <= v.Pos.Offset || strings.TrimSpace(s) == "" {
					t.Errorf("empty span %s-%s", v.Pos, v.End)
				}
			}
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		})
	}
}
