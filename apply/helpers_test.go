package apply

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/servertest"
)

const productionConf = "../testdata/cluster-conf/production.conf"

// cluster is one test cluster: a Consul server, one or more Vault servers
// (uninitialized at first), the compiled production.conf and canary
// secrets.
type cluster struct {
	consul  *servertest.Consul
	vaults  []*servertest.Vault
	file    *dconf.File
	plan    *compiler.Plan
	pass    string
	answers StaticAnswers
	// outputs collects everything confc printed or logged during the
	// test, for the canary search.
	outputs map[string][]byte
}

// newCluster starts the servers for production.conf with n Vault nodes.
func newCluster(t *testing.T, n int) *cluster {
	t.Helper()
	file, plan := compileFile(t, productionConf, nil)
	c := &cluster{file: file, plan: plan, outputs: map[string][]byte{}}
	c.consul = servertest.StartConsul(t)
	if n == 1 {
		c.vaults = []*servertest.Vault{servertest.StartVault(t, c.consul, servertest.VaultOptions{})}
	} else {
		c.vaults = servertest.StartVaultHA(t, c.consul, n)
	}
	c.pass = servertest.Canary("passphrase")
	c.answers = StaticAnswers{}
	for _, name := range PromptsUsed(plan) {
		c.answers[name] = servertest.Canary(name)
	}
	return c
}

// compileFile parses and compiles a cluster.conf, after edit (when not nil)
// has changed its text.
func compileFile(t *testing.T, path string, edit func(string) string) (*dconf.File, *compiler.Plan) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		src = []byte(edit(string(src)))
	}
	f, err := dconf.Parse(filepath.Base(path), src)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	p, _, err := compiler.CompileChecked(f)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return f, p
}

func (c *cluster) vaultAddrs() []string {
	addrs := make([]string, len(c.vaults))
	for i, v := range c.vaults {
		addrs[i] = v.Addr
	}
	return addrs
}

// options returns apply options for the cluster, reporting JSON events
// into buf.
func (c *cluster) options(buf *bytes.Buffer) Options {
	return Options{
		Plan:       c.plan,
		File:       c.file,
		Conn:       Conn{VaultAddrs: c.vaultAddrs(), ConsulAddr: c.consul.Addr, ConsulToken: c.consul.Token},
		Passphrase: c.pass,
		Answers:    c.answers,
		Reporter:   NewJSONReporter(buf),
		Retry:      RetryPolicy{Attempts: 8, Base: 250 * time.Millisecond, Max: 4 * time.Second, Total: 30 * time.Second},
	}
}

// apply runs one apply in-process and keeps its events for the canary
// search.
func (c *cluster) apply(t *testing.T, label string, mod func(*Options)) (*Summary, error, []Event) {
	t.Helper()
	var buf bytes.Buffer
	o := c.options(&buf)
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sum, err := Apply(ctx, o)
	c.outputs["events of "+label] = append([]byte(nil), buf.Bytes()...)
	if err != nil {
		c.outputs["error of "+label] = []byte(err.Error())
	}
	return sum, err, parseEvents(t, buf.Bytes())
}

func parseEvents(t *testing.T, b []byte) []Event {
	t.Helper()
	var out []Event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("event %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// mustApply applies and fails the test on error.
func (c *cluster) mustApply(t *testing.T, label string) *Summary {
	t.Helper()
	sum, err, _ := c.apply(t, label, nil)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if sum.Failed != 0 {
		t.Fatalf("%s: %d steps failed", label, sum.Failed)
	}
	return sum
}

// userClient logs in as the passphrase user.
func (c *cluster) userClient(t *testing.T) *vaultapi.Client {
	t.Helper()
	v := servertest.ActiveVault(t, c.vaults)
	client := v.APIWithToken("")
	sec, err := client.Logical().Write("auth/userpass/login/"+compiler.AdminUser, map[string]any{"password": c.pass})
	if err != nil {
		t.Fatalf("passphrase login: %v", err)
	}
	client.SetToken(sec.Auth.ClientToken)
	t.Cleanup(func() { _ = client.Auth().Token().RevokeSelf("") })
	return client
}

// bundle decrypts the unseal keys confc stored.
func (c *cluster) bundle(t *testing.T) *UnsealBundle {
	t.Helper()
	ct, _, err := ReadBundle(context.Background(), c.consul.API(), c.plan.Cluster.Name)
	if err != nil || ct == nil {
		t.Fatalf("read unseal bundle: %v (present: %v)", err, ct != nil)
	}
	b, err := OpenBundle(ct, c.pass)
	if err != nil {
		t.Fatalf("open unseal bundle: %v", err)
	}
	return b
}

// rootClient makes a root token from the bundle (confc keeps none) and
// revokes it when the test ends.
func (c *cluster) rootClient(t *testing.T) *vaultapi.Client {
	t.Helper()
	v := servertest.ActiveVault(t, c.vaults)
	client := v.APIWithToken("")
	tok, err := GenerateRoot(context.Background(), client, c.bundle(t).Keys)
	if err != nil {
		t.Fatalf("generate root: %v", err)
	}
	client.SetToken(tok)
	t.Cleanup(func() { _ = client.Auth().Token().RevokeSelf("") })
	return client
}

// generatedSecrets reads every generated secret back from Vault, by step
// ID and field.
func (c *cluster) generatedSecrets(t *testing.T, client *vaultapi.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range c.plan.Steps {
		if s.Kind != compiler.KindVaultKVGenerate {
			continue
		}
		sec, err := client.Logical().Read(s.Target)
		if err != nil || sec == nil {
			t.Fatalf("read %s: %v", s.Target, err)
		}
		data, _ := sec.Data["data"].(map[string]any)
		for _, f := range s.KV.Fields {
			v, _ := data[f.Name].(string)
			if v == "" {
				t.Fatalf("%s has no field %q", s.Target, f.Name)
			}
			out[s.ID+"#"+f.Name] = v
		}
	}
	return out
}

// storeIndexes returns the modify index of every Consul object the plan
// manages: store keys, the ACL policy and the token.
func (c *cluster) storeIndexes(t *testing.T) map[string]uint64 {
	t.Helper()
	api := c.consul.API()
	out := map[string]uint64{}
	pairs, _, err := api.KV().List(c.plan.Cluster.StorePrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		out["kv "+p.Key] = p.ModifyIndex
	}
	pol, _, err := api.ACL().PolicyReadByName(compiler.ConsulComponentsPolicy, nil)
	if err != nil || pol == nil {
		t.Fatalf("read consul policy: %v", err)
	}
	out["policy"] = pol.ModifyIndex
	toks, _, err := api.ACL().TokenList(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		if strings.HasPrefix(tk.Description, "confc components token") {
			out["token "+tk.AccessorID] = tk.ModifyIndex
		}
	}
	return out
}

// componentToken returns the components token, failing unless exactly one
// exists.
func (c *cluster) componentToken(t *testing.T) *consulapi.ACLToken {
	t.Helper()
	api := c.consul.API()
	desc := c.plan.Step("consul.acl.token:components").ConsulToken.Description
	toks, _, err := api.ACL().TokenList(nil)
	if err != nil {
		t.Fatal(err)
	}
	var found []*consulapi.ACLTokenListEntry
	for _, tk := range toks {
		if tk.Description == desc {
			found = append(found, tk)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d tokens with description %q, want 1", len(found), desc)
	}
	tok, _, err := api.ACL().TokenRead(found[0].AccessorID, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// assertNoLeak searches every secret of the cluster in everything confc
// printed, the journal, a dump of Consul's KV store and the server logs.
func (c *cluster) assertNoLeak(t *testing.T, extra ...string) {
	t.Helper()
	hay := map[string][]byte{}
	for k, v := range c.outputs {
		hay[k] = v
	}
	hay["consul kv"] = servertest.DumpConsulKV(t, c.consul)
	run, entries, err := ReadJournal(context.Background(), c.consul.API(), c.plan.Cluster.Name)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(struct {
		Run     *JournalRun
		Entries []JournalEntry
	}{run, entries})
	hay["journal"] = j
	for i, v := range c.vaults {
		b, _ := os.ReadFile(v.LogPath)
		hay["vault log "+string(rune('0'+i))] = b
	}
	b, _ := os.ReadFile(c.consul.LogPath)
	hay["consul log"] = b

	secrets := []string{c.pass}
	for _, a := range c.answers {
		secrets = append(secrets, a)
	}
	secrets = append(secrets, extra...)
	servertest.AssertNoSecret(t, hay, secrets...)
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if strings.Count(s, old) != 1 {
		t.Fatalf("%q occurs %d times, want once", old, strings.Count(s, old))
	}
	return strings.Replace(s, old, new, 1)
}

func pairOf(key, value string) *consulapi.KVPair {
	return &consulapi.KVPair{Key: key, Value: []byte(value)}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
