package apply

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
)

const wrongPassphraseMessage = "Unable to login to secret store; this may result in deploy failure later. Error: invalid credentials"

// TestApplyLifecycle applies production.conf to fresh servers, checks every
// object against the plan, applies again and shows that the second run
// writes nothing (Vault's audit log, Consul modify indexes), refreshes the
// plan to all no-ops, refuses wrong passphrases on an unsealed and a
// sealed Vault, and finds no secret in anything confc printed or stored.
func TestApplyLifecycle(t *testing.T) {
	c := newCluster(t, 1)
	total := len(c.plan.Steps)

	sum := c.mustApply(t, "first apply")
	if sum.Created != total || sum.Updated != 0 || sum.Unchanged != 0 {
		t.Errorf("first apply: %s; want all %d steps created", sum, total)
	}

	root := c.rootClient(t)
	c.checkLayout(t, root)
	gen := c.generatedSecrets(t, root)
	token := c.componentToken(t)

	// Vault's audit log records every request; enable it before the second
	// run to see what that run sends.
	auditPath := filepath.Join(t.TempDir(), "audit.log")
	if err := root.Sys().EnableAuditWithOptions("file", &vaultapi.EnableAuditOptions{
		Type: "file", Options: map[string]string{"file_path": auditPath},
	}); err != nil {
		t.Fatalf("enable audit: %v", err)
	}
	auditStart := fileSize(t, auditPath)
	indexes := c.storeIndexes(t)

	sum = c.mustApply(t, "second apply")
	if sum.Unchanged != total || sum.Changed() {
		t.Errorf("second apply: %s; want all %d steps unchanged", sum, total)
	}
	reads, writes := auditRequests(t, auditPath, auditStart)
	if len(writes) > 0 {
		t.Errorf("second apply sent %d write requests to vault: %v", len(writes), writes)
	}
	if reads < total/2 {
		t.Errorf("audit log shows only %d reads during the second apply; is it recording?", reads)
	}
	if diff := cmp.Diff(indexes, c.storeIndexes(t)); diff != "" {
		t.Errorf("second apply changed consul objects (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(gen, c.generatedSecrets(t, root)); diff != "" {
		t.Errorf("second apply changed generated secrets")
	}

	// plan --refresh shares the comparison code: everything is a no-op.
	_, fresh := compileFile(t, productionConf, nil)
	var rbuf bytes.Buffer
	ro := c.options(&rbuf)
	ro.Plan = fresh
	if err := Refresh(context.Background(), ro); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	c.outputs["refresh events"] = rbuf.Bytes()
	for _, s := range fresh.Steps {
		if s.Status != compiler.StatusNoop {
			t.Errorf("refresh: %s is %q, want no-op", s.ID, s.Status)
		}
	}
	if fresh.HasChanges() {
		t.Error("refreshed plan reports changes")
	}

	// A wrong passphrase is refused before anything is written, whether
	// Vault is unsealed or sealed.
	wrong := func(label string) {
		t.Helper()
		before := c.storeIndexes(t)
		auditAt := fileSize(t, auditPath)
		_, err, _ := c.apply(t, label, func(o *Options) { o.Passphrase = "not-the-passphrase" })
		if err == nil || err.Error() != wrongPassphraseMessage {
			t.Errorf("%s: error %v, want %q", label, err, wrongPassphraseMessage)
		}
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: error does not wrap ErrInvalidCredentials", label)
		}
		if _, w := auditRequests(t, auditPath, auditAt); len(w) > 0 {
			t.Errorf("%s: vault writes %v", label, w)
		}
		if diff := cmp.Diff(before, c.storeIndexes(t)); diff != "" {
			t.Errorf("%s changed consul objects:\n%s", label, diff)
		}
		info, err := ReadLock(context.Background(), c.consul.API(), c.plan.Cluster.Name)
		if err != nil || info.Held {
			t.Errorf("%s: lock %+v, %v; want free", label, info, err)
		}
	}
	wrong("wrong passphrase, unsealed")
	c.vaults[0].Restart(t)
	wrong("wrong passphrase, sealed")

	// The right passphrase unseals from the bundle and changes nothing.
	sum = c.mustApply(t, "apply after restart")
	if sum.Changed() {
		t.Errorf("apply after restart: %s; want no change", sum)
	}

	secrets := []string{token.SecretID}
	for _, v := range gen {
		secrets = append(secrets, v)
	}
	secrets = append(secrets, c.bundle(t).Keys...)
	c.outputs["audit log"] = readFile(t, auditPath)
	c.assertNoLeak(t, secrets...)
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// auditRequests reads the audit log from byte offset from and returns the
// number of read and list requests and the writes (operation create,
// update or delete, as "operation path"). Logging in and revoking the
// login token at the end are the session's own writes and left out.
func auditRequests(t *testing.T, path string, from int64) (reads int, writes []string) {
	t.Helper()
	b := readFile(t, path)[from:]
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4<<20), 4<<20)
	for sc.Scan() {
		var e struct {
			Type    string `json:"type"`
			Request struct {
				Operation string `json:"operation"`
				Path      string `json:"path"`
			} `json:"request"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line: %v", err)
		}
		if e.Type != "request" {
			continue
		}
		switch e.Request.Operation {
		case "read", "list":
			reads++
		case "create", "update", "delete":
			if e.Request.Path == "auth/token/revoke-self" || strings.HasPrefix(e.Request.Path, "auth/userpass/login/") {
				continue
			}
			writes = append(writes, e.Request.Operation+" "+e.Request.Path)
		}
	}
	return reads, writes
}

// checkLayout reads every object of the plan back through the Vault and
// Consul APIs and compares it with the plan.
func (c *cluster) checkLayout(t *testing.T, v *vaultapi.Client) {
	t.Helper()
	consul := c.consul.API()
	mounts, err := v.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	auths, err := v.Sys().ListAuth()
	if err != nil {
		t.Fatal(err)
	}
	tokenSecret := c.componentToken(t).SecretID
	read := func(path string) map[string]any {
		t.Helper()
		sec, err := v.Logical().Read(path)
		if err != nil || sec == nil {
			t.Fatalf("read %s: %v (found %v)", path, err, sec != nil)
		}
		return sec.Data
	}
	kvData := func(path string) map[string]any {
		d, _ := read(path)["data"].(map[string]any)
		return d
	}

	for _, s := range c.plan.Steps {
		switch s.Kind {
		case compiler.KindVaultMount:
			m := mounts[s.Mount.Path+"/"]
			if m == nil || m.Type != s.Mount.Type {
				t.Errorf("%s: mount %+v", s.ID, m)
			}
		case compiler.KindVaultAuth:
			if a := auths[s.Auth.Path+"/"]; a == nil || a.Type != s.Auth.Type {
				t.Errorf("%s: auth method %+v", s.ID, a)
			}
		case compiler.KindVaultPolicy:
			if got := asString(read(s.Target)["policy"]); got != s.Policy.Rules {
				t.Errorf("%s: policy text differs", s.ID)
			}
		case compiler.KindVaultUserpass:
			if got := asStrings(read(s.Target)["token_policies"]); !sameSet(got, s.User.Policies) {
				t.Errorf("%s: policies %v", s.ID, got)
			}
		case compiler.KindVaultTokenRole:
			d := read(s.Target)
			if !sameSet(asStrings(d["allowed_policies"]), s.TokenRole.AllowedPolicies) || !asBool(d["orphan"]) {
				t.Errorf("%s: role %v", s.ID, d)
			}
		case compiler.KindVaultPKICA:
			ca := parseCert(asString(read(s.CA.Mount + "/cert/ca")["certificate"]))
			if ca == nil || ca.Subject.CommonName != s.CA.CommonName || !ca.IsCA {
				t.Errorf("%s: CA %v", s.ID, ca)
			}
			if keys := asStrings(listData(t, v, s.CA.Mount+"/issuers")["keys"]); len(keys) != 1 {
				t.Errorf("%s: %d issuers, want 1", s.ID, len(keys))
			}
		case compiler.KindVaultPKIRole:
			d := read(s.Target)
			if !sameSet(asStrings(d["allowed_domains"]), s.PKIRole.AllowedDomains) {
				t.Errorf("%s: role %v", s.ID, d)
			}
		case compiler.KindVaultPKICert:
			d := kvData(s.Target)
			cert := parseCert(asString(d["certificate"]))
			if cert == nil || cert.Subject.CommonName != s.Cert.CommonName || asString(d["private_key"]) == "" {
				t.Fatalf("%s: no certificate or key stored", s.ID)
			}
			var ips []string
			for _, ip := range cert.IPAddresses {
				ips = append(ips, ip.String())
			}
			if !sameSet(ips, s.Cert.IPSANs) {
				t.Errorf("%s: IP SANs %v, want %v", s.ID, ips, s.Cert.IPSANs)
			}
		case compiler.KindVaultKVGenerate:
			d := kvData(s.Target)
			for _, f := range s.KV.Fields {
				checkGenerated(t, s.ID, f.Generator, asString(d[f.Name]))
			}
		case compiler.KindVaultKVPut:
			d := kvData(s.Target)
			if len(d) != len(s.KV.Fields) {
				t.Errorf("%s: %d fields, want %d", s.ID, len(d), len(s.KV.Fields))
			}
			for _, f := range s.KV.Fields {
				var want any
				kind, arg, _ := strings.Cut(f.Source, ":")
				switch {
				case kind == "prompt":
					want = c.answers[arg]
				case kind == "consul-token":
					want = tokenSecret
				case kind == "cluster-conf":
					want, _ = lookupDotted(c.file, arg)
				default:
					want, _ = decodeValue(f.Value)
				}
				if canonicalJSON(d[f.Name]) != canonicalJSON(want) {
					t.Errorf("%s: field %q differs from the plan", s.ID, f.Name)
				}
			}
		case compiler.KindConsulPolicy:
			p, _, err := consul.ACL().PolicyReadByName(s.ConsulPolicy.Name, nil)
			if err != nil || p == nil || p.Rules != s.ConsulPolicy.Rules {
				t.Errorf("%s: policy %v, %v", s.ID, p, err)
			}
		case compiler.KindConsulToken:
			tok := c.componentToken(t)
			if len(tok.Policies) != 1 || tok.Policies[0].Name != s.ConsulToken.Policies[0] {
				t.Errorf("%s: token policies %v", s.ID, tok.Policies)
			}
		case compiler.KindConsulKVPut:
			p, _, err := consul.KV().Get(s.ConsulKV.Key, nil)
			if err != nil || p == nil || string(p.Value) != string(s.ConsulKV.Value) {
				t.Errorf("%s: consul value differs from the plan (%v)", s.ID, err)
			}
		default:
			t.Errorf("%s: kind not checked", s.ID)
		}
	}
}

func listData(t *testing.T, v *vaultapi.Client, path string) map[string]any {
	t.Helper()
	sec, err := v.Logical().List(path)
	if err != nil || sec == nil {
		t.Fatalf("list %s: %v", path, err)
	}
	return sec.Data
}

// checkGenerated checks that a generated value has the generator's form.
func checkGenerated(t *testing.T, id, generator, v string) {
	t.Helper()
	switch generator {
	case compiler.GeneratorECP256:
		b, _ := pem.Decode([]byte(v))
		if b == nil || b.Type != "PRIVATE KEY" {
			t.Errorf("%s: not a PEM private key", id)
			return
		}
		if _, err := x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	case compiler.GeneratorAES256:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != 32 {
			t.Errorf("%s: not 32 bytes of base64 (%d, %v)", id, len(b), err)
		}
	case compiler.GeneratorPassword32:
		if len(v) != 32 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Errorf("%s: not 32 alphanumeric characters", id)
		}
	default:
		t.Errorf("%s: unknown generator %q", id, generator)
	}
}
