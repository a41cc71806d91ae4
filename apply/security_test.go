package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/internal/servertest"
)

const minimalConf = "../testdata/cluster-conf/minimal.conf"

// newSecurityCluster starts one Consul and one Vault and applies
// minimal.conf with a canary passphrase (or pass, when given).
func newSecurityCluster(t *testing.T, pass string) *cluster {
	t.Helper()
	file, plan := compileFile(t, minimalConf, nil)
	c := &cluster{file: file, plan: plan, outputs: map[string][]byte{}, answers: StaticAnswers{}}
	c.consul = servertest.StartConsul(t)
	c.vaults = []*servertest.Vault{servertest.StartVault(t, c.consul, servertest.VaultOptions{})}
	c.pass = pass
	if c.pass == "" {
		c.pass = servertest.Canary("passphrase")
	}
	for _, name := range PromptsUsed(plan) {
		c.answers[name] = servertest.Canary(name)
	}
	c.mustApply(t, "first apply")
	return c
}

// secOptions returns the options of a security command with passphrase
// pass; notices go to the cluster's outputs under label.
func (c *cluster) secOptions(pass, label string) SecurityOptions {
	buf := &bytes.Buffer{}
	c.outputs["notices of "+label] = nil
	return SecurityOptions{
		Plan:       c.plan,
		Conn:       Conn{VaultAddrs: c.vaultAddrs(), ConsulAddr: c.consul.Addr, ConsulToken: c.consul.Token},
		Passphrase: pass,
		Reporter:   &recordingReporter{c: c, label: "notices of " + label, buf: buf},
		Retry:      RetryPolicy{Attempts: 8, Base: 250 * time.Millisecond, Max: 4 * time.Second, Total: 30 * time.Second},
	}
}

// recordingReporter keeps every event for the canary search.
type recordingReporter struct {
	c     *cluster
	label string
	buf   *bytes.Buffer
}

func (r *recordingReporter) Report(e Event) {
	b, _ := json.Marshal(e)
	r.buf.Write(append(b, '\n'))
	r.c.outputs[r.label] = r.buf.Bytes()
}

// keepErr records an error message for the canary search.
func (c *cluster) keepErr(label string, err error) {
	if err != nil {
		c.outputs["error of "+label] = []byte(err.Error())
	}
}

// loginWith logs in with a passphrase and revokes the token at once.
func (c *cluster) loginWith(t *testing.T, pass string) error {
	t.Helper()
	client := servertest.ActiveVault(t, c.vaults).APIWithToken("")
	sec, err := client.Logical().Write("auth/userpass/login/"+compiler.AdminUser, map[string]any{"password": pass})
	if err != nil {
		return err
	}
	client.SetToken(sec.Auth.ClientToken)
	if got := sec.Auth.Policies; !contains(got, compiler.AdminPolicy) {
		t.Errorf("login token policies %v lack %q", got, compiler.AdminPolicy)
	}
	return client.Auth().Token().RevokeSelf("")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func wantLoginError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil || err.Error() != wrongPassphraseMessage || !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("%s: error %v, want %q", what, err, wrongPassphraseMessage)
	}
}

// TestSecurityStatusAndUnseal reports an unsealed and a restarted (sealed)
// Vault, refuses wrong passphrases in both states with the operators'
// message, unseals from the bundle and unseals again as a no-op.
func TestSecurityStatusAndUnseal(t *testing.T) {
	c := newSecurityCluster(t, "")
	ctx := context.Background()

	st, err := Status(ctx, c.secOptions(c.pass, "status"))
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if len(st.Vault) != 1 {
		t.Fatalf("status lists %d vault servers, want 1", len(st.Vault))
	}
	v := st.Vault[0]
	if !v.Reachable || !v.Initialized || v.Sealed || v.Mode != "active" || v.Version != "1.12.0" {
		t.Errorf("vault status %+v; want reachable, initialized, unsealed, active, 1.12.0", v)
	}
	if cs := st.Consul; !cs.Reachable || cs.Leader == "" || len(cs.Peers) != 1 || cs.Servers != 1 || cs.Passing != 1 || !cs.Healthy {
		t.Errorf("consul status %+v; want a leader, one peer, one passing server", cs)
	}
	if st.Passphrase != "accepted" || st.ChangePending || st.Cluster != "lab" {
		t.Errorf("status %+v", st)
	}

	_, err = Status(ctx, c.secOptions("wrong-passphrase", "status wrong unsealed"))
	c.keepErr("status wrong unsealed", err)
	wantLoginError(t, "status, wrong passphrase, unsealed", err)
	_, err = Unseal(ctx, c.secOptions("wrong-passphrase", "unseal wrong unsealed"))
	wantLoginError(t, "unseal, wrong passphrase, unsealed", err)

	// Nothing sealed: unseal is a no-op that exits cleanly.
	res, err := Unseal(ctx, c.secOptions(c.pass, "unseal noop"))
	if err != nil || len(res.Unsealed) != 0 || len(res.AlreadyUnsealed) != 1 {
		t.Errorf("unseal of an unsealed vault: %+v, %v; want already unsealed", res, err)
	}

	c.vaults[0].Restart(t)
	st, err = Status(ctx, c.secOptions(c.pass, "status sealed"))
	if err != nil || st.Vault[0].Mode != "sealed" || !st.Vault[0].Sealed || st.Passphrase != "accepted" {
		t.Errorf("status of a sealed vault: %+v, %v", st, err)
	}
	_, err = Status(ctx, c.secOptions("wrong-passphrase", "status wrong sealed"))
	wantLoginError(t, "status, wrong passphrase, sealed", err)
	_, err = Unseal(ctx, c.secOptions("wrong-passphrase", "unseal wrong sealed"))
	wantLoginError(t, "unseal, wrong passphrase, sealed", err)
	if c.vaults[0].IsActive() {
		t.Error("a wrong passphrase unsealed vault")
	}

	res, err = Unseal(ctx, c.secOptions(c.pass, "unseal"))
	if err != nil || len(res.Unsealed) != 1 || res.Unsealed[0] != c.vaults[0].Addr {
		t.Fatalf("unseal: %+v, %v", res, err)
	}
	if err := c.loginWith(t, c.pass); err != nil {
		t.Errorf("login after unseal: %v", err)
	}
	res, err = Unseal(ctx, c.secOptions(c.pass, "unseal again"))
	if err != nil || len(res.Unsealed) != 0 || len(res.AlreadyUnsealed) != 1 {
		t.Errorf("second unseal: %+v, %v; want already unsealed", res, err)
	}

	// A short passphrase is refused before anything is contacted.
	o := c.secOptions("short", "short")
	o.Conn.VaultAddrs = []string{"http://127.0.0.1:1"}
	if _, err := Status(ctx, o); err == nil || !strings.Contains(err.Error(), "at least 8 characters") {
		t.Errorf("short passphrase: %v", err)
	}

	c.assertNoLeak(t, c.bundle(t).Keys...)
}

// TestRefreshTokens issues wrapped tokens for every token role, checks
// that each unwraps to a token of its role's policy, refreshes again on a
// sealed Vault and shows the first tokens revoked, the second valid.
func TestRefreshTokens(t *testing.T) {
	c := newSecurityCluster(t, "")
	ctx := context.Background()
	var roles []string
	for _, s := range c.plan.Steps {
		if s.Kind == compiler.KindVaultTokenRole {
			roles = append(roles, s.TokenRole.Name)
		}
	}

	first, err := RefreshTokens(ctx, c.secOptions(c.pass, "refresh 1"), 0)
	c.keepErr("refresh 1", err)
	if err != nil {
		t.Fatalf("refreshtokens: %v", err)
	}
	if len(first) != len(roles) {
		t.Fatalf("%d tokens delivered, want %d (one per role)", len(first), len(roles))
	}
	root := c.rootClient(t)
	records := c.tokenRecords(t)
	var appTokens, wrapping []string
	for i, d := range first {
		if d.Role != roles[i] || d.Component != strings.TrimPrefix(roles[i], "component-") || len(d.Revoked) != 0 {
			t.Errorf("delivery %d: %+v", i, d)
		}
		rec := records[d.Component]
		if rec.Accessor != d.Accessor || rec.WrappingToken == "" || rec.WrapTTL != 3600 || rec.Previous != "" {
			t.Errorf("record of %s: accessor %q wrap ttl %d previous %q", d.Component, rec.Accessor, rec.WrapTTL, rec.Previous)
		}
		wrapping = append(wrapping, rec.WrappingToken)
		if i < 3 {
			// Unwrapping uses the token up, as a component would.
			tok := unwrap(t, c, rec.WrappingToken)
			appTokens = append(appTokens, tok)
			look, err := root.Auth().Token().LookupAccessor(d.Accessor)
			if err != nil {
				t.Fatalf("lookup accessor of %s: %v", d.Component, err)
			}
			pols, _ := look.TokenPolicies()
			if !contains(pols, d.Role) || look.Data["orphan"] != true {
				t.Errorf("token of %s has policies %v, orphan %v; want %q, orphan", d.Component, pols, look.Data["orphan"], d.Role)
			}
		}
	}

	// The second refresh finds Vault sealed and unseals it first.
	c.vaults[0].Restart(t)
	second, err := RefreshTokens(ctx, c.secOptions(c.pass, "refresh 2"), 30*time.Minute)
	c.keepErr("refresh 2", err)
	if err != nil {
		t.Fatalf("second refreshtokens: %v", err)
	}
	root = c.rootClient(t)
	records = c.tokenRecords(t)
	for i, d := range second {
		if len(d.Revoked) != 1 || d.Revoked[0] != first[i].Accessor {
			t.Errorf("%s: revoked %v, want [%s]", d.Component, d.Revoked, first[i].Accessor)
		}
		if _, err := root.Auth().Token().LookupAccessor(first[i].Accessor); err == nil {
			t.Errorf("%s: the first token is still valid", d.Component)
		}
		if _, err := root.Auth().Token().LookupAccessor(d.Accessor); err != nil {
			t.Errorf("%s: the new token is not valid: %v", d.Component, err)
		}
		if rec := records[d.Component]; rec.Previous != first[i].Accessor || rec.WrapTTL != 1800 {
			t.Errorf("%s: record previous %q ttl %d", d.Component, rec.Previous, rec.WrapTTL)
		}
		wrapping = append(wrapping, records[d.Component].WrappingToken)
	}

	// A wrong passphrase writes nothing.
	before := servertest.DumpConsulKV(t, c.consul)
	_, err = RefreshTokens(ctx, c.secOptions("wrong-passphrase", "refresh wrong"), 0)
	wantLoginError(t, "refreshtokens, wrong passphrase", err)
	if !bytes.Equal(before, servertest.DumpConsulKV(t, c.consul)) {
		t.Error("refreshtokens with a wrong passphrase changed consul")
	}

	// App tokens appear nowhere; wrapping tokens only in their Consul
	// records, so the KV dump is left out of that search.
	hay := map[string][]byte{}
	for k, v := range c.outputs {
		hay[k] = v
	}
	servertest.AssertNoSecret(t, hay, wrapping...)
	c.assertNoLeak(t, append(appTokens, c.bundle(t).Keys...)...)
}

// tokenRecords reads every delivered token record.
func (c *cluster) tokenRecords(t *testing.T) map[string]TokenRecord {
	t.Helper()
	pairs, _, err := c.consul.API().KV().List(TokensPrefix(c.plan.Cluster.Name), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]TokenRecord{}
	for _, p := range pairs {
		var r TokenRecord
		if err := json.Unmarshal(p.Value, &r); err != nil {
			t.Fatalf("%s: %v", p.Key, err)
		}
		out[r.Component] = r
	}
	return out
}

// unwrap unwraps a wrapping token as a component would and returns the
// app token.
func unwrap(t *testing.T, c *cluster, wrappingToken string) string {
	t.Helper()
	client := servertest.ActiveVault(t, c.vaults).APIWithToken(wrappingToken)
	sec, err := client.Logical().Unwrap("")
	if err != nil || sec == nil || sec.Auth == nil {
		t.Fatalf("unwrap: %v", err)
	}
	return sec.Auth.ClientToken
}

// TestResetCA removes the CA and the stored server certificate; the next
// apply makes a new CA (another serial) and issues a server certificate
// that chains to it.
func TestResetCA(t *testing.T) {
	c := newSecurityCluster(t, "")
	ctx := context.Background()
	root := c.rootClient(t)
	oldCA := readCA(t, root)
	certStep := c.plan.Step("vault.pki.cert:vault-server")
	oldCert := readStoredCert(t, root, certStep)
	if oldCert == "" {
		t.Fatal("no stored server certificate after the first apply")
	}

	_, err := ResetCA(ctx, c.secOptions("wrong-passphrase", "reset wrong"))
	wantLoginError(t, "reset, wrong passphrase", err)
	if readCA(t, root) == "" {
		t.Fatal("a wrong passphrase removed the CA")
	}

	res, err := ResetCA(ctx, c.secOptions(c.pass, "reset"))
	c.keepErr("reset", err)
	if err != nil {
		t.Fatalf("reset: %v", err)
	}
	oldParsed := parseCert(oldCA)
	if res.CASerial != formatSerial(oldParsed.SerialNumber.Bytes()) || res.Mount != "pki" || len(res.Certificates) != 1 {
		t.Errorf("reset result %+v", res)
	}
	if readCA(t, root) != "" {
		t.Error("the CA is still there after reset")
	}
	if readStoredCert(t, root, certStep) != "" {
		t.Error("the server certificate is still stored after reset")
	}

	_, err, events := c.apply(t, "apply after reset", nil)
	if err != nil {
		t.Fatalf("apply after reset: %v", err)
	}
	results := map[string]Result{}
	for _, e := range events {
		if e.Type == EventStep {
			results[e.Step] = e.Result
		}
	}
	if results["vault.pki.ca:pki"] != Created || results["vault.pki.cert:vault-server"] != Created {
		t.Errorf("apply after reset: CA %q, cert %q; want both created", results["vault.pki.ca:pki"], results["vault.pki.cert:vault-server"])
	}
	newCA := parseCert(readCA(t, root))
	if newCA == nil || newCA.SerialNumber.Cmp(oldParsed.SerialNumber) == 0 {
		t.Fatalf("the CA after reset and apply is missing or has the old serial")
	}
	cert := parseCert(readStoredCert(t, root, certStep))
	if cert == nil || cert.CheckSignatureFrom(newCA) != nil {
		t.Error("the reissued server certificate does not chain to the new CA")
	}
	if cert.CheckSignatureFrom(oldParsed) == nil {
		t.Error("the server certificate still chains to the old CA")
	}
	sum := c.mustApply(t, "apply after reset, again")
	if sum.Changed() {
		t.Errorf("second apply after reset changed things: %s", sum)
	}
	c.assertNoLeak(t, c.bundle(t).Keys...)
}

func readCA(t *testing.T, client *vaultapi.Client) string {
	t.Helper()
	sec, err := client.Logical().Read("pki/cert/ca")
	var re *vaultapi.ResponseError
	if errors.As(err, &re) && re.StatusCode == 400 && strings.Contains(err.Error(), "no default issuer") {
		return ""
	}
	if err != nil {
		t.Fatalf("read CA: %v", err)
	}
	if sec == nil || sec.Data == nil {
		return ""
	}
	return asString(sec.Data["certificate"])
}

func readStoredCert(t *testing.T, client *vaultapi.Client, s *compiler.Step) string {
	t.Helper()
	sec, err := client.Logical().Read(s.Cert.StoreMount + "/data/" + s.Cert.StorePath)
	if err != nil {
		t.Fatalf("read stored certificate: %v", err)
	}
	if sec == nil || sec.Data == nil {
		return ""
	}
	d, _ := sec.Data["data"].(map[string]any)
	return asString(d["certificate"])
}

// TestNopassCluster: a cluster set up with the default passphrase needs
// it again; any other passphrase is wrong.
func TestNopassCluster(t *testing.T) {
	c := newSecurityCluster(t, DefaultPassphrase)
	ctx := context.Background()
	if _, err := Status(ctx, c.secOptions(DefaultPassphrase, "status nopass")); err != nil {
		t.Errorf("status with the default passphrase: %v", err)
	}
	c.vaults[0].Restart(t)
	_, err := Unseal(ctx, c.secOptions("some-other-passphrase", "unseal other"))
	wantLoginError(t, "unseal of a --nopass cluster with another passphrase", err)
	if res, err := Unseal(ctx, c.secOptions(DefaultPassphrase, "unseal nopass")); err != nil || len(res.Unsealed) != 1 {
		t.Errorf("unseal with the default passphrase: %+v, %v", res, err)
	}
}
