package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/internal/servertest"
)

const (
	minimalConf        = "../../testdata/cluster-conf/minimal.conf"
	wrongPassphraseMsg = "Unable to login to secret store; this may result in deploy failure later. Error: invalid credentials"
)

// secCLI runs confc in-process against one Consul and one Vault and keeps
// every output for the canary search.
type secCLI struct {
	t       *testing.T
	consul  *servertest.Consul
	vault   *servertest.Vault
	outputs map[string][]byte
}

func newSecCLI(t *testing.T) *secCLI {
	c := servertest.StartConsul(t)
	return &secCLI{t: t, consul: c, vault: servertest.StartVault(t, c, servertest.VaultOptions{}), outputs: map[string][]byte{}}
}

// run runs "confc ARGS" with the connection flags and input on stdin.
func (s *secCLI) run(label string, input any, args ...string) (int, string, string) {
	s.t.Helper()
	var stdin []byte
	if input != nil {
		stdin, _ = json.Marshal(input)
		args = append(args, "--input-json")
	}
	args = append(args, "--vault-addr", s.vault.Addr, "--consul-addr", s.consul.Addr, "--consul-token", s.consul.Token)
	var stdout, stderr bytes.Buffer
	code := run(args, bytes.NewReader(stdin), &stdout, &stderr)
	s.outputs[label+" stdout"] = stdout.Bytes()
	s.outputs[label+" stderr"] = stderr.Bytes()
	return code, stdout.String(), stderr.String()
}

func pass(p string) map[string]string { return map[string]string{"clusterPassphrase": p} }

// TestSecurityCommands drives every security sub-command through the CLI
// against real servers: status (default and --json), the wrong-passphrase
// message, unseal after a restart and again, refreshtokens, changepwd,
// reset followed by apply; then searches every output and Consul for the
// passphrases and the unseal keys.
func TestSecurityCommands(t *testing.T) {
	s := newSecCLI(t)
	old, next := servertest.Canary("passphrase"), servertest.Canary("new-passphrase")
	if code, _, errOut := s.run("apply", pass(old), "apply", "-c", minimalConf); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, errOut)
	}

	code, out, errOut := s.run("status", pass(old), "security", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, s.vault.Addr) || !strings.Contains(out, "active") ||
		!strings.Contains(out, "1.12.0") || !strings.Contains(out, "passphrase: accepted") || !strings.Contains(out, "healthy; leader") {
		t.Errorf("security (status by default): exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = s.run("status json", pass(old), "security", "status", "-c", minimalConf, "--json")
	var st apply.ClusterStatus
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || st.Cluster != "lab" || len(st.Vault) != 1 || st.Vault[0].Mode != "active" || !st.Consul.Healthy {
		t.Errorf("status --json: exit %d, %v\n%s", code, err, out)
	}
	for _, sub := range []string{"status", "unseal", "refreshtokens", "reset", "changepwd"} {
		in := map[string]string{"clusterPassphrase": "wrong-passphrase", "newClusterPassphrase": servertest.Canary("x")}
		code, out, errOut := s.run(sub+" wrong", in, "security", sub, "-c", minimalConf)
		if code != 1 || strings.TrimSpace(errOut) != "confc: "+wrongPassphraseMsg || out != "" {
			t.Errorf("%s with a wrong passphrase: exit %d, stdout %q, stderr %q", sub, code, out, errOut)
		}
	}

	s.vault.Restart(t)
	code, out, _ = s.run("status sealed", pass(old), "security", "status", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, "sealed") || !strings.Contains(out, "run confc security unseal") {
		t.Errorf("status of a sealed vault: exit %d\n%s", code, out)
	}
	code, out, _ = s.run("unseal", pass(old), "security", "unseal", "-c", minimalConf)
	if code != 0 || out != "unsealed vault at "+s.vault.Addr+"\n" {
		t.Errorf("unseal: exit %d, %q", code, out)
	}
	code, out, _ = s.run("unseal again", pass(old), "security", "unseal", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, "was already unsealed") || !strings.Contains(out, "nothing to unseal") {
		t.Errorf("second unseal: exit %d, %q", code, out)
	}

	code, out, errOut = s.run("refreshtokens", pass(old), "security", "refreshtokens", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, "confc/lab/tokens/router") || !strings.Contains(out, "14 app tokens issued") {
		t.Errorf("refreshtokens: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = s.run("refreshtokens json", pass(old), "security", "refreshtokens", "-c", minimalConf, "--json", "--wrap-ttl", "10m")
	var deliveries []apply.TokenDelivery
	if err := json.Unmarshal([]byte(out), &deliveries); code != 0 || err != nil || len(deliveries) != 14 || len(deliveries[0].Revoked) != 1 {
		t.Errorf("refreshtokens --json: exit %d, %v\n%s", code, err, out)
	}

	// The wrapping tokens live in their Consul records only.
	pairs, _, err := s.consul.API().KV().List(apply.TokensPrefix("lab"), nil)
	if err != nil || len(pairs) != 14 {
		t.Fatalf("token records: %d, %v", len(pairs), err)
	}
	var wrapping []string
	for _, p := range pairs {
		var rec apply.TokenRecord
		if err := json.Unmarshal(p.Value, &rec); err != nil || rec.WrappingToken == "" {
			t.Fatalf("%s: %v", p.Key, err)
		}
		wrapping = append(wrapping, rec.WrappingToken)
	}
	servertest.AssertNoSecret(t, s.outputs, wrapping...)

	in := map[string]string{"clusterPassphrase": old, "newClusterPassphrase": next}
	start := time.Now()
	code, out, errOut = s.run("changepwd", in, "security", "changepwd", "-c", minimalConf)
	t.Logf("changepwd took %v", time.Since(start))
	if code != 0 || !strings.Contains(out, "cluster passphrase changed") {
		t.Errorf("changepwd: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := s.run("status old", pass(old), "security", "status", "-c", minimalConf); code != 1 || !strings.Contains(errOut, wrongPassphraseMsg) {
		t.Errorf("status with the old passphrase after changepwd: exit %d, %q", code, errOut)
	}
	code, _, errOut = s.run("changepwd no new", pass(next), "security", "changepwd", "-c", minimalConf)
	if code != 1 || !strings.Contains(errOut, `no new cluster passphrase: give it as "newClusterPassphrase"`) {
		t.Errorf("changepwd without a new passphrase: exit %d, %q", code, errOut)
	}

	code, out, errOut = s.run("reset", pass(next), "security", "reset", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, "removed the CA of pki/ (serial ") || !strings.Contains(out, "run confc apply now") {
		t.Errorf("reset: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = s.run("apply after reset", pass(next), "apply", "-c", minimalConf)
	if code != 0 || !strings.Contains(out, "created   vault.pki.ca:pki") || !strings.Contains(out, "created   vault.pki.cert:vault-server") {
		t.Errorf("apply after reset: exit %d\n%s\n%s", code, out, errOut)
	}

	b, err := apply.OpenUnsealKeys(context.Background(), s.consul.API(), apply.DefaultRetry, "lab", next)
	if err != nil {
		t.Fatal(err)
	}
	s.outputs["consul kv"] = servertest.DumpConsulKV(t, s.consul)
	servertest.AssertNoSecret(t, s.outputs, append([]string{old, next}, b.Keys...)...)
}

// TestSecurityNopass: a cluster applied with --nopass needs --nopass (or
// the default passphrase) for the security commands.
func TestSecurityNopass(t *testing.T) {
	s := newSecCLI(t)
	if code, _, errOut := s.run("apply", nil, "apply", "-c", minimalConf, "--nopass"); code != 0 {
		t.Fatalf("apply --nopass: exit %d\n%s", code, errOut)
	}
	code, out, errOut := s.run("status nopass", nil, "security", "status", "-c", minimalConf, "--nopass")
	if code != 0 || !strings.Contains(out, "passphrase: accepted") || !strings.Contains(errOut, "warning: --nopass") {
		t.Errorf("status --nopass: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = s.run("status passphrase", pass(servertest.Canary("passphrase")), "security", "status", "-c", minimalConf)
	if code != 1 || !strings.Contains(errOut, wrongPassphraseMsg) {
		t.Errorf("status of a --nopass cluster with a passphrase: exit %d, %q", code, errOut)
	}
	s.vault.Restart(t)
	code, out, _ = s.run("unseal non-interactive", nil, "security", "unseal", "-c", minimalConf, "--non-interactive")
	if code != 0 || !strings.Contains(out, "unsealed vault at") {
		t.Errorf("unseal --non-interactive (implies --nopass): exit %d, %q", code, out)
	}
}

// TestSecurityScripts runs testdata/security/*.txtar, each against its own
// Consul and Vault with minimal.conf applied; the scripts find the servers
// in VAULT_ADDR, CONSUL_HTTP_ADDR and CONSUL_HTTP_TOKEN, cluster.conf in
// $CONF and the passphrase in $PASS (set CONFC_UPDATE_GOLDEN=1 to rewrite
// their expected output).
func TestSecurityScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/security/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	conf, _ := filepath.Abs(minimalConf)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			s := newSecCLI(t)
			p := servertest.Canary("passphrase")
			if code, _, errOut := s.run("apply", pass(p), "apply", "-c", conf); code != 0 {
				t.Fatalf("apply: exit %d\n%s", code, errOut)
			}
			testscript.Run(t, testscript.Params{
				Files:         []string{f},
				UpdateScripts: os.Getenv("CONFC_UPDATE_GOLDEN") == "1",
				Setup: func(env *testscript.Env) error {
					env.Setenv("NO_COLOR", "")
					env.Setenv("VAULT_ADDR", s.vault.Addr)
					env.Setenv("CONSUL_HTTP_ADDR", s.consul.Addr)
					env.Setenv("CONSUL_HTTP_TOKEN", s.consul.Token)
					env.Setenv("CONF", conf)
					env.Setenv("PASS", p)
					files := map[string]string{"input.json": p, "wrong.json": "wrong-passphrase"}
					for name, pp := range files {
						b, _ := json.Marshal(pass(pp))
						if err := os.WriteFile(filepath.Join(env.WorkDir, name), b, 0o600); err != nil {
							return err
						}
					}
					return nil
				},
			})
		})
	}
}
