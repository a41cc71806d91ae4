package compiler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/version"
	"github.com/confc/confc/lint"
	"github.com/confc/confc/schema"
)

// Compile compiles a parsed cluster.conf into a plan without linting it.
// Callers that take user input must lint first and compile only a file
// without errors (the plan command does); Compile itself only rejects what
// makes a plan impossible, such as a missing cluster name. Secret values in
// f never reach the plan, whatever f holds.
func Compile(f *dconf.File) (*Plan, error) {
	if f == nil || f.Root == nil {
		return nil, fmt.Errorf("nothing to compile: the file is empty")
	}
	b := &builder{
		f:      f,
		steps:  map[string]*Step{},
		grants: map[string]map[string]bool{},
	}
	// Keys become Vault and Consul path segments; one that climbs out of
	// its prefix or makes two settings share a path must never reach a
	// plan, even from a caller that did not lint.
	if ks := schema.UnsafeKeys(f); len(ks) > 0 {
		k := ks[0]
		return nil, fmt.Errorf("cannot compile %q: %s at %s (%s) cannot be written into a Vault or Consul path", f.Name, k.Problem, k.Path, k.Key.Pos())
	}
	if err := b.readCluster(); err != nil {
		return nil, err
	}

	b.vaultBase()
	b.pki()
	b.generated()
	b.prompted()
	b.routerTLS()
	b.consulACL()
	b.store()
	if b.err != nil {
		return nil, b.err
	}
	// Policies come last because every earlier step adds the paths its
	// readers need.
	b.componentPolicies()

	steps := make([]*Step, 0, len(b.steps))
	for _, s := range b.steps {
		steps = append(steps, s)
	}
	ordered, err := order(steps)
	if err != nil {
		return nil, err
	}
	return &Plan{
		FormatVersion: FormatVersion,
		Fingerprint:   Fingerprint(f),
		Input: Input{
			File:          filepath.Base(f.Name),
			SchemaVersion: schema.Version(),
			ConfcVersion:  version.Version,
		},
		Cluster: Cluster{
			Name:        b.name,
			BaseDomain:  b.domain,
			KVMount:     KVMount,
			PKIMount:    PKIMount,
			StorePrefix: StorePrefix(b.name),
		},
		Steps: ordered,
	}, nil
}

// builder collects the steps of one plan.
type builder struct {
	f      *dconf.File
	name   string // cluster_name
	domain string // base_domain

	counts map[string]int64 // components and their counts
	kinds  []string         // component kinds with count > 0, sorted

	prompts       []prompt
	promptTargets map[string]string // dotted target -> prompt name

	steps  map[string]*Step
	grants map[string]map[string]bool // component kind -> KV API paths it reads

	err error // the first reason the plan cannot be made
}

// prompt is one entry of the prompts section.
type prompt struct {
	name   string
	target string
	secret bool
}

var continuumPath = dconf.Path{{Key: "chef"}, {Key: "continuum"}}

// readCluster reads the names and counts every step is derived from.
func (b *builder) readCluster() error {
	cont, _ := dconf.Lookup(b.f.Root, continuumPath).(*dconf.Map)
	b.name = stringAt(cont, "cluster_name")
	b.domain = stringAt(cont, "base_domain")
	if b.name == "" {
		return fmt.Errorf("cannot compile %q: chef.continuum.cluster_name is not set", b.f.Name)
	}
	if b.domain == "" {
		return fmt.Errorf("cannot compile %q: chef.continuum.base_domain is not set", b.f.Name)
	}

	b.counts = map[string]int64{}
	if m, ok := entryValue(b.f.Root, "components").(*dconf.Map); ok {
		for _, e := range m.Entries {
			n, ok := e.Value.(*dconf.Int)
			if !ok {
				continue
			}
			b.counts[e.Key.Name] = n.Value
			if n.Value > 0 {
				b.kinds = append(b.kinds, e.Key.Name)
			}
		}
	}
	slices.Sort(b.kinds)

	b.promptTargets = map[string]string{}
	if m, ok := entryValue(b.f.Root, "prompts").(*dconf.Map); ok {
		for _, e := range m.Entries {
			pm, ok := e.Value.(*dconf.Map)
			if !ok {
				continue
			}
			p := prompt{name: e.Key.Name, target: stringAt(pm, "target"), secret: true}
			if v, ok := entryValue(pm, "secret").(*dconf.Bool); ok {
				p.secret = v.Value
			}
			// Targets are kept in the form Path.String writes, which
			// the converter compares with; a target lint refuses (an
			// index with a sign or leading zero) places no answer.
			if tp, err := schema.ParseTarget(p.target); err == nil {
				p.target = tp.String()
			} else {
				p.target = ""
			}
			b.prompts = append(b.prompts, p)
			if p.target != "" {
				if _, dup := b.promptTargets[p.target]; !dup {
					b.promptTargets[p.target] = p.name
				}
			}
		}
	}
	slices.SortFunc(b.prompts, func(x, y prompt) int { return strings.Compare(x.name, y.name) })
	return nil
}

// add records a step, filling in the ID from kind and name.
func (b *builder) add(kind Kind, name string, phase Phase, mode Mode, target, desc string, deps ...string) *Step {
	s := &Step{
		ID:          string(kind) + ":" + name,
		Kind:        kind,
		Phase:       phase,
		Mode:        mode,
		Target:      target,
		DependsOn:   sortedUnique(deps),
		Description: desc,
	}
	b.steps[s.ID] = s
	return s
}

// grant lets the given component kinds read the KV entry at a logical path.
func (b *builder) grant(kinds []string, logical string) {
	for _, k := range kinds {
		if b.grants[k] == nil {
			b.grants[k] = map[string]bool{}
		}
		b.grants[k][kvAPIPath(logical)] = true
	}
}

const (
	idKVMount     = "vault.mount:" + KVMount
	idPKIMount    = "vault.mount:" + PKIMount
	idUserpass    = "vault.auth:" + UserpassMount
	idAdminPolicy = "vault.policy:" + AdminPolicy
	idCA          = "vault.pki.ca:" + PKIMount
	idServerRole  = "vault.pki.role:" + VaultServerRole
	idConsulPol   = "consul.acl.policy:components"
	idConsulToken = "consul.acl.token:components"
)

// vaultBase adds the mounts, the userpass method and the passphrase user.
func (b *builder) vaultBase() {
	s := b.add(KindVaultMount, KVMount, PhaseMounts, ModeConverge, "sys/mounts/"+KVMount,
		"enable the KV v2 secrets engine for cluster secrets at "+KVMount+"/")
	s.Mount = &Mount{Path: KVMount, Type: "kv", Description: "cluster secrets of " + b.name + ", managed by confc",
		Options: map[string]string{"version": "2"}}

	s = b.add(KindVaultMount, PKIMount, PhaseMounts, ModeConverge, "sys/mounts/"+PKIMount,
		"enable the PKI secrets engine for the cluster CA at "+PKIMount+"/")
	s.Mount = &Mount{Path: PKIMount, Type: "pki", Description: "certificate authority of " + b.name + ", managed by confc",
		MaxLeaseTTL: "87600h"}

	s = b.add(KindVaultAuth, UserpassMount, PhaseAuth, ModeConverge, "sys/auth/"+UserpassMount,
		"enable the userpass auth method for the cluster passphrase at "+UserpassMount+"/")
	s.Auth = &AuthMethod{Path: UserpassMount, Type: "userpass", Description: "cluster passphrase login of " + b.name}

	rules := adminRules(b.name)
	s = b.add(KindVaultPolicy, AdminPolicy, PhasePolicies, ModeConverge, "sys/policies/acl/"+AdminPolicy,
		"write policy "+AdminPolicy+" of the cluster passphrase user")
	s.Policy = &Policy{Name: AdminPolicy, Rules: rules.text, Paths: rules.paths}

	s = b.add(KindVaultUserpass, AdminUser, PhaseRoles, ModeConverge, "auth/"+UserpassMount+"/users/"+AdminUser,
		"create user "+AdminUser+", whose password is the cluster passphrase", idUserpass, idAdminPolicy)
	s.User = &UserpassUser{Mount: UserpassMount, Username: AdminUser, Policies: []string{AdminPolicy},
		TokenTTL: "1h", TokenMaxTTL: "24h", PasswordSource: SourceClusterPassphrase}
}

// pki adds the cluster CA, the Vault server role and certificate.
func (b *builder) pki() {
	cn := b.name + " cluster CA"
	s := b.add(KindVaultPKICA, PKIMount, PhasePKI, ModeCreateOnce, PKIMount+"/root/generate/internal",
		fmt.Sprintf("generate the cluster CA %q once", cn), idPKIMount)
	s.CA = &PKICA{Mount: PKIMount, CommonName: cn, Organization: b.domain, KeyType: "ec", KeyBits: 256, TTL: "87600h"}

	vaultName := "vault." + b.domain
	s = b.add(KindVaultPKIRole, VaultServerRole, PhasePKI, ModeConverge, PKIMount+"/roles/"+VaultServerRole,
		"write PKI role "+VaultServerRole+" for "+vaultName, idCA)
	s.PKIRole = &PKIRole{Mount: PKIMount, Name: VaultServerRole, AllowedDomains: []string{vaultName},
		AllowBareDomains: true, AllowLocalhost: true, AllowIPSANs: true, ServerFlag: true, ClientFlag: true,
		KeyType: "ec", KeyBits: 256, MaxTTL: "8760h"}

	ips := b.vaultHosts()
	ips = append(ips, "127.0.0.1")
	ips = uniqueInOrder(ips)
	s = b.add(KindVaultPKICert, VaultServerRole, PhasePKI, ModeAlways, kvAPIPath(pathVaultTLS),
		fmt.Sprintf("issue the Vault server certificate for %s and %d IP addresses", vaultName, len(ips)),
		idServerRole, idKVMount)
	s.Cert = &PKICert{Mount: PKIMount, Role: VaultServerRole, CommonName: vaultName,
		AltNames: []string{vaultName, "localhost"}, IPSANs: ips, TTL: "8760h",
		StoreMount: KVMount, StorePath: pathVaultTLS}
	b.grant([]string{"vault"}, pathVaultTLS)
}

// vaultHosts returns the hosts of the machine groups that may carry vault:
// groups by name, hosts in file order.
func (b *builder) vaultHosts() []string {
	machines, ok := entryValue(b.f.Root, "machines").(*dconf.Map)
	if !ok {
		return nil
	}
	groups := slices.Clone(machines.Entries)
	slices.SortFunc(groups, func(x, y *dconf.Entry) int { return strings.Compare(x.Key.Name, y.Key.Name) })
	var hosts []string
	for _, g := range groups {
		gm, ok := g.Value.(*dconf.Map)
		if !ok || !slices.Contains(stringsAt(gm, "suitable_tags"), "vault") {
			continue
		}
		hosts = append(hosts, stringsAt(gm, "hosts")...)
	}
	return hosts
}

// generated adds the secrets apply generates once.
func (b *builder) generated() {
	for _, k := range b.kinds {
		p := pathClassKey(k)
		s := b.add(KindVaultKVGenerate, p, PhaseGeneratedSecrets, ModeCreateOnce, kvAPIPath(p),
			"generate the "+k+" class key (EC P-256) once", idKVMount)
		s.KV = &KVEntry{Mount: KVMount, Path: p, ReadBy: []string{k},
			Fields: []KVField{{Name: "private_key", Secret: true, Generator: GeneratorECP256}}}
		b.grant([]string{k}, p)
	}

	if b.counts["component-database"] > 0 {
		s := b.add(KindVaultKVGenerate, pathDBPassword, PhaseGeneratedSecrets, ModeCreateOnce, kvAPIPath(pathDBPassword),
			"generate the component database password once", idKVMount)
		s.KV = &KVEntry{Mount: KVMount, Path: pathDBPassword, ReadBy: slices.Clone(databaseUsers),
			Fields: []KVField{{Name: "password", Secret: true, Generator: GeneratorPassword32}}}
		b.grant(databaseUsers, pathDBPassword)
	}

	mounts, _ := dconf.Lookup(b.f.Root, append(slices.Clone(continuumPath), dconf.PathElem{Key: "mounts"})).(*dconf.Map)
	if mounts == nil {
		return
	}
	names := make([]string, 0, len(mounts.Entries))
	for _, e := range mounts.Entries {
		names = append(names, e.Key.Name)
	}
	slices.Sort(names)
	for _, m := range names {
		owner := efsOwner(m, func(k string) bool { _, ok := b.counts[k]; return ok || slices.Contains(schema.Components(), k) })
		p := pathEFSKey(m)
		s := b.add(KindVaultKVGenerate, p, PhaseGeneratedSecrets, ModeCreateOnce, kvAPIPath(p),
			"generate the file system encryption key of mount "+m+" (256-bit) once", idKVMount)
		s.KV = &KVEntry{Mount: KVMount, Path: p, ReadBy: []string{owner},
			Fields: []KVField{{Name: "key", Secret: true, Generator: GeneratorAES256}}}
		b.grant([]string{owner}, p)
	}
}

// prompted adds one KV write per prompt.
func (b *builder) prompted() {
	for _, p := range b.prompts {
		lp := pathPrompt(p.name)
		readers := readersOf(p.target)
		desc := "store the answer to prompt " + p.name
		if p.target != "" {
			desc += " (" + p.target + ")"
		}
		s := b.add(KindVaultKVPut, lp, PhasePromptedSecrets, ModeConverge, kvAPIPath(lp), desc, idKVMount)
		s.KV = &KVEntry{Mount: KVMount, Path: lp, ReadBy: readers,
			Fields: []KVField{{Name: "value", Secret: p.secret, Source: SourcePrompt(p.name)}}}
		b.grant(readers, lp)
	}
}

// routerTLS adds one KV write per chef.continuum.router.ssl.tlshosts entry.
func (b *builder) routerTLS() {
	base := append(slices.Clone(continuumPath), dconf.PathElem{Key: "router"}, dconf.PathElem{Key: "ssl"}, dconf.PathElem{Key: "tlshosts"})
	hosts, ok := dconf.Lookup(b.f.Root, base).(*dconf.Array)
	if !ok {
		return
	}
	for i, el := range hosts.Elems {
		hm, ok := el.(*dconf.Map)
		if !ok {
			continue
		}
		hp := append(slices.Clone(base), dconf.PathElem{Index: i, IsIndex: true})
		lp := pathRouterTLS(i)
		names := stringsAt(hm, "server_names")
		var fields []KVField
		deps := []string{idKVMount}
		if len(names) > 0 {
			fields = append(fields, KVField{Name: "server_names", Value: mustJSON(names)})
		}
		for _, name := range []string{"certificate_chain", "private_key"} {
			fp := append(slices.Clone(hp), dconf.PathElem{Key: name}).String()
			secret := name == "private_key"
			if pr, ok := b.promptTargets[fp]; ok {
				fields = append(fields, KVField{Name: name, Secret: secret || b.promptSecret(pr), Source: SourcePrompt(pr)})
				deps = append(deps, "vault.kv.put:"+pathPrompt(pr))
				continue
			}
			v, ok := entryValue(hm, name).(*dconf.String)
			if !ok || v.Value == "" {
				continue
			}
			if secret || b.isSecret(dconf.Path(append(slices.Clone(hp), dconf.PathElem{Key: name})), v) {
				fields = append(fields, KVField{Name: name, Secret: true, Source: SourceClusterConf(fp)})
			} else {
				fields = append(fields, KVField{Name: name, Value: mustJSON(v.Value)})
			}
		}
		slices.SortFunc(fields, func(x, y KVField) int { return strings.Compare(x.Name, y.Name) })
		desc := fmt.Sprintf("store router TLS host %d", i)
		if len(names) > 0 {
			desc += " (" + strings.Join(names, ", ") + ")"
		}
		s := b.add(KindVaultKVPut, lp, PhasePromptedSecrets, ModeConverge, kvAPIPath(lp), desc, deps...)
		s.KV = &KVEntry{Mount: KVMount, Path: lp, ReadBy: []string{"router"}, Fields: fields}
		b.grant([]string{"router"}, lp)
	}
}

// promptSecret reports whether the named prompt is secret.
func (b *builder) promptSecret(name string) bool {
	for _, p := range b.prompts {
		if p.name == name {
			return p.secret
		}
	}
	return true
}

// consulACL adds the component policy and token, and the Vault write that
// keeps the token's SecretID.
func (b *builder) consulACL() {
	prefix := StorePrefix(b.name)
	s := b.add(KindConsulPolicy, "components", PhaseConsulACL, ModeConverge, "acl/policy/"+ConsulComponentsPolicy,
		"write Consul policy "+ConsulComponentsPolicy+" (component store "+prefix+")")
	s.ConsulPolicy = &ConsulPolicy{Name: ConsulComponentsPolicy,
		Description: "components of cluster " + b.name + ", managed by confc", Rules: consulRules(b.name, prefix)}

	s = b.add(KindConsulToken, "components", PhaseConsulACL, ModeConverge, "acl/token",
		"create the Consul token for components (policy "+ConsulComponentsPolicy+")", idConsulPol)
	s.ConsulToken = &ConsulToken{Description: "confc components token for cluster " + b.name,
		Policies: []string{ConsulComponentsPolicy}}

	s = b.add(KindVaultKVPut, pathKVStoreToken, PhaseConsulACL, ModeConverge, kvAPIPath(pathKVStoreToken),
		"store the SecretID of the Consul components token in Vault", idConsulToken, idKVMount)
	s.KV = &KVEntry{Mount: KVMount, Path: pathKVStoreToken, ReadBy: slices.Clone(storeUsers),
		Fields: []KVField{{Name: "secret_id", Secret: true, Source: SourceConsulToken(idConsulToken)}}}
	b.grant(storeUsers, pathKVStoreToken)
}

// componentPolicies adds a read policy and a token role per component kind
// with count > 0.
func (b *builder) componentPolicies() {
	for _, k := range b.kinds {
		name := componentPolicy(k)
		paths := make([]string, 0, len(b.grants[k]))
		for p := range b.grants[k] {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		s := b.add(KindVaultPolicy, name, PhasePolicies, ModeConverge, "sys/policies/acl/"+name,
			fmt.Sprintf("write policy %s: %s reads %d %s", name, k, len(paths), plural(len(paths), "path", "paths")))
		s.Policy = &Policy{Name: name, Rules: readRules(k, b.name, paths), Paths: paths}

		s = b.add(KindVaultTokenRole, name, PhaseRoles, ModeConverge, "auth/token/roles/"+name,
			"write token role "+name+" for "+k+" app tokens", "vault.policy:"+name)
		s.TokenRole = &TokenRole{Name: name, AllowedPolicies: []string{name}, Orphan: true, Renewable: true,
			TokenPeriod: "72h", TokenType: "service"}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readRules writes the HCL of a component's read policy.
func readRules(kind, cluster string, paths []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Read access of %s components of cluster %s, written by confc.\n", kind, cluster)
	for _, p := range paths {
		fmt.Fprintf(&b, "\npath %s {\n  capabilities = [\"read\"]\n}\n", strconv.Quote(p))
	}
	return b.String()
}

// policyRules is a policy's HCL and the paths it names.
type policyRules struct {
	text  string
	paths []string
}

// adminRules writes the policy of the passphrase user: everything confc
// manages, and nothing else.
func adminRules(cluster string) policyRules {
	crudl := `["create", "read", "update", "delete", "list"]`
	rules := []struct{ path, caps string }{
		{KVMount + "/*", crudl},
		{PKIMount + "/*", `["create", "read", "update", "delete", "list", "sudo"]`},
		{"auth/token/create/component-*", `["create", "update"]`},
		{"auth/token/roles/component-*", crudl},
		// confc security refreshtokens revokes the app tokens it replaces.
		{"auth/token/revoke-accessor", `["update"]`},
		{"auth/" + UserpassMount + "/users/" + AdminUser, `["read", "update"]`},
		{"sys/auth", `["read"]`},
		{"sys/auth/" + UserpassMount, `["create", "read", "update", "sudo"]`},
		{"sys/mounts", `["read"]`},
		{"sys/mounts/" + KVMount, `["create", "read", "update"]`},
		{"sys/mounts/" + PKIMount, `["create", "read", "update"]`},
		{"sys/policies/acl/" + AdminPolicy, `["read"]`},
		{"sys/policies/acl/component-*", crudl},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# The cluster passphrase user of cluster %s: manages what confc writes, written by confc.\n", cluster)
	paths := make([]string, 0, len(rules))
	for _, r := range rules {
		fmt.Fprintf(&b, "\npath %s {\n  capabilities = %s\n}\n", strconv.Quote(r.path), r.caps)
		paths = append(paths, r.path)
	}
	slices.Sort(paths)
	return policyRules{text: b.String(), paths: paths}
}

// consulRules writes the HCL of the Consul components policy.
//
// Sessions are read-only. Consul grants session writes by node name, and
// every component shares this one token while cluster.conf names hosts by
// address, not by Consul node name; a session write on any node would let
// any component destroy the session holding the apply lock (created on the
// node of the Consul agent the operator talks to, often a cluster host) and
// so stop an apply half way.
//
// TODO: a component that needs a Consul lock of its own cannot create the
// session for it with this token; such components need per-node tokens,
// which confc does not make yet.
func consulRules(cluster, prefix string) string {
	return fmt.Sprintf(`# Components of cluster %s: the component store and discovery, written by confc.

key_prefix %s {
  policy = "write"
}

session_prefix "" {
  policy = "read"
}

node_prefix "" {
  policy = "read"
}

service_prefix "" {
  policy = "read"
}
`, cluster, strconv.Quote(prefix))
}

// store adds the component store writes: machines, components and the
// settings under chef.continuum, with secrets replaced by references.
func (b *builder) store() {
	prefix := StorePrefix(b.name)

	if m, ok := entryValue(b.f.Root, "machines").(*dconf.Map); ok {
		for _, e := range m.Entries {
			b.storeEntry(prefix, "machines/"+e.Key.Name, dconf.Path{{Key: "machines"}, {Key: e.Key.Name}}, e.Value,
				"write machine group "+e.Key.Name)
		}
	}
	if m, ok := entryValue(b.f.Root, "components").(*dconf.Map); ok {
		for _, e := range m.Entries {
			b.storeEntry(prefix, "components/"+e.Key.Name, dconf.Path{{Key: "components"}, {Key: e.Key.Name}}, e.Value,
				"write the count of "+e.Key.Name)
		}
	}
	if m, ok := dconf.Lookup(b.f.Root, continuumPath).(*dconf.Map); ok {
		for _, e := range m.Entries {
			p := append(slices.Clone(continuumPath), dconf.PathElem{Key: e.Key.Name})
			b.storeEntry(prefix, "chef/continuum/"+e.Key.Name, p, e.Value, "write setting chef.continuum."+e.Key.Name)
		}
	}
}

// storeEntry adds the write of one component store key.
func (b *builder) storeEntry(prefix, key string, p dconf.Path, v dconf.Value, desc string) {
	c := &converter{b: b, deps: map[string]bool{}}
	doc := c.value(p, v)
	doc = c.insertPromptRefs(p, doc)
	deps := []string{idConsulToken}
	for d := range c.deps {
		deps = append(deps, d)
	}
	full := prefix + key
	s := b.add(KindConsulKVPut, key, PhaseConsulStore, ModeConverge, full, desc, deps...)
	s.ConsulKV = &ConsulKV{Key: full, Value: mustJSON(doc)}
}

// converter turns part of the tree into a JSON document for the component
// store, moving secrets out of it.
type converter struct {
	b    *builder
	deps map[string]bool // steps writing the Vault entries referenced
}

// ref returns a store reference to a KV entry field and records the step
// that writes it.
func (c *converter) ref(logical, field, stepID string) map[string]any {
	c.deps[stepID] = true
	return map[string]any{"vault": kvAPIPath(logical), "field": field}
}

// value converts v at path p.
func (c *converter) value(p dconf.Path, v dconf.Value) any {
	dotted := p.String()
	if name, ok := c.b.promptTargets[dotted]; ok {
		lp := pathPrompt(name)
		return c.ref(lp, "value", "vault.kv.put:"+lp)
	}
	switch n := v.(type) {
	case *dconf.Map:
		out := make(map[string]any, len(n.Entries))
		for _, e := range n.Entries {
			out[e.Key.Name] = c.value(append(p[:len(p):len(p)], dconf.PathElem{Key: e.Key.Name}), e.Value)
		}
		return out
	case *dconf.Array:
		out := make([]any, len(n.Elems))
		for i, el := range n.Elems {
			out[i] = c.value(append(p[:len(p):len(p)], dconf.PathElem{Index: i, IsIndex: true}), el)
		}
		return out
	}
	if c.b.isSecret(p, v) {
		lp := pathConfig(dotted)
		c.b.literalSecret(p, lp)
		return c.ref(lp, "value", "vault.kv.put:"+lp)
	}
	return scalar(v)
}

// insertPromptRefs adds a reference for every prompt whose target lies
// below p but has no value in the file, which is the usual case: the answer
// replaces a setting that is left out of cluster.conf.
func (c *converter) insertPromptRefs(p dconf.Path, doc any) any {
	base := p.String() + "."
	targets := make([]string, 0)
	for t := range c.b.promptTargets {
		if strings.HasPrefix(t, base) {
			targets = append(targets, t)
		}
	}
	slices.Sort(targets)
	for _, t := range targets {
		tp, err := schema.ParseTarget(t)
		if err != nil {
			continue // readCluster keeps only targets that parse
		}
		if dconf.Lookup(c.b.f.Root, tp) != nil {
			continue // present in the file: value already replaced it
		}
		elems := strings.Split(strings.TrimPrefix(t, base), ".")
		lp := pathPrompt(c.b.promptTargets[t])
		ref := map[string]any{"vault": kvAPIPath(lp), "field": "value"}
		if !setAt(doc, elems, ref) {
			// The prompt-target rule refuses such a target; a plan that
			// wrote the answer to Vault with nothing reading it would be
			// wrong, so there is none.
			if c.b.err == nil {
				c.b.err = fmt.Errorf("cannot compile %q: the target %q of prompt %q runs through an array element or value the file does not have", c.b.f.Name, t, c.b.promptTargets[t])
			}
			continue
		}
		c.deps["vault.kv.put:"+lp] = true
	}
	return doc
}

// setAt sets doc at the path elems to v, creating maps on the way, and
// reports whether it could.
func setAt(doc any, elems []string, v any) bool {
	for i, e := range elems {
		last := i == len(elems)-1
		switch n := doc.(type) {
		case map[string]any:
			if last {
				n[e] = v
				return true
			}
			next, ok := n[e]
			if !ok {
				next = map[string]any{}
				n[e] = next
			}
			doc = next
		case []any:
			idx, err := strconv.Atoi(e)
			if err != nil || idx < 0 || idx >= len(n) {
				return false
			}
			if last {
				n[idx] = v
				return true
			}
			doc = n[idx]
		default:
			return false
		}
	}
	return false
}

// isSecret reports whether the scalar v at p is a secret to keep out of the
// store and the plan, by the classification lint and the fingerprint use
// (schema.SecretValue): everything at or below a setting the schema marks
// secret or a key that looks secret, and any text holding a private key.
// Empty strings count as unset.
func (b *builder) isSecret(p dconf.Path, v dconf.Value) bool {
	if s, ok := v.(*dconf.String); ok && s.Value == "" {
		return false
	}
	return schema.SecretValue(p, v)
}

// literalSecret adds the KV write of a secret written literally in
// cluster.conf at p, stored at the logical path lp.
func (b *builder) literalSecret(p dconf.Path, lp string) {
	dotted := p.String()
	readers := readersOf(dotted)
	s := b.add(KindVaultKVPut, lp, PhasePromptedSecrets, ModeConverge, kvAPIPath(lp),
		"store the secret written in cluster.conf at "+dotted, idKVMount)
	s.KV = &KVEntry{Mount: KVMount, Path: lp, ReadBy: readers,
		Fields: []KVField{{Name: "value", Secret: true, Source: SourceClusterConf(dotted)}}}
	b.grant(readers, lp)
}

// scalar converts a scalar value for JSON.
func scalar(v dconf.Value) any {
	switch n := v.(type) {
	case *dconf.String:
		return n.Value
	case *dconf.Int:
		return n.Value
	case *dconf.Float:
		return n.Value
	case *dconf.Bool:
		return n.Value
	case *dconf.DateTime:
		return n.Value.Format(time.RFC3339Nano)
	}
	return nil
}

// mustJSON encodes v compactly, without HTML escaping so that certificate
// chains and policy text stay readable. The values passed are built here and
// always encodable.
func mustJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("compiler: encoding %T: %v", v, err))
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n"))
}

func entryValue(m *dconf.Map, key string) dconf.Value {
	if e := m.Get(key); e != nil {
		return e.Value
	}
	return nil
}

func stringAt(m *dconf.Map, key string) string {
	if s, ok := entryValue(m, key).(*dconf.String); ok {
		return s.Value
	}
	return ""
}

func stringsAt(m *dconf.Map, key string) []string {
	a, ok := entryValue(m, key).(*dconf.Array)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range a.Elems {
		if s, ok := el.(*dconf.String); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	if out == nil {
		out = []string{}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func uniqueInOrder(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ErrLint is wrapped by the error CompileChecked returns for a file with
// lint errors.
var ErrLint = errors.New("cluster.conf has lint errors")

// CompileChecked lints f and compiles it when it has no finding at error
// level. On lint errors it returns the lint result (whose diagnostics say
// what is wrong) and an error wrapping ErrLint; the result is returned in
// every case so callers can also show warnings.
func CompileChecked(f *dconf.File) (*Plan, *lint.Result, error) {
	r := lint.File(f)
	if r.HasErrors() {
		n := r.Count(lint.Error)
		return nil, r, fmt.Errorf("%w: %d %s in %q", ErrLint, n, plural(n, "error", "errors"), f.Name)
	}
	p, err := Compile(f)
	return p, r, err
}
