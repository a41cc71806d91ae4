package schema

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

// production returns the production example with each pair of old, new
// strings replaced, failing the test when an old string is missing (the
// example changed and the expected positions with it).
func production(t *testing.T, pairs ...string) *dconf.File {
	t.Helper()
	src, err := os.ReadFile("../testdata/cluster-conf/production.conf")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("production.conf no longer contains %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	f, err := dconf.Parse("production.conf", []byte(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func loadExample(t *testing.T, name string) *Policy {
	t.Helper()
	p, err := LoadPolicy("../examples/policies/" + name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return p
}

func briefAll(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s:%d:%d [%s] %s", v.Pos.Filename, v.Pos.Line, v.Pos.Column, v.Rule, v.Message))
	}
	return out
}

func TestExamplePolicies(t *testing.T) {
	kv := loadExample(t, "prod-kv-store.cue")
	name := loadExample(t, "cluster-name.cue")
	tests := []struct {
		what   string
		policy *Policy
		file   *dconf.File
		want   []string
	}{
		{
			what: "production with three kv-store servers conforms", policy: kv,
			file: production(t),
		},
		{
			what: "production with five kv-store servers", policy: kv,
			file: production(t, "kv-store: 3", "kv-store: 5"),
			want: []string{`production.conf:52:23 [prod-kv-store] production clusters need exactly 3 kv-store servers, got 5`},
		},
		{
			what: "production without kv-store", policy: kv,
			file: production(t, "            kv-store: 3\n", ""),
			want: []string{`production.conf:35:1 [prod-kv-store] production clusters need exactly 3 kv-store servers, got nothing`},
		},
		{
			what: "a lab cluster may run one kv-store server", policy: kv,
			file: production(t, "kv-store: 3", "kv-store: 1", `"prod-east"`, `"lab-east"`),
		},
		{
			what: "a conforming name", policy: name,
			file: production(t),
		},
		{
			what: "a name with capitals and an underscore", policy: name,
			file: production(t, `"prod-east"`, `"Prod_East"`),
			want: []string{`production.conf:65:21 [cluster-name] cluster name "Prod_East" must look like ENVIRONMENT-PLACE, where ENVIRONMENT is prod, stage, dev or lab and PLACE is 2 to 16 lower-case letters and digits starting with a letter`},
		},
		{
			what: "a name without an environment", policy: name,
			file: production(t, `"prod-east"`, `"east"`),
			want: []string{`production.conf:65:21 [cluster-name] cluster name "east" must look like ENVIRONMENT-PLACE, where ENVIRONMENT is prod, stage, dev or lab and PLACE is 2 to 16 lower-case letters and digits starting with a letter`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			got := briefAll(tt.policy.Check(tt.file))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestValidateWithPoliciesKeepsSchemaFindings(t *testing.T) {
	f := production(t, "kv-store: 3", "kv-store: 4")
	got := briefAll(ValidateWithPolicies(f, []*Policy{loadExample(t, "prod-kv-store.cue")}))
	want := []string{
		`production.conf:52:23 [kv-store-odd] the kv-store count must be odd (1, 3, 5 or 7) so that the Raft cluster can elect a leader, got 4`,
		`production.conf:52:23 [prod-kv-store] production clusters need exactly 3 kv-store servers, got 4`,
	}
	if len(got) != 2 || !strings.Contains(got[0], "[kv-store-odd]") || got[1] != want[1] {
		t.Errorf("got\n  %s\nwant (kv-store-odd message may differ)\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestPolicyDefaultRuleAndHint(t *testing.T) {
	p, err := CompilePolicy("org.cue", []byte("components: vault: 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	vs := p.Check(production(t, "vault: 3", "vault: 1"))
	if len(vs) != 1 {
		t.Fatalf("got %d violations, want 1: %v", len(vs), briefAll(vs))
	}
	v := vs[0]
	if v.Rule != RulePolicy || v.Pos.Line != 51 || v.Message != "components.vault must be 3, got 1" || v.Hint != "see the policy constraint at org.cue:1:20" {
		t.Errorf("got %s (hint %q)", briefAll(vs)[0], v.Hint)
	}
}

func TestPolicyNeverQuotesSecrets(t *testing.T) {
	const canary = "CANARY-policy-7f3a9"
	f := parse(t, `chef: { continuum: { auth_server: { identity: { google: { client_secret: "`+canary+`" } } } } }`+"\n")
	p, err := CompilePolicy("org.cue", []byte(`chef: continuum: auth_server: identity: google: client_secret: =~"^gcs-"`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	vs := p.Check(f)
	if len(vs) != 1 {
		t.Fatalf("got %d violations, want 1: %v", len(vs), briefAll(vs))
	}
	for _, v := range vs {
		if strings.Contains(v.Message+v.Hint, canary) {
			t.Errorf("violation leaks the secret: %s", briefAll(vs))
		}
	}
}

func TestPolicyErrors(t *testing.T) {
	tests := []struct {
		what, src, want string
	}{
		{"syntax", "components: {\n  vault: 3\n", "org.cue:2:12: expected '}'"},
		{"undeclared reference", "x: chef.continuum.cluster_name\n", "org.cue:1:4: x: reference \"chef\" not found"},
		{"unknown import", "import \"nosuch\"\n\nx: nosuch.Foo\n", "org.cue:1:8: "},
		{"contradiction", "components: vault: 3 & 5\n", "org.cue:1:20: components.vault: conflicting values"},
		{"bad rule ID", "components: vault: 3 @rule(Vault_Count)\n", "org.cue:1:22: rule ID \"Vault_Count\" must be lower-case"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			_, err := CompilePolicy("org.cue", []byte(tt.src))
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *PolicyError", err)
			}
			if !strings.HasPrefix(pe.Error(), tt.want) {
				t.Errorf("got %q, want it to start with %q", pe.Error(), tt.want)
			}
		})
	}
}

func TestPolicyRequiredFieldWithoutMessage(t *testing.T) {
	p, err := CompilePolicy("org.cue", []byte("components: \"kv-store\"!: int\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := briefAll(p.Check(production(t, "            kv-store: 3\n", "")))
	want := `production.conf:35:1 [policy] components.kv-store is required by policy "org.cue"`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPolicyRules(t *testing.T) {
	p := loadExample(t, "prod-kv-store.cue")
	if got := strings.Join(p.Rules(), ","); got != "prod-kv-store" {
		t.Errorf("Rules() = %q", got)
	}
}
