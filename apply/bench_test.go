package apply

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/internal/servertest"
)

// benchEnv names the file TestBenchApply writes its figures to; the test
// runs only when it is set (scripts/bench-apply.sh sets it).
const benchEnv = "CONFC_BENCH_APPLY"

// TestBenchApply measures, on loopback servers: the first apply of
// production.conf and a no-op re-apply (both as confc processes), the
// writes of the no-op run (Vault audit log, Consul modify indexes), and a
// shell script making the plan's writes with one vault or consul CLI call
// per object, as operators script it today.
func TestBenchApply(t *testing.T) {
	out := os.Getenv(benchEnv)
	if out == "" {
		t.Skipf("set %s=FILE to run the apply benchmark (scripts/bench-apply.sh)", benchEnv)
	}
	c := newCluster(t, 1)
	confcBinary(t)
	var report strings.Builder
	n := len(c.plan.Steps)
	fmt.Fprintf(&report, "production.conf: %d steps\n", n)

	first := c.command(t, c.applyArgs()...)
	if code := c.run(t, "first apply", first); code != 0 {
		t.Fatalf("first apply: exit %d\n%s", code, first.stderr)
	}
	fmt.Fprintf(&report, "first apply (confc process):   %8.2fs\n", first.wall.Seconds())

	root := c.rootClient(t)
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	if err := root.Sys().EnableAuditWithOptions("file", &vaultapi.EnableAuditOptions{
		Type: "file", Options: map[string]string{"file_path": auditPath},
	}); err != nil {
		t.Fatal(err)
	}
	at := fileSize(t, auditPath)
	idx := c.storeIndexes(t)

	var noop time.Duration
	const rounds = 3
	for i := range rounds {
		p := c.command(t, c.applyArgs()...)
		if code := c.run(t, fmt.Sprintf("no-op apply %d", i), p); code != 0 {
			t.Fatalf("no-op apply: exit %d\n%s", code, p.stderr)
		}
		if i == 0 || p.wall < noop {
			noop = p.wall
		}
	}
	_, writes := auditRequests(t, auditPath, at)
	changedObjs := 0
	after := c.storeIndexes(t)
	for k, v := range idx {
		if after[k] != v {
			changedObjs++
		}
	}
	fmt.Fprintf(&report, "no-op re-apply (best of %d):    %8.2fs  (vault writes: %d, consul store/ACL objects changed: %d)\n",
		rounds, noop.Seconds(), len(writes), changedObjs)

	script := c.cliScript(t, root.Token())
	start := time.Now()
	cmd := exec.Command("bash", script)
	cmd.Dir = filepath.Dir(script)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("CLI script: %v\n%s", err, stderr.Bytes())
	}
	cli := time.Since(start)
	calls := countCalls(t, script)
	fmt.Fprintf(&report, "same writes by vault/consul CLI: %7.2fs  (%d CLI calls)\n", cli.Seconds(), calls)
	fmt.Fprintf(&report, "ratio CLI script / no-op re-apply: %.1fx (target >= 10x)\n", cli.Seconds()/noop.Seconds())
	if len(writes) > 0 || changedObjs > 0 {
		fmt.Fprintf(&report, "FAIL: the no-op re-apply wrote: %v\n", writes)
		t.Errorf("no-op re-apply wrote %v and changed %d consul objects", writes, changedObjs)
	}
	if err := os.WriteFile(out, []byte(report.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + report.String())
}

func countCalls(t *testing.T, script string) int {
	b := readFile(t, script)
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		n += strings.Count(line, "\"$VAULT\" ") + strings.Count(line, "\"$CONSUL\" ")
	}
	return n
}

// cliScript writes a bash script that makes every write of the plan with
// the vault and consul CLIs, one call per object (two for the
// certificate), in the way a hand-written deploy script would: no reads,
// no comparison.
func (c *cluster) cliScript(t *testing.T, vaultToken string) string {
	t.Helper()
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var b strings.Builder
	fmt.Fprintf(&b, "set -eu\nexport GODEBUG=x509negativeserial=1 HOME=%q VAULT_ADDR=%q VAULT_TOKEN=%q CONSUL_HTTP_ADDR=%q CONSUL_HTTP_TOKEN=%q\n",
		home, c.vaults[0].Addr, vaultToken, c.consul.Addr, c.consul.Token)
	fmt.Fprintf(&b, "VAULT=%q\nCONSUL=%q\n", servertest.VaultBin(t), servertest.ConsulBin(t))
	q := strconv.Quote
	for i, s := range c.plan.Steps {
		switch s.Kind {
		case compiler.KindVaultMount:
			fmt.Fprintf(&b, "\"$VAULT\" secrets tune -description=%s %s/ >/dev/null\n", q(s.Mount.Description), s.Mount.Path)
		case compiler.KindVaultAuth:
			fmt.Fprintf(&b, "\"$VAULT\" auth tune -description=%s %s/ >/dev/null\n", q(s.Auth.Description), s.Auth.Path)
		case compiler.KindVaultPolicy:
			fmt.Fprintf(&b, "\"$VAULT\" policy write %s %s >/dev/null\n", s.Policy.Name, file(fmt.Sprintf("policy-%d.hcl", i), s.Policy.Rules))
		case compiler.KindVaultUserpass:
			fmt.Fprintf(&b, "\"$VAULT\" write %s token_policies=%s token_ttl=%s token_max_ttl=%s >/dev/null\n",
				s.Target, strings.Join(s.User.Policies, ","), s.User.TokenTTL, s.User.TokenMaxTTL)
		case compiler.KindVaultTokenRole:
			r := s.TokenRole
			fmt.Fprintf(&b, "\"$VAULT\" write %s allowed_policies=%s orphan=%v renewable=%v token_period=%s token_type=%s >/dev/null\n",
				s.Target, strings.Join(r.AllowedPolicies, ","), r.Orphan, r.Renewable, r.TokenPeriod, r.TokenType)
		case compiler.KindVaultPKICA:
			// The CA exists: a script would check before generating.
			fmt.Fprintf(&b, "\"$VAULT\" list %s/issuers >/dev/null\n", s.CA.Mount)
		case compiler.KindVaultPKIRole:
			r := s.PKIRole
			fmt.Fprintf(&b, "\"$VAULT\" write %s allowed_domains=%s allow_bare_domains=%v allow_localhost=%v allow_ip_sans=%v server_flag=%v client_flag=%v key_type=%s key_bits=%d max_ttl=%s >/dev/null\n",
				s.Target, strings.Join(r.AllowedDomains, ","), r.AllowBareDomains, r.AllowLocalhost, r.AllowIPSANs, r.ServerFlag, r.ClientFlag, r.KeyType, r.KeyBits, r.MaxTTL)
		case compiler.KindVaultPKICert:
			ct := s.Cert
			fmt.Fprintf(&b, "\"$VAULT\" write -field=certificate %s/issue/%s common_name=%s alt_names=%s ip_sans=%s ttl=%s > cert.pem\n",
				ct.Mount, ct.Role, ct.CommonName, strings.Join(ct.AltNames, ","), strings.Join(ct.IPSANs, ","), ct.TTL)
			fmt.Fprintf(&b, "\"$VAULT\" kv put %s/%s certificate=@cert.pem >/dev/null\n", ct.StoreMount, ct.StorePath)
		case compiler.KindVaultKVGenerate, compiler.KindVaultKVPut:
			var args []string
			for _, f := range s.KV.Fields {
				v := "generated-in-the-script"
				if f.Source != "" {
					if name, ok := strings.CutPrefix(f.Source, "prompt:"); ok {
						v = c.answers[name]
					}
				} else if f.Value != nil {
					v = string(f.Value)
				}
				args = append(args, fmt.Sprintf("%s=@%s", f.Name, file(fmt.Sprintf("kv-%d-%s", i, f.Name), v)))
			}
			sort.Strings(args)
			fmt.Fprintf(&b, "\"$VAULT\" kv put %s/%s %s >/dev/null\n", s.KV.Mount, s.KV.Path, strings.Join(args, " "))
		case compiler.KindConsulPolicy:
			fmt.Fprintf(&b, "\"$CONSUL\" acl policy update -name %s -description %s -rules @%s >/dev/null\n",
				s.ConsulPolicy.Name, q(s.ConsulPolicy.Description), file(fmt.Sprintf("consul-%d.hcl", i), s.ConsulPolicy.Rules))
		case compiler.KindConsulToken:
			fmt.Fprintf(&b, "\"$CONSUL\" acl token list -format=json >/dev/null\n")
		case compiler.KindConsulKVPut:
			fmt.Fprintf(&b, "\"$CONSUL\" kv put %s @%s >/dev/null\n", s.ConsulKV.Key, file(fmt.Sprintf("store-%d.json", i), string(s.ConsulKV.Value)))
		}
	}
	return file("writes.sh", b.String())
}
