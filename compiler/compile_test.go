package compiler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/confc/confc/dconf"
)

const confDir = "../testdata/cluster-conf"

// parse parses src as name or fails the test.
func parse(t testing.TB, name string, src []byte) *dconf.File {
	t.Helper()
	f, err := dconf.Parse(name, src)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return f
}

// compileSource parses and compiles src, bypassing the lint gate.
func compileSource(t testing.TB, name string, src []byte) *Plan {
	t.Helper()
	p, err := Compile(parse(t, name, src))
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return p
}

func readConf(t testing.TB, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(confDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// validConfs lists the example files that lint without errors.
func validConfs(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(confDir, "*.conf"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no example files in %s: %v", confDir, err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// renderAll returns every rendering of p, by format.
func renderAll(t testing.TB, p *Plan) map[Format]string {
	t.Helper()
	out := map[Format]string{}
	for _, f := range []Format{FormatText, FormatJSON, FormatMarkdown} {
		var b bytes.Buffer
		if err := Render(&b, p, f); err != nil {
			t.Fatalf("render %s: %v", f, err)
		}
		out[f] = b.String()
	}
	return out
}

func TestExamplesLintCleanAndCompile(t *testing.T) {
	for _, name := range validConfs(t) {
		t.Run(name, func(t *testing.T) {
			f := parse(t, name, readConf(t, name))
			p, r, err := CompileChecked(f)
			if err != nil {
				var b strings.Builder
				for _, d := range r.Diagnostics {
					fmt.Fprintln(&b, d)
				}
				t.Fatalf("CompileChecked: %v\n%s", err, b.String())
			}
			if len(p.Steps) == 0 {
				t.Fatal("plan has no steps")
			}
		})
	}
}

func TestCompileCheckedRefusesLintErrors(t *testing.T) {
	src := readConf(t, "bad/even-kv-store.conf")
	_, r, err := CompileChecked(parse(t, "even-kv-store.conf", src))
	if !errors.Is(err, ErrLint) {
		t.Fatalf("err = %v, want ErrLint", err)
	}
	if r == nil || !r.HasErrors() {
		t.Fatalf("lint result = %+v, want errors", r)
	}
}

// TestDependenciesPointBackwards checks the ordering invariants on every
// example: each dependency is an earlier step, phases never go back, and
// the specific orderings the layout promises hold.
func TestDependenciesPointBackwards(t *testing.T) {
	for _, name := range validConfs(t) {
		p := compileSource(t, name, readConf(t, name))
		pos := map[string]int{}
		lastPhase := -1
		for i, s := range p.Steps {
			for _, d := range s.DependsOn {
				j, ok := pos[d]
				if !ok {
					t.Errorf("%s: step %d %q depends on %q, which does not come before it", name, i, s.ID, d)
				} else if j >= i {
					t.Errorf("%s: dependency %q of %q is at %d, not before %d", name, d, s.ID, j, i)
				}
			}
			if r := s.Phase.rank(); r < lastPhase {
				t.Errorf("%s: step %q of phase %s comes after a later phase", name, s.ID, s.Phase)
			} else {
				lastPhase = r
			}
			pos[s.ID] = i
		}
		before := func(a, b string) {
			t.Helper()
			ia, oka := pos[a]
			ib, okb := pos[b]
			if !oka || !okb || ia >= ib {
				t.Errorf("%s: want %q before %q (positions %d, %d)", name, a, b, ia, ib)
			}
		}
		before("vault.pki.ca:pki", "vault.pki.cert:vault-server")
		before("consul.acl.token:components", "vault.kv.put:kv-store/token")
		before("vault.mount:cluster", "vault.kv.generate:components/router/class-key")
		if err := p.check(); err != nil {
			t.Errorf("%s: check: %v", name, err)
		}
	}
}

func TestOrderRejectsCycles(t *testing.T) {
	a := &Step{ID: "a", Phase: PhaseMounts, DependsOn: []string{"b"}}
	b := &Step{ID: "b", Phase: PhaseMounts, DependsOn: []string{"a"}}
	if _, err := order([]*Step{a, b}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v, want a cycle error", err)
	}
	c := &Step{ID: "c", Phase: PhaseMounts, DependsOn: []string{"missing"}}
	if _, err := order([]*Step{c}); err == nil {
		t.Fatal("unknown dependency accepted")
	}
}

func TestOrderTieBreak(t *testing.T) {
	steps := []*Step{
		{ID: "z", Phase: PhaseMounts, DependsOn: []string{}},
		{ID: "b", Phase: PhaseConsulStore, DependsOn: []string{}},
		{ID: "a", Phase: PhaseConsulStore, DependsOn: []string{"z"}},
		{ID: "m", Phase: PhasePolicies, DependsOn: []string{}},
	}
	got, err := order(steps)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if want := []string{"z", "m", "a", "b"}; !slices.Equal(ids, want) {
		t.Fatalf("order = %v, want %v", ids, want)
	}
}

func TestDeterministic(t *testing.T) {
	src := readConf(t, "production.conf")
	first := renderAll(t, compileSource(t, "production.conf", src))
	for i := 0; i < 3; i++ {
		again := renderAll(t, compileSource(t, "production.conf", src))
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("run %d differs (-first +again):\n%s", i, diff)
		}
	}
}

// reverseMaps reverses the entries of every map below v, in place.
func reverseMaps(v dconf.Value) {
	dconf.Walk(v, func(_ dconf.Path, v dconf.Value) bool {
		if m, ok := v.(*dconf.Map); ok {
			slices.Reverse(m.Entries)
		}
		return true
	})
}

func TestShuffledMapsGiveTheSamePlan(t *testing.T) {
	for _, name := range validConfs(t) {
		src := readConf(t, name)
		want := renderAll(t, compileSource(t, name, src))
		f := parse(t, name, src)
		reverseMaps(f.Root)
		p, err := Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, renderAll(t, p)); diff != "" {
			t.Errorf("%s: plan changed when map entries were reordered (-want +got):\n%s", name, diff)
		}
	}
}

// TestReformattedFileGivesTheSamePlan compiles a hand re-formatted copy of
// minimal.conf: other separators, quoting, indentation, comments and key
// order, same values.
func TestReformattedFileGivesTheSamePlan(t *testing.T) {
	want := renderAll(t, compileSource(t, "minimal.conf", readConf(t, "minimal.conf")))
	src, err := os.ReadFile("testdata/minimal-reformatted.conf")
	if err != nil {
		t.Fatal(err)
	}
	// The input name is shown in renderings; give both the same name.
	got := renderAll(t, compileSource(t, "minimal.conf", src))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("re-formatted file gives another plan (-want +got):\n%s", diff)
	}
}

// stepValues maps each step ID to its JSON form without the description
// and dependencies, which may mention counts.
func stepValues(t testing.TB, p *Plan) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range p.Steps {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		out[s.ID] = string(b)
	}
	return out
}

// planDelta returns the IDs added, removed and changed from a to b.
func planDelta(t testing.TB, a, b *Plan) (added, removed, changed []string) {
	va, vb := stepValues(t, a), stepValues(t, b)
	for id, v := range vb {
		old, ok := va[id]
		switch {
		case !ok:
			added = append(added, id)
		case old != v:
			changed = append(changed, id)
		}
	}
	for id := range va {
		if _, ok := vb[id]; !ok {
			removed = append(removed, id)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(changed)
	return added, removed, changed
}

func TestCountChangeTouchesOnlyThatComponent(t *testing.T) {
	src := string(readConf(t, "production.conf"))
	base := compileSource(t, "production.conf", []byte(src))

	tests := []struct {
		what                    string
		from, to                string
		added, removed, changed []string
	}{
		{
			what: "api-server 3 to 2",
			from: "api-server: 3", to: "api-server: 2",
			changed: []string{"consul.kv.put:components/api-server"},
		},
		{
			what: "monitoring 0 to 1",
			from: "instance-manager: 4\n", to: "instance-manager: 4\n  monitoring: 1\n",
			added: []string{
				"consul.kv.put:components/monitoring",
				"vault.kv.generate:components/monitoring/class-key",
				"vault.policy:component-monitoring",
				"vault.token.role:component-monitoring",
			},
		},
		{
			what: "stagehand 1 to 0",
			from: "stagehand: 1", to: "stagehand: 0",
			removed: []string{
				"vault.kv.generate:components/stagehand/class-key",
				"vault.policy:component-stagehand",
				"vault.token.role:component-stagehand",
			},
			changed: []string{"consul.kv.put:components/stagehand"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			if !strings.Contains(src, tt.from) {
				t.Fatalf("production.conf has no %q", tt.from)
			}
			edited := compileSource(t, "production.conf", []byte(strings.Replace(src, tt.from, tt.to, 1)))
			added, removed, changed := planDelta(t, base, edited)
			if diff := cmp.Diff(tt.added, added); diff != "" {
				t.Errorf("added steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.removed, removed); diff != "" {
				t.Errorf("removed steps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changed, changed); diff != "" {
				t.Errorf("changed steps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComponentPoliciesGrantExactly(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	tests := []struct {
		kind string
		want []string
	}{
		{"router", []string{
			"cluster/data/components/router/class-key",
			"cluster/data/prompts/router_tls_key",
			"cluster/data/router/tls/0",
		}},
		{"ldap-auth-server", []string{
			"cluster/data/components/ldap-auth-server/class-key",
			"cluster/data/prompts/ldap_search_password",
		}},
		{"package-manager", []string{
			"cluster/data/components/package-manager/class-key",
			"cluster/data/database/component-database",
			"cluster/data/efs/package-storage",
			"cluster/data/kv-store/token",
			"cluster/data/prompts/s3_secret_key",
		}},
		{"instance-manager", []string{
			"cluster/data/components/instance-manager/class-key",
			"cluster/data/efs/instance-manager",
		}},
		{"nats-server", []string{"cluster/data/components/nats-server/class-key"}},
	}
	for _, tt := range tests {
		s := p.Step("vault.policy:component-" + tt.kind)
		if s == nil || s.Policy == nil {
			t.Errorf("no policy for %s", tt.kind)
			continue
		}
		if diff := cmp.Diff(tt.want, s.Policy.Paths); diff != "" {
			t.Errorf("%s policy paths (-want +got):\n%s", tt.kind, diff)
		}
		for _, path := range tt.want {
			if !strings.Contains(s.Policy.Rules, fmt.Sprintf("path %q", path)) {
				t.Errorf("%s policy rules lack %q:\n%s", tt.kind, path, s.Policy.Rules)
			}
		}
		role := p.Step("vault.token.role:component-" + tt.kind)
		if role == nil || !slices.Equal(role.TokenRole.AllowedPolicies, []string{"component-" + tt.kind}) {
			t.Errorf("%s: token role missing or with other policies: %+v", tt.kind, role)
		}
	}
	if s := p.Step("vault.policy:component-monitoring"); s != nil {
		t.Error("policy for monitoring, whose count is 0")
	}
}

func TestVaultServerCertificate(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	s := p.Step("vault.pki.cert:vault-server")
	if s == nil {
		t.Fatal("no vault server certificate step")
	}
	want := &PKICert{Mount: "pki", Role: "vault-server", CommonName: "vault.prod-east.example.test",
		AltNames: []string{"vault.prod-east.example.test", "localhost"},
		IPSANs:   []string{"10.40.1.11", "10.40.1.12", "10.40.1.13", "127.0.0.1"},
		TTL:      "8760h", StoreMount: "cluster", StorePath: "vault/server-tls"}
	if diff := cmp.Diff(want, s.Cert); diff != "" {
		t.Errorf("certificate (-want +got):\n%s", diff)
	}
	if s.Mode != ModeAlways {
		t.Errorf("mode = %s, want always", s.Mode)
	}
	if ca := p.Step("vault.pki.ca:pki"); ca == nil || ca.Mode != ModeCreateOnce || ca.CA.CommonName != "prod-east cluster CA" {
		t.Errorf("CA step = %+v", ca)
	}
}

func TestStoreReferencesPrompts(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	s := p.Step("consul.kv.put:chef/continuum/auth_server")
	if s == nil {
		t.Fatal("no auth_server store step")
	}
	var doc struct {
		Identity struct {
			LDAP struct {
				SearchPasswd map[string]string `json:"search_passwd"`
			} `json:"ldap_basic"`
		} `json:"identity"`
	}
	if err := json.Unmarshal(s.ConsulKV.Value, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"vault": "cluster/data/prompts/ldap_search_password", "field": "value"}
	if diff := cmp.Diff(want, doc.Identity.LDAP.SearchPasswd); diff != "" {
		t.Errorf("search_passwd reference (-want +got):\n%s", diff)
	}
	if !slices.Contains(s.DependsOn, "vault.kv.put:prompts/ldap_search_password") {
		t.Errorf("store step does not depend on the prompt write: %v", s.DependsOn)
	}
	if s.ConsulKV.Key != "confc/prod-east/store/chef/continuum/auth_server" || s.Target != s.ConsulKV.Key {
		t.Errorf("key = %q, target = %q", s.ConsulKV.Key, s.Target)
	}
}

func TestPromptSteps(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	tests := []struct {
		name   string
		secret bool
	}{
		{"ldap_search_password", true},
		{"google_client_id", false},
		{"router_tls_key", true},
	}
	for _, tt := range tests {
		s := p.Step("vault.kv.put:prompts/" + tt.name)
		if s == nil {
			t.Errorf("no step for prompt %s", tt.name)
			continue
		}
		want := []KVField{{Name: "value", Secret: tt.secret, Source: "prompt:" + tt.name}}
		if diff := cmp.Diff(want, s.KV.Fields); diff != "" {
			t.Errorf("prompt %s fields (-want +got):\n%s", tt.name, diff)
		}
		if s.Target != "cluster/data/prompts/"+tt.name {
			t.Errorf("prompt %s target = %q", tt.name, s.Target)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		what, src, want string
	}{
		{"no cluster name", "chef: { continuum: { base_domain: x.test } }\n", "cluster_name is not set"},
		{"no base domain", "chef: { continuum: { cluster_name: lab } }\n", "base_domain is not set"},
	}
	for _, tt := range tests {
		_, err := Compile(parse(t, "x.conf", []byte(tt.src)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.what, err, tt.want)
		}
	}
	if _, err := Compile(nil); err == nil {
		t.Error("Compile(nil) succeeded")
	}
}
