package compiler

import (
	"errors"
	"strings"
	"testing"

	"github.com/confc/confc/lint"
)

// withContinuum returns production.conf with extra settings placed first in
// chef.continuum.
func withContinuum(t *testing.T, extra string) []byte {
	t.Helper()
	src := string(readConf(t, "production.conf"))
	const anchor = `"cluster_name": "prod-east"`
	if !strings.Contains(src, anchor) {
		t.Fatalf("production.conf has no %q", anchor)
	}
	return []byte(strings.Replace(src, anchor, extra+"\n"+anchor, 1))
}

// TestSecretShapesStayOutOfThePlan checks that every value lint calls secret
// is kept out of the plan, whatever its shape or the spelling of its key.
func TestSecretShapesStayOutOfThePlan(t *testing.T) {
	extra := `"stagehand": { "api_token": { "value": "CANARYMAP01", "list": ["CANARYMAP02"] },
  private-key: "CANARYPK1", api-key: "CANARYAK2", secret-key: CANARYSK3, client-secret: CANARYCS7,
  apikey: CANARYAK8, pwd: CANARYPWD9, secrets: [ CANARYS10 ], db-Password: CANARYDB11 },`
	src := withContinuum(t, extra)
	p := compileSource(t, "production.conf", src)
	for name, out := range renderAll(t, p) {
		if i := strings.Index(out, "CANARY"); i >= 0 {
			t.Errorf("%s rendering shows %q", name, out[i:min(len(out), i+12)])
		}
	}
	// The values lint masks are exactly those the plan moves to Vault.
	f := parse(t, "production.conf", src)
	r := lint.File(f)
	warned := 0
	for _, d := range r.Diagnostics {
		if d.Rule == "plaintext-secret" {
			warned++
		}
	}
	moved := 0
	for _, s := range p.Steps {
		if strings.HasPrefix(s.ID, "vault.kv.put:config/chef.continuum.stagehand.") {
			moved++
		}
	}
	if warned != 10 || moved != 10 {
		t.Errorf("lint reports %d plaintext secrets and the plan moves %d, want 10 and 10", warned, moved)
	}
}

// TestFingerprintHidesSecrets checks that a secret value does not enter the
// fingerprint: two files that differ only in a secret have the same one.
func TestFingerprintHidesSecrets(t *testing.T) {
	fp := func(extra string) string {
		return Fingerprint(parse(t, "production.conf", withContinuum(t, extra)))
	}
	cases := []struct {
		what string
		a, b string
		same bool
	}{
		{"looks-secret literal", `"stagehand": { db_password: "summer2026" },`, `"stagehand": { db_password: "winter2027" },`, true},
		{"value below a secret key", `"stagehand": { api_token: { v: [a1] } },`, `"stagehand": { api_token: { v: [b2] } },`, true},
		{"schema secret", `auditlog_database_password: "summer2026",`, `auditlog_database_password: "autumn2026",`, true},
		{"set and unset secret differ", `"stagehand": { db_password: "summer2026" },`, `"stagehand": { db_password: "" },`, false},
		{"ordinary value", `"stagehand": { note: "summer2026" },`, `"stagehand": { note: "winter2027" },`, false},
		{"date-time offset", `"stagehand": { since: 2026-12-03T18:00:00+01:00 },`, `"stagehand": { since: 2026-12-03T17:00:00Z },`, false},
	}
	for _, c := range cases {
		if got := fp(c.a) == fp(c.b); got != c.same {
			t.Errorf("%s: same fingerprint = %v, want %v", c.what, got, c.same)
		}
	}
}

// TestCompileRefusesUnsafeKeys checks that keys which would escape or
// collide in Vault and Consul paths never reach a plan.
func TestCompileRefusesUnsafeKeys(t *testing.T) {
	for what, extra := range map[string]string{
		"dotted key collides":     `"stagehand": { "x.api_token": "A1", "x": { "api_token": "B2" } },`,
		"secret key climbs out":   `"ssh": { "../../../../auth/x_token": "C3" },`,
		"setting name climbs out": `"../../acl": { a: 1 },`,
	} {
		f := parse(t, "production.conf", withContinuum(t, extra))
		if p, err := Compile(f); err == nil || !strings.Contains(err.Error(), "cannot be written into a Vault or Consul path") {
			t.Errorf("%s: Compile = %v, %v; want an unsafe key error", what, p != nil, err)
		}
		if _, _, err := CompileChecked(f); !errors.Is(err, ErrLint) {
			t.Errorf("%s: CompileChecked error %v, want ErrLint", what, err)
		}
	}
}

// TestCompileRefusesTargetThroughMissingElement checks that a prompt whose
// answer would have no place in the component store gives no plan.
func TestCompileRefusesTargetThroughMissingElement(t *testing.T) {
	src := string(readConf(t, "production.conf"))
	f := parse(t, "production.conf", []byte(strings.Replace(src, "prompts: {",
		"prompts: {\n  far: { label: \"far\", target: \"chef.continuum.router.ssl.tlshosts.7.private_key\" }", 1)))
	if _, err := Compile(f); err == nil || !strings.Contains(err.Error(), "tlshosts.7.private_key") {
		t.Errorf("Compile error = %v, want one naming the target", err)
	}
}
