package schema

import (
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

func TestLooksSecretKey(t *testing.T) {
	secret := []string{
		"password", "db_password", "db-password", "DB_PASSWORD", "dbPassword",
		"passwd", "search_passwd", "pwd", "admin-pwd", "passphrase",
		"secret", "secrets", "client-secret", "client_secret", "clientSecret",
		"token", "api_token", "x-tokens", "private_key", "private-key", "privateKey",
		"privatekey", "tls.private_key", "secret_key", "secret-key", "secretkey",
		"api_key", "api-key", "apikey", "ApiKey", "credentials",
	}
	plain := []string{
		"", "port", "key", "public_key", "token_ttl", "passwords_file_x",
		"secretary", "tokenizer", "api_keys_url", "keyword", "user",
	}
	for _, k := range secret {
		if !LooksSecretKey(k) {
			t.Errorf("LooksSecretKey(%q) = false, want true", k)
		}
	}
	for _, k := range plain {
		if LooksSecretKey(k) {
			t.Errorf("LooksSecretKey(%q) = true, want false", k)
		}
	}
}

func TestSecretKind(t *testing.T) {
	f := parse(t, `chef: { continuum: {
  stagehand: {
    api_token: { value: CANARYMAP01, list: [CANARYMAP02] }
    private-key: CANARYPK1
    api-key: CANARYAK2
    secret-key: CANARYSK3
    apikey: CANARYAK4
    pwd: CANARYPWD5
    secrets: [ CANARYS6, { inner: CANARYS7 } ]
    name: plain
  }
  auth_server: { identity: { ldap_basic: { search_passwd: s, port: 636 } } }
} }
prompts: { p: { label: x, target: "chef.continuum.stagehand.name", secret: true } }
`)
	want := map[string]Secrecy{}
	dconf.Walk(f.Root, func(p dconf.Path, v dconf.Value) bool {
		if _, ok := v.(*dconf.String); ok && strings.HasPrefix(v.(*dconf.String).Value, "CANARY") {
			want[p.String()] = LooksSecret
		}
		return true
	})
	if len(want) != 9 {
		t.Fatalf("found %d canaries, want 9", len(want))
	}
	want["chef.continuum.auth_server.identity.ldap_basic.search_passwd"] = SchemaSecret
	want["chef.continuum.auth_server.identity.ldap_basic.port"] = NotSecret
	want["chef.continuum.stagehand.name"] = NotSecret
	want["prompts.p.secret"] = NotSecret
	want["prompts.p.label"] = NotSecret
	dconf.Walk(f.Root, func(p dconf.Path, v dconf.Value) bool {
		w, ok := want[p.String()]
		if !ok {
			return true
		}
		delete(want, p.String())
		if got := SecretKind(p); got != w {
			t.Errorf("SecretKind(%s) = %d, want %d", p, got, w)
		}
		return true
	})
	if len(want) > 0 {
		t.Errorf("paths not visited: %v", want)
	}
}

func TestParseTarget(t *testing.T) {
	good := map[string]dconf.Path{
		"a.b":     {{Key: "a"}, {Key: "b"}},
		"a.0.b":   {{Key: "a"}, {Index: 0, IsIndex: true}, {Key: "b"}},
		"a.10":    {{Key: "a"}, {Index: 10, IsIndex: true}},
		"a.x-1.b": {{Key: "a"}, {Key: "x-1"}, {Key: "b"}},
	}
	for s, want := range good {
		p, err := ParseTarget(s)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", s, err)
			continue
		}
		if p.String() != want.String() || len(p) != len(want) {
			t.Errorf("ParseTarget(%q) = %s, want %s", s, p, want)
		}
		for i := range p {
			if p[i] != want[i] {
				t.Errorf("ParseTarget(%q)[%d] = %+v, want %+v", s, i, p[i], want[i])
			}
		}
	}
	for _, s := range []string{"", "a..b", ".a", "a.", "a.00", "a.01", "a.+1", "a.-1", "a.99999999999999999999999"} {
		if p, err := ParseTarget(s); err == nil {
			t.Errorf("ParseTarget(%q) = %s, want an error", s, p)
		}
	}
}

func TestSecretsTarget(t *testing.T) {
	f := parse(t, `chef: { continuum: { cluster: { subnets: [ "CANARYSUBNET" ] } } }
prompts: { a: { label: a, target: "chef.continuum.cluster.subnets.00" } }
`)
	s := NewSecrets(f)
	p := dconf.Path{{Key: "chef"}, {Key: "continuum"}, {Key: "cluster"}, {Key: "subnets"}, {Index: 0, IsIndex: true}}
	if !s.Hidden(p, dconf.Lookup(f.Root, p)) {
		t.Errorf("the value a refused target 00 was meant for is not hidden")
	}
	if s.Hidden(p[:4], nil) {
		t.Errorf("the array above the target is hidden")
	}
}

// TestMessagesHideTargetsAndSecrets checks that schema and policy messages
// never quote a secret or prompt-target value, escaped or not.
func TestMessagesHideTargetsAndSecrets(t *testing.T) {
	f := parse(t, `chef: { continuum: {
  auth_server: { identity: { ldap_basic: { port: "CANARYPORT\"99" } } }
  stagehand: { api_token: "CANARY\\TOK" }
} }
prompts: { p: { label: x, target: "chef.continuum.auth_server.identity.ldap_basic.port" } }
`)
	pol, err := CompilePolicy("org.cue", []byte("package org\nchef: continuum: stagehand: api_token: =~\"^tok-\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	vs := ValidateWithPolicies(f, []*Policy{pol})
	if len(vs) != 2 {
		t.Fatalf("got %d violations, want 2: %v", len(vs), vs)
	}
	for _, v := range vs {
		if strings.Contains(v.Message+v.Hint, "CANARY") {
			t.Errorf("message shows a hidden value: %s", brief(v))
		}
	}
}

func TestDuplicateSuitableTag(t *testing.T) {
	f := parse(t, "machines: { central: { hosts: [\"10.0.0.1\"], suitable_tags: [vault, kv-store, vault] } }\n")
	var got []string
	for _, v := range Validate(f) {
		got = append(got, brief(v))
	}
	want := `1:78 [schema] suitable tag "vault" is listed twice in machines.central.suitable_tags (first at 1:61) (remove the repeated tag, or name the component that was meant)`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want [%q]", got, want)
	}
}

func TestUnsafeKeys(t *testing.T) {
	f := parse(t, `machines: { "../../acl": { hosts: ["10.9.9.9"], suitable_tags: [] }, ok: { hosts: ["10.0.0.2"] } }
chef: { continuum: {
  ssh: { "../../../../auth/x_token": C3 }
  stagehand: { "x.api_token": A1, x: { api_token: B2 }, "a.b": notsecret }
  "": 1
} }
`)
	var got []string
	for _, k := range UnsafeKeys(f) {
		got = append(got, k.Key.Name+": "+k.Problem)
	}
	want := []string{
		"../../acl: a key holding a slash",
		": an empty key",
		"../../../../auth/x_token: a key holding a slash",
		"x.api_token: a key holding a dot",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, k := range []string{"..", ".", "a\x1bb", "a\xffb", "a\\b"} {
		if KeyProblem(k, false) == "" {
			t.Errorf("KeyProblem(%q) is empty", k)
		}
	}
	if KeyProblem("a.b", false) != "" || KeyProblem("a.b", true) == "" {
		t.Errorf("a dot is a problem only in a dotted path")
	}
}
