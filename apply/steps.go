package apply

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
)

// Result is what a step did (or, when refreshing, would do).
type Result string

// The results of a step.
const (
	Created   Result = "created"   // the target was absent and was written
	Updated   Result = "updated"   // the target differed and was changed
	Unchanged Result = "unchanged" // the target was already as planned
	Failed    Result = "failed"    // the step failed
	Skipped   Result = "skipped"   // finished by an interrupted earlier run of the same plan
)

// errNoValue is returned while refreshing when a value needed for the
// comparison is not available (a prompt without an answer, a Consul token
// not created yet): the step's status is then unknown.
var errNoValue = errors.New("value not available")

// runStep reads a step's target and, when write is set, writes what
// differs. Without write it only reports what it would do.
func (r *runner) runStep(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	r.current = s
	switch s.Kind {
	case compiler.KindVaultMount:
		return r.mount(ctx, s, write)
	case compiler.KindVaultAuth:
		return r.auth(ctx, s, write)
	case compiler.KindVaultPolicy:
		return r.policy(ctx, s, write)
	case compiler.KindVaultUserpass:
		return r.userpass(ctx, s, write)
	case compiler.KindVaultTokenRole:
		return r.tokenRole(ctx, s, write)
	case compiler.KindVaultPKICA:
		return r.pkiCA(ctx, s, write)
	case compiler.KindVaultPKIRole:
		return r.pkiRole(ctx, s, write)
	case compiler.KindVaultPKICert:
		return r.pkiCert(ctx, s, write)
	case compiler.KindVaultKVGenerate:
		return r.kvGenerate(ctx, s, write)
	case compiler.KindVaultKVPut:
		return r.kvPut(ctx, s, write)
	case compiler.KindConsulPolicy:
		return r.consulPolicy(ctx, s, write)
	case compiler.KindConsulToken:
		return r.consulToken(ctx, s, write)
	case compiler.KindConsulKVPut:
		return r.consulKV(ctx, s, write)
	}
	return Failed, fmt.Errorf("unknown step kind %q", s.Kind)
}

func missingParams(s *compiler.Step) error {
	return fmt.Errorf("step %q of kind %q has no parameters", s.ID, s.Kind)
}

// changed returns Created or Updated after the write function ran, or
// just the result when not writing.
func (r *runner) changed(res Result, write bool, fn func() error) (Result, error) {
	if !write {
		return res, nil
	}
	if r.beforeWrite != nil {
		r.beforeWrite(r.current)
	}
	if err := fn(); err != nil {
		return Failed, err
	}
	return res, nil
}

func (r *runner) mount(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	m := s.Mount
	if m == nil {
		return Failed, missingParams(s)
	}
	var mounts map[string]*vaultapi.MountOutput
	err := r.v.do(ctx, "sys/mounts", "read", func(c *vaultapi.Client) error {
		var err error
		mounts, err = c.Sys().ListMountsWithContext(ctx)
		return err
	})
	if err != nil {
		return Failed, err
	}
	maxTTL, err := seconds(m.MaxLeaseTTL)
	if err != nil {
		return Failed, err
	}
	path := "sys/mounts/" + m.Path
	cur := mounts[m.Path+"/"]
	if cur == nil {
		return r.changed(Created, write, func() error {
			in := &vaultapi.MountInput{Type: m.Type, Description: m.Description, Options: m.Options,
				Config: vaultapi.MountConfigInput{MaxLeaseTTL: m.MaxLeaseTTL}}
			return r.v.do(ctx, path, "create", func(c *vaultapi.Client) error {
				return c.Sys().MountWithContext(ctx, m.Path, in)
			})
		})
	}
	if cur.Type != m.Type {
		return Failed, fmt.Errorf("%q is a %q secrets engine but the plan wants %q; confc does not replace an existing engine (it holds data)", m.Path+"/", cur.Type, m.Type)
	}
	same := cur.Description == m.Description &&
		(maxTTL == 0 || int64(cur.Config.MaxLeaseTTL) == maxTTL)
	for k, v := range m.Options {
		if cur.Options[k] != v {
			same = false
		}
	}
	if same {
		return Unchanged, nil
	}
	// TODO: the cluster-admin policy does not grant sys/mounts/<path>/tune,
	// so this update fails with a 403 for the passphrase user; fixing such
	// drift needs a root token.
	return r.changed(Updated, write, func() error {
		data := map[string]any{"description": m.Description}
		if m.MaxLeaseTTL != "" {
			data["max_lease_ttl"] = m.MaxLeaseTTL
		}
		if len(m.Options) > 0 {
			data["options"] = m.Options
		}
		_, err := r.v.write(ctx, path+"/tune", "update", data)
		return err
	})
}

func (r *runner) auth(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	a := s.Auth
	if a == nil {
		return Failed, missingParams(s)
	}
	var auths map[string]*vaultapi.AuthMount
	err := r.v.do(ctx, "sys/auth", "read", func(c *vaultapi.Client) error {
		var err error
		auths, err = c.Sys().ListAuthWithContext(ctx)
		return err
	})
	if err != nil {
		return Failed, err
	}
	path := "sys/auth/" + a.Path
	cur := auths[a.Path+"/"]
	if cur == nil {
		return r.changed(Created, write, func() error {
			return r.v.do(ctx, path, "sudo", func(c *vaultapi.Client) error {
				return c.Sys().EnableAuthWithOptionsWithContext(ctx, a.Path,
					&vaultapi.EnableAuthOptions{Type: a.Type, Description: a.Description})
			})
		})
	}
	if cur.Type != a.Type {
		return Failed, fmt.Errorf("auth method %q is of type %q but the plan wants %q; confc does not replace it", a.Path+"/", cur.Type, a.Type)
	}
	if cur.Description == a.Description {
		return Unchanged, nil
	}
	// TODO: the cluster-admin policy does not grant sys/auth/<path>/tune,
	// so this update fails with a 403 for the passphrase user; fixing such
	// drift needs a root token.
	return r.changed(Updated, write, func() error {
		_, err := r.v.write(ctx, path+"/tune", "update", map[string]any{"description": a.Description})
		return err
	})
}

func (r *runner) policy(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	p := s.Policy
	if p == nil {
		return Failed, missingParams(s)
	}
	path := "sys/policies/acl/" + p.Name
	sec, err := r.v.read(ctx, path)
	if err != nil {
		return Failed, err
	}
	res := Created
	if sec != nil && sec.Data != nil {
		if asString(sec.Data["policy"]) == p.Rules {
			return Unchanged, nil
		}
		res = Updated
	}
	return r.changed(res, write, func() error {
		_, err := r.v.write(ctx, path, capFor(res), map[string]any{"policy": p.Rules})
		return err
	})
}

// capFor is the Vault capability a write needs.
func capFor(res Result) string {
	if res == Created {
		return "create"
	}
	return "update"
}

func (r *runner) userpass(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	u := s.User
	if u == nil {
		return Failed, missingParams(s)
	}
	ttl, err := seconds(u.TokenTTL)
	if err != nil {
		return Failed, err
	}
	maxTTL, err := seconds(u.TokenMaxTTL)
	if err != nil {
		return Failed, err
	}
	path := "auth/" + u.Mount + "/users/" + u.Username
	sec, err := r.v.read(ctx, path)
	if err != nil {
		return Failed, err
	}
	data := map[string]any{
		"token_policies": strings.Join(u.Policies, ","),
		"token_ttl":      u.TokenTTL,
		"token_max_ttl":  u.TokenMaxTTL,
	}
	if sec == nil || sec.Data == nil {
		// The password is set only here, when the user is made; changing
		// it is "confc security changepwd", which also re-encrypts the
		// unseal keys.
		return r.changed(Created, write, func() error {
			pw, err := r.source(ctx, u.PasswordSource)
			if err != nil {
				return err
			}
			data["password"] = pw
			_, err = r.v.write(ctx, path, "create", data)
			return err
		})
	}
	if sameSet(asStrings(sec.Data["token_policies"]), u.Policies) &&
		asInt(sec.Data["token_ttl"]) == ttl && asInt(sec.Data["token_max_ttl"]) == maxTTL {
		return Unchanged, nil
	}
	return r.changed(Updated, write, func() error {
		_, err := r.v.write(ctx, path, "update", data)
		return err
	})
}

func (r *runner) tokenRole(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	t := s.TokenRole
	if t == nil {
		return Failed, missingParams(s)
	}
	period, err := seconds(t.TokenPeriod)
	if err != nil {
		return Failed, err
	}
	path := "auth/token/roles/" + t.Name
	sec, err := r.v.read(ctx, path)
	if err != nil {
		return Failed, err
	}
	res := Created
	if sec != nil && sec.Data != nil {
		d := sec.Data
		if sameSet(asStrings(d["allowed_policies"]), t.AllowedPolicies) &&
			asBool(d["orphan"]) == t.Orphan && asBool(d["renewable"]) == t.Renewable &&
			asInt(d["token_period"]) == period && asString(d["token_type"]) == t.TokenType {
			return Unchanged, nil
		}
		res = Updated
	}
	return r.changed(res, write, func() error {
		_, err := r.v.write(ctx, path, capFor(res), map[string]any{
			"allowed_policies": strings.Join(t.AllowedPolicies, ","),
			"orphan":           t.Orphan,
			"renewable":        t.Renewable,
			"token_period":     t.TokenPeriod,
			"token_type":       t.TokenType,
		})
		return err
	})
}

func (r *runner) pkiCA(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	ca := s.CA
	if ca == nil {
		return Failed, missingParams(s)
	}
	has, err := r.hasCA(ctx, ca.Mount)
	if err != nil {
		return Failed, err
	}
	if has {
		// Create-once: an existing CA is never replaced, whatever its
		// subject, since every issued certificate chains to it.
		return Unchanged, nil
	}
	return r.changed(Created, write, func() error {
		// A second generate after a lost answer would add a second
		// issuer; the retry checks for the first one instead.
		return r.v.create(ctx, ca.Mount+"/root/generate/internal", map[string]any{
			"common_name":  ca.CommonName,
			"organization": ca.Organization,
			"key_type":     ca.KeyType,
			"key_bits":     ca.KeyBits,
			"ttl":          ca.TTL,
		}, func(c *vaultapi.Client) (bool, error) {
			sec, err := c.Logical().ListWithContext(ctx, ca.Mount+"/issuers")
			return hasIssuer(sec), err
		})
	})
}

// hasCA reports whether the PKI mount has an issuer.
func (r *runner) hasCA(ctx context.Context, mount string) (bool, error) {
	sec, err := r.v.list(ctx, mount+"/issuers")
	if err != nil {
		return false, err
	}
	return hasIssuer(sec), nil
}

// hasIssuer reports whether a list of a PKI mount's issuers holds one.
func hasIssuer(sec *vaultapi.Secret) bool {
	return sec != nil && sec.Data != nil && len(asStrings(sec.Data["keys"])) > 0
}

func (r *runner) pkiRole(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	p := s.PKIRole
	if p == nil {
		return Failed, missingParams(s)
	}
	maxTTL, err := seconds(p.MaxTTL)
	if err != nil {
		return Failed, err
	}
	path := p.Mount + "/roles/" + p.Name
	sec, err := r.v.read(ctx, path)
	if err != nil {
		return Failed, err
	}
	res := Created
	if sec != nil && sec.Data != nil {
		d := sec.Data
		if sameSet(asStrings(d["allowed_domains"]), p.AllowedDomains) &&
			asBool(d["allow_bare_domains"]) == p.AllowBareDomains &&
			asBool(d["allow_subdomains"]) == p.AllowSubdomains &&
			asBool(d["allow_localhost"]) == p.AllowLocalhost &&
			asBool(d["allow_ip_sans"]) == p.AllowIPSANs &&
			asBool(d["server_flag"]) == p.ServerFlag &&
			asBool(d["client_flag"]) == p.ClientFlag &&
			asString(d["key_type"]) == p.KeyType &&
			asInt(d["key_bits"]) == int64(p.KeyBits) &&
			asInt(d["max_ttl"]) == maxTTL {
			return Unchanged, nil
		}
		res = Updated
	}
	return r.changed(res, write, func() error {
		_, err := r.v.write(ctx, path, capFor(res), map[string]any{
			"allowed_domains":    p.AllowedDomains,
			"allow_bare_domains": p.AllowBareDomains,
			"allow_subdomains":   p.AllowSubdomains,
			"allow_localhost":    p.AllowLocalhost,
			"allow_ip_sans":      p.AllowIPSANs,
			"server_flag":        p.ServerFlag,
			"client_flag":        p.ClientFlag,
			"key_type":           p.KeyType,
			"key_bits":           p.KeyBits,
			"max_ttl":            p.MaxTTL,
		})
		return err
	})
}

// kvEntry is a KV v2 entry as read.
type kvEntry struct {
	data    map[string]any // nil when absent or deleted
	version int64          // current version, 0 when the path never existed
}

func (r *runner) readKV(ctx context.Context, mount, path string) (*kvEntry, error) {
	sec, err := r.v.read(ctx, mount+"/data/"+path)
	if err != nil {
		return nil, err
	}
	e := &kvEntry{}
	if sec == nil || sec.Data == nil {
		return e, nil
	}
	if md, ok := sec.Data["metadata"].(map[string]any); ok {
		e.version = asInt(md["version"])
		// A deleted latest version reads back with its metadata and no
		// data: absent, but the next write must name its version.
	}
	if d, ok := sec.Data["data"].(map[string]any); ok {
		e.data = d
	}
	return e, nil
}

// writeKV writes a whole KV v2 entry with check-and-set on the version
// read, so a concurrent change is reported instead of overwritten.
func (r *runner) writeKV(ctx context.Context, mount, path string, e *kvEntry, data map[string]any) error {
	capability := "update"
	if e.data == nil {
		capability = "create"
	}
	_, err := r.v.write(ctx, mount+"/data/"+path, capability, map[string]any{
		"data":    data,
		"options": map[string]any{"cas": e.version},
	})
	return err
}

func (r *runner) kvGenerate(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	kv := s.KV
	if kv == nil {
		return Failed, missingParams(s)
	}
	e, err := r.readKV(ctx, kv.Mount, kv.Path)
	if err != nil {
		return Failed, err
	}
	data := map[string]any{}
	for k, v := range e.data {
		data[k] = v
	}
	var todo []compiler.KVField
	for _, f := range kv.Fields {
		if _, ok := e.data[f.Name]; !ok {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		// Create-once: existing secrets are kept as they are, so a
		// re-run never rotates a key.
		return Unchanged, nil
	}
	res := Created
	if e.data != nil {
		res = Updated
	}
	return r.changed(res, write, func() error {
		for _, f := range todo {
			var v any
			var err error
			switch {
			case f.Generator != "":
				v, err = generate(f.Generator)
			case f.Source != "":
				v, err = r.source(ctx, f.Source)
			default:
				v, err = decodeValue(f.Value)
			}
			if err != nil {
				return fmt.Errorf("field %q: %w", f.Name, err)
			}
			data[f.Name] = v
		}
		return r.writeKV(ctx, kv.Mount, kv.Path, e, data)
	})
}

func (r *runner) kvPut(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	kv := s.KV
	if kv == nil {
		return Failed, missingParams(s)
	}
	e, err := r.readKV(ctx, kv.Mount, kv.Path)
	if err != nil {
		return Failed, err
	}
	res := Created
	if e.data != nil {
		res = Updated
	}
	want := map[string]any{}
	for _, f := range kv.Fields {
		var v any
		var err error
		switch {
		case f.Source != "":
			v, err = r.source(ctx, f.Source)
		case f.Generator != "":
			// A generated field in a converge entry is kept once made.
			if cur, ok := e.data[f.Name]; ok {
				v = cur
			} else if write {
				v, err = generate(f.Generator)
			} else {
				return res, nil
			}
		default:
			v, err = decodeValue(f.Value)
		}
		if errors.Is(err, errNoValue) && e.data == nil {
			return Created, nil
		}
		if err != nil {
			return Failed, fmt.Errorf("field %q: %w", f.Name, err)
		}
		want[f.Name] = v
	}
	if e.data != nil && len(e.data) == len(want) {
		same := true
		for k, v := range want {
			cur, ok := e.data[k]
			if !ok || canonicalJSON(cur) != canonicalJSON(v) {
				same = false
				break
			}
		}
		if same {
			return Unchanged, nil
		}
	}
	return r.changed(res, write, func() error {
		return r.writeKV(ctx, kv.Mount, kv.Path, e, want)
	})
}

// certRenewFraction is the part of a certificate's lifetime that must
// remain for the stored certificate to be kept.
const certRenewFraction = 3

func (r *runner) pkiCert(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	c := s.Cert
	if c == nil {
		return Failed, missingParams(s)
	}
	ttl, err := seconds(c.TTL)
	if err != nil {
		return Failed, err
	}
	e, err := r.readKV(ctx, c.StoreMount, c.StorePath)
	if err != nil {
		return Failed, err
	}
	if e.data != nil {
		ok, err := r.certCurrent(ctx, c, e.data, time.Duration(ttl)*time.Second)
		if err != nil {
			return Failed, err
		}
		if ok {
			return Unchanged, nil
		}
	}
	res := Created
	if e.data != nil {
		res = Updated
	}
	return r.changed(res, write, func() error {
		sec, err := r.v.write(ctx, c.Mount+"/issue/"+c.Role, "update", map[string]any{
			"common_name": c.CommonName,
			"alt_names":   strings.Join(c.AltNames, ","),
			"ip_sans":     strings.Join(c.IPSANs, ","),
			"ttl":         c.TTL,
		})
		if err != nil {
			return err
		}
		if sec == nil || sec.Data == nil {
			return fmt.Errorf("vault returned no certificate from %q", c.Mount+"/issue/"+c.Role)
		}
		return r.writeKV(ctx, c.StoreMount, c.StorePath, e, map[string]any{
			"certificate": sec.Data["certificate"],
			"private_key": sec.Data["private_key"],
			"issuing_ca":  sec.Data["issuing_ca"],
			"ca_chain":    sec.Data["ca_chain"],
		})
	})
}

// certCurrent reports whether the stored certificate can be kept: it names
// exactly the planned hosts, chains to the mount's current CA, has its key,
// and has more than a third of its lifetime left. Re-issuing only then
// keeps a re-run free of writes while the certificate still renews well
// before it expires.
func (r *runner) certCurrent(ctx context.Context, c *compiler.PKICert, data map[string]any, ttl time.Duration) (bool, error) {
	cert := parseCert(asString(data["certificate"]))
	if cert == nil || asString(data["private_key"]) == "" {
		return false, nil
	}
	if cert.Subject.CommonName != c.CommonName {
		return false, nil
	}
	wantDNS := append([]string{c.CommonName}, c.AltNames...)
	if !sameSet(cert.DNSNames, wantDNS) {
		return false, nil
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	var wantIPs []string
	for _, ip := range c.IPSANs {
		if p := net.ParseIP(ip); p != nil {
			wantIPs = append(wantIPs, p.String())
		}
	}
	if !sameSet(ips, wantIPs) {
		return false, nil
	}
	if ttl > 0 && time.Until(cert.NotAfter) < ttl/certRenewFraction {
		return false, nil
	}
	sec, err := r.v.read(ctx, c.Mount+"/cert/ca")
	if err != nil {
		return false, err
	}
	if sec == nil || sec.Data == nil {
		return false, nil
	}
	ca := parseCert(asString(sec.Data["certificate"]))
	if ca == nil || cert.CheckSignatureFrom(ca) != nil {
		return false, nil
	}
	return true, nil
}

func parseCert(s string) *x509.Certificate {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil
	}
	return c
}

func (r *runner) consulPolicy(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	p := s.ConsulPolicy
	if p == nil {
		return Failed, missingParams(s)
	}
	acl := r.c.ACL()
	path := "acl/policy/name/" + p.Name
	var cur *consulapi.ACLPolicy
	err := consulDo(ctx, r.retry, path, "acl:read", func() error {
		var err error
		cur, _, err = acl.PolicyReadByName(p.Name, (&consulapi.QueryOptions{}).WithContext(ctx))
		// Consul answers a missing policy with 403 "ACL not found".
		if err != nil && strings.Contains(err.Error(), "ACL not found") {
			cur, err = nil, nil
		}
		return err
	})
	if err != nil {
		return Failed, err
	}
	if cur == nil {
		return r.changed(Created, write, func() error {
			return consulDo(ctx, r.retry, "acl/policy", "acl:write", func() error {
				_, _, err := acl.PolicyCreate(&consulapi.ACLPolicy{Name: p.Name, Description: p.Description, Rules: p.Rules},
					(&consulapi.WriteOptions{}).WithContext(ctx))
				return err
			})
		})
	}
	if cur.Description == p.Description && cur.Rules == p.Rules {
		return Unchanged, nil
	}
	return r.changed(Updated, write, func() error {
		return consulDo(ctx, r.retry, "acl/policy/"+cur.ID, "acl:write", func() error {
			_, _, err := acl.PolicyUpdate(&consulapi.ACLPolicy{ID: cur.ID, Name: p.Name, Description: p.Description, Rules: p.Rules},
				(&consulapi.WriteOptions{}).WithContext(ctx))
			return err
		})
	})
}

// findToken returns the token with the given description, or nil. Two or
// more tokens with it are an error: apply cannot tell which one the
// components use.
func (r *runner) findToken(ctx context.Context, desc string) (*consulapi.ACLTokenListEntry, error) {
	var list []*consulapi.ACLTokenListEntry
	err := consulDo(ctx, r.retry, "acl/tokens", "acl:read", func() error {
		var err error
		list, _, err = r.c.ACL().TokenList((&consulapi.QueryOptions{}).WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, err
	}
	var found []*consulapi.ACLTokenListEntry
	for _, t := range list {
		if t.Description == desc {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	// Decision: report rather than delete. The newer token may be the one
	// whose SecretID a run stored for the components, so which one to keep
	// is for the operator to check.
	slices.SortFunc(found, func(a, b *consulapi.ACLTokenListEntry) int { return a.CreateTime.Compare(b.CreateTime) })
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = fmt.Sprintf("%s (created %s)", t.AccessorID, t.CreateTime.UTC().Format(time.RFC3339))
	}
	return nil, fmt.Errorf("%d Consul tokens have the description %q: %s; keep the one whose SecretID the components use "+
		"(stored in vault under kv-store/token) and delete the others with \"consul acl token delete -id ACCESSOR\"",
		len(found), desc, strings.Join(ids, ", "))
}

func (r *runner) consulToken(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	t := s.ConsulToken
	if t == nil {
		return Failed, missingParams(s)
	}
	cur, err := r.findToken(ctx, t.Description)
	if err != nil {
		return Failed, err
	}
	links := make([]*consulapi.ACLTokenPolicyLink, len(t.Policies))
	for i, p := range t.Policies {
		links[i] = &consulapi.ACLTokenPolicyLink{Name: p}
	}
	acl := r.c.ACL()
	if cur == nil {
		return r.changed(Created, write, func() error {
			// A token made by an attempt whose answer was lost is found
			// by its description before the next attempt, so that
			// Consul never holds two; its SecretID is then read back
			// where a later step needs it (consulTokenSecret).
			req := request{service: "consul", path: "acl/token", capability: "acl:write"}
			return retryCreate(ctx, r.retry, req, nil,
				func() error {
					tok, _, err := acl.TokenCreate(&consulapi.ACLToken{Description: t.Description, Policies: links},
						(&consulapi.WriteOptions{}).WithContext(ctx))
					if err == nil {
						r.tokenSecrets[s.ID] = tok.SecretID
					}
					return err
				},
				func() (bool, error) {
					list, _, err := acl.TokenList((&consulapi.QueryOptions{}).WithContext(ctx))
					return slices.ContainsFunc(list, func(e *consulapi.ACLTokenListEntry) bool { return e.Description == t.Description }), err
				})
		})
	}
	var have []string
	for _, l := range cur.Policies {
		have = append(have, l.Name)
	}
	if sameSet(have, t.Policies) {
		return Unchanged, nil
	}
	return r.changed(Updated, write, func() error {
		return consulDo(ctx, r.retry, "acl/token/"+cur.AccessorID, "acl:write", func() error {
			_, _, err := acl.TokenUpdate(&consulapi.ACLToken{AccessorID: cur.AccessorID, Description: t.Description, Policies: links},
				(&consulapi.WriteOptions{}).WithContext(ctx))
			return err
		})
	})
}

// consulKV converges one component store key.
//
// TODO: keys below the store prefix that the plan no longer lists (a
// removed machine group) are left in place.
func (r *runner) consulKV(ctx context.Context, s *compiler.Step, write bool) (Result, error) {
	kv := s.ConsulKV
	if kv == nil {
		return Failed, missingParams(s)
	}
	pair, err := readPair(ctx, r.c, r.retry, kv.Key)
	if err != nil {
		return Failed, err
	}
	value := []byte(kv.Value)
	res := Created
	var index uint64
	if pair != nil {
		if string(pair.Value) == string(value) {
			return Unchanged, nil
		}
		res, index = Updated, pair.ModifyIndex
	}
	return r.changed(res, write, func() error {
		return casPair(ctx, r.c, r.retry, kv.Key, value, index)
	})
}

// source returns the value a secret source names.
func (r *runner) source(ctx context.Context, src string) (string, error) {
	kind, arg, _ := strings.Cut(src, ":")
	switch kind {
	case "prompt":
		if r.answers != nil {
			if v, ok := r.answers.Answer(arg); ok {
				return v, nil
			}
		}
		if r.refreshing {
			return "", errNoValue
		}
		return "", &MissingAnswersError{Names: []string{arg}}
	case "passphrase":
		if arg != "cluster" {
			return "", fmt.Errorf("unknown passphrase %q", arg)
		}
		return r.passphrase, nil
	case "consul-token":
		return r.consulTokenSecret(ctx, arg)
	case "cluster-conf":
		v, ok := lookupDotted(r.file, arg)
		if !ok {
			return "", fmt.Errorf("cluster.conf has no value at %q", arg)
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown secret source %q", src)
}

// consulTokenSecret returns the SecretID of the token a consul.acl.token
// step manages, reading it from Consul when this run did not create it.
func (r *runner) consulTokenSecret(ctx context.Context, stepID string) (string, error) {
	if v, ok := r.tokenSecrets[stepID]; ok {
		return v, nil
	}
	st := r.plan.Step(stepID)
	if st == nil || st.ConsulToken == nil {
		return "", fmt.Errorf("the plan has no Consul token step %q", stepID)
	}
	entry, err := r.findToken(ctx, st.ConsulToken.Description)
	if err != nil {
		return "", err
	}
	if entry == nil {
		if r.refreshing {
			return "", errNoValue
		}
		return "", fmt.Errorf("no Consul token with the description %q: step %s must run first", st.ConsulToken.Description, stepID)
	}
	var tok *consulapi.ACLToken
	err = consulDo(ctx, r.retry, "acl/token/"+entry.AccessorID, "acl:read", func() error {
		var err error
		tok, _, err = r.c.ACL().TokenRead(entry.AccessorID, (&consulapi.QueryOptions{}).WithContext(ctx))
		return err
	})
	if err != nil {
		return "", err
	}
	r.tokenSecrets[stepID] = tok.SecretID
	return tok.SecretID, nil
}
