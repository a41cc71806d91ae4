package compiler

import (
	"encoding/json"
	"fmt"
	"strings"
)

// FormatVersion is the version of the plan file's JSON form. It changes only
// when a field changes meaning or a reader would misread a newer file; adding
// an optional field does not change it.
const FormatVersion = 1

// Plan is a compiled cluster.conf: the steps that bring Vault and Consul to
// the state the file describes, in the order they must run. A Plan never
// holds a secret value.
type Plan struct {
	// FormatVersion is always FormatVersion for plans this package writes.
	FormatVersion int `json:"format_version"`

	// Fingerprint identifies the input: "sha256:" and the hex digest of the
	// canonical form of cluster.conf, the schema version and confc's version
	// (see Fingerprint). Apply refuses a plan whose fingerprint no longer
	// matches the file.
	Fingerprint string `json:"fingerprint"`

	// Input tells what the plan was compiled from.
	Input Input `json:"input"`

	// Cluster holds the cluster-wide names the steps are built from.
	Cluster Cluster `json:"cluster"`

	// Refreshed is set when each step's Status was read from live servers
	// (plan --refresh); an offline plan leaves it false and every step is a
	// pending change.
	Refreshed bool `json:"refreshed"`

	// Steps are in execution order: every step comes after the steps it
	// depends on.
	Steps []*Step `json:"steps"`
}

// Input describes the file a plan was compiled from.
type Input struct {
	// File is the base name of cluster.conf, for display only; it is not
	// part of the fingerprint.
	File string `json:"file"`
	// SchemaVersion is schema.Version() at compile time.
	SchemaVersion string `json:"schema_version"`
	// ConfcVersion is version.Version at compile time.
	ConfcVersion string `json:"confc_version"`
}

// Cluster holds the names every step is derived from.
type Cluster struct {
	// Name is chef.continuum.cluster_name.
	Name string `json:"name"`
	// BaseDomain is chef.continuum.base_domain.
	BaseDomain string `json:"base_domain"`
	// KVMount is the path of the KV v2 mount holding cluster secrets.
	KVMount string `json:"kv_mount"`
	// PKIMount is the path of the PKI mount holding the cluster CA.
	PKIMount string `json:"pki_mount"`
	// StorePrefix is the Consul key prefix of the component store, with a
	// trailing slash.
	StorePrefix string `json:"store_prefix"`
}

// Kind names what a step does. The set is closed: apply rejects a kind it
// does not know.
type Kind string

// The kinds of step.
const (
	KindVaultMount      Kind = "vault.mount"       // enable a secrets engine
	KindVaultAuth       Kind = "vault.auth"        // enable an auth method
	KindVaultPolicy     Kind = "vault.policy"      // write an ACL policy
	KindVaultUserpass   Kind = "vault.userpass"    // create the passphrase user
	KindVaultTokenRole  Kind = "vault.token.role"  // write a token role
	KindVaultPKICA      Kind = "vault.pki.ca"      // generate the cluster CA
	KindVaultPKIRole    Kind = "vault.pki.role"    // write a PKI role
	KindVaultPKICert    Kind = "vault.pki.cert"    // issue a certificate and store it in KV
	KindVaultKVGenerate Kind = "vault.kv.generate" // generate secrets into a KV entry
	KindVaultKVPut      Kind = "vault.kv.put"      // write supplied values into a KV entry
	KindConsulPolicy    Kind = "consul.acl.policy" // write a Consul ACL policy
	KindConsulToken     Kind = "consul.acl.token"  // create a Consul ACL token
	KindConsulKVPut     Kind = "consul.kv.put"     // write a component store key
)

// Service returns "vault" or "consul", the server a step of kind k talks to.
func (k Kind) Service() string {
	s, _, _ := strings.Cut(string(k), ".")
	return s
}

// Phase groups steps for ordering and display. Phases run in the order of
// Phases; within the order dependencies allow, steps of an earlier phase come
// first.
type Phase string

// The phases, in execution order.
const (
	PhaseMounts           Phase = "mounts"
	PhaseAuth             Phase = "auth"
	PhasePolicies         Phase = "policies"
	PhaseRoles            Phase = "roles"
	PhasePKI              Phase = "pki"
	PhaseGeneratedSecrets Phase = "generated-secrets"
	PhasePromptedSecrets  Phase = "prompted-secrets"
	PhaseConsulACL        Phase = "consul-acl"
	PhaseConsulStore      Phase = "consul-store"
)

// Phases lists every phase in execution order.
var Phases = []Phase{
	PhaseMounts, PhaseAuth, PhasePolicies, PhaseRoles, PhasePKI,
	PhaseGeneratedSecrets, PhasePromptedSecrets, PhaseConsulACL, PhaseConsulStore,
}

var phaseTitles = map[Phase]string{
	PhaseMounts:           "Vault secrets engines",
	PhaseAuth:             "Vault auth methods",
	PhasePolicies:         "Vault policies",
	PhaseRoles:            "Vault users and token roles",
	PhasePKI:              "Vault PKI",
	PhaseGeneratedSecrets: "Generated secrets",
	PhasePromptedSecrets:  "Prompted and supplied secrets",
	PhaseConsulACL:        "Consul ACL",
	PhaseConsulStore:      "Consul component store",
}

// Title returns a heading for the phase.
func (p Phase) Title() string {
	if t, ok := phaseTitles[p]; ok {
		return t
	}
	return string(p)
}

// rank returns the position of p in Phases, or len(Phases) for an unknown
// phase so that such steps sort last.
func (p Phase) rank() int {
	for i, q := range Phases {
		if q == p {
			return i
		}
	}
	return len(Phases)
}

// Mode tells apply how to treat a target that already exists.
type Mode string

// The modes of a step.
const (
	// ModeConverge reads the target and writes only what differs.
	ModeConverge Mode = "converge"
	// ModeCreateOnce writes only when the target is absent and never
	// changes an existing one: generated keys and the CA are never rotated
	// by a re-run.
	ModeCreateOnce Mode = "create-once"
	// ModeAlways runs on every apply (the Vault server certificate is
	// re-issued each time).
	ModeAlways Mode = "always"
)

// Status is what a refreshed plan found on the servers for a step.
type Status string

// The statuses of a step. An offline plan leaves Status empty (pending).
const (
	StatusPending Status = ""        // not checked against servers
	StatusCreate  Status = "create"  // target absent: will be created
	StatusUpdate  Status = "update"  // target differs: will be changed
	StatusNoop    Status = "no-op"   // target already as planned
	StatusUnknown Status = "unknown" // could not be read (for example no permission)
)

// Symbol returns the one-character mark a rendering shows for s.
func (s Status) Symbol() string {
	switch s {
	case StatusUpdate:
		return "~"
	case StatusNoop:
		return "="
	case StatusUnknown:
		return "?"
	default:
		return "+"
	}
}

// IsChange reports whether a step with status s would change a server when
// applied. Pending and unknown steps count as changes.
func (s Status) IsChange() bool { return s != StatusNoop }

// Step is one unit of work. Exactly one of the parameter fields (Mount,
// Auth, Policy, User, TokenRole, CA, PKIRole, Cert, KV, ConsulPolicy,
// ConsulToken, ConsulKV) is set, the one matching Kind.
type Step struct {
	// ID is derived from what the step does, "<kind>:<name>", never from
	// its position, so a small edit of cluster.conf changes few IDs.
	ID string `json:"id"`
	// Kind is what the step does.
	Kind Kind `json:"kind"`
	// Phase groups the step for ordering and display.
	Phase Phase `json:"phase"`
	// Mode tells how an existing target is treated.
	Mode Mode `json:"mode"`
	// Target is the Vault API path (without "/v1/") or Consul path the step
	// writes.
	Target string `json:"target"`
	// DependsOn lists the IDs of steps that must have run first, sorted.
	DependsOn []string `json:"depends_on"`
	// Description is one line for humans.
	Description string `json:"description"`
	// Status is set by a refreshed plan; empty means pending.
	Status Status `json:"status,omitempty"`

	// The step's payload: the one field that matches Kind is set and the
	// others are nil; KV serves both vault.kv kinds.
	Mount        *Mount        `json:"mount,omitempty"`
	Auth         *AuthMethod   `json:"auth,omitempty"`
	Policy       *Policy       `json:"policy,omitempty"`
	User         *UserpassUser `json:"userpass_user,omitempty"`
	TokenRole    *TokenRole    `json:"token_role,omitempty"`
	CA           *PKICA        `json:"pki_ca,omitempty"`
	PKIRole      *PKIRole      `json:"pki_role,omitempty"`
	Cert         *PKICert      `json:"pki_cert,omitempty"`
	KV           *KVEntry      `json:"kv,omitempty"`
	ConsulPolicy *ConsulPolicy `json:"consul_policy,omitempty"`
	ConsulToken  *ConsulToken  `json:"consul_token,omitempty"`
	ConsulKV     *ConsulKV     `json:"consul_kv,omitempty"`
}

// Mount is a Vault secrets engine to enable (kind vault.mount).
type Mount struct {
	// Path is the mount path without a trailing slash, e.g. "cluster".
	Path string `json:"path"`
	// Type is the engine type: "kv" or "pki".
	Type string `json:"type"`
	// Description is stored with the mount.
	Description string `json:"description"`
	// Options are the engine options, e.g. {"version": "2"} for KV v2.
	Options map[string]string `json:"options,omitempty"`
	// MaxLeaseTTL is the mount's max_lease_ttl ("" keeps Vault's default).
	MaxLeaseTTL string `json:"max_lease_ttl,omitempty"`
}

// AuthMethod is a Vault auth method to enable (kind vault.auth).
type AuthMethod struct {
	// Path is the mount path without a trailing slash, e.g. "userpass".
	Path string `json:"path"`
	// Type is the auth method type, e.g. "userpass".
	Type string `json:"type"`
	// Description is stored with the method.
	Description string `json:"description"`
}

// Policy is a Vault ACL policy (kind vault.policy).
type Policy struct {
	// Name is the policy name.
	Name string `json:"name"`
	// Rules is the policy in HCL, exactly as it is written to Vault.
	Rules string `json:"rules"`
	// Paths lists the paths the policy grants, sorted, for review and
	// tests; Rules is authoritative.
	Paths []string `json:"paths"`
}

// UserpassUser is the userpass user that the cluster passphrase logs in as
// (kind vault.userpass). Its password is a secret: PasswordSource names
// where apply gets it, and apply sets it only when it creates the user
// (changing it is "confc security changepwd"); the policies are converged.
type UserpassUser struct {
	// Mount is the userpass auth mount, e.g. "userpass".
	Mount string `json:"mount"`
	// Username is the user name.
	Username string `json:"username"`
	// Policies are the token policies of the user, sorted.
	Policies []string `json:"policies"`
	// TokenTTL and TokenMaxTTL bound the tokens a login returns.
	TokenTTL    string `json:"token_ttl"`
	TokenMaxTTL string `json:"token_max_ttl"`
	// PasswordSource is the secret source of the password, always
	// "passphrase:cluster".
	PasswordSource string `json:"password_source"`
}

// TokenRole is a Vault token role for one component kind's app tokens (kind
// vault.token.role).
type TokenRole struct {
	// Name is the role name.
	Name string `json:"name"`
	// AllowedPolicies are the only policies tokens of this role may carry.
	AllowedPolicies []string `json:"allowed_policies"`
	// Orphan makes tokens independent of the token that created them, so
	// that revoking an operator's login does not revoke running components.
	Orphan bool `json:"orphan"`
	// Renewable lets components renew their tokens.
	Renewable bool `json:"renewable"`
	// TokenPeriod makes tokens periodic: they live as long as they are
	// renewed within the period.
	TokenPeriod string `json:"token_period"`
	// TokenType is "service".
	TokenType string `json:"token_type"`
}

// PKICA is the cluster's root CA, generated inside Vault once (kind
// vault.pki.ca, mode create-once). The CA private key never leaves Vault.
type PKICA struct {
	// Mount is the PKI mount path.
	Mount string `json:"mount"`
	// CommonName is the CA subject's common name.
	CommonName string `json:"common_name"`
	// Organization is the CA subject's organization.
	Organization string `json:"organization"`
	// KeyType and KeyBits select the CA key, e.g. "ec" and 256.
	KeyType string `json:"key_type"`
	KeyBits int    `json:"key_bits"`
	// TTL is the CA certificate's lifetime.
	TTL string `json:"ttl"`
}

// PKIRole is a role certificates are issued under (kind vault.pki.role).
type PKIRole struct {
	// Mount is the PKI mount path.
	Mount string `json:"mount"`
	// Name is the role name.
	Name string `json:"name"`
	// AllowedDomains are the DNS names the role may issue for.
	AllowedDomains []string `json:"allowed_domains"`
	// AllowBareDomains allows a name equal to an allowed domain.
	AllowBareDomains bool `json:"allow_bare_domains"`
	// AllowSubdomains allows names below an allowed domain.
	AllowSubdomains bool `json:"allow_subdomains"`
	// AllowLocalhost allows "localhost" as a name.
	AllowLocalhost bool `json:"allow_localhost"`
	// AllowIPSANs allows IP addresses as subject alternative names.
	AllowIPSANs bool `json:"allow_ip_sans"`
	// ServerFlag and ClientFlag set the certificate's extended key usages.
	ServerFlag bool `json:"server_flag"`
	ClientFlag bool `json:"client_flag"`
	// KeyType and KeyBits select the issued certificates' keys.
	KeyType string `json:"key_type"`
	KeyBits int    `json:"key_bits"`
	// MaxTTL bounds the lifetime of issued certificates.
	MaxTTL string `json:"max_ttl"`
}

// PKICert is a certificate issued from a PKI role and stored, with its
// private key, in the KV mount for deployment (kind vault.pki.cert, mode
// always). The stored entry has the fields certificate, private_key,
// issuing_ca and ca_chain; private_key is secret and never leaves Vault
// through confc.
type PKICert struct {
	// Mount is the PKI mount path.
	Mount string `json:"mount"`
	// Role is the PKI role to issue under.
	Role string `json:"role"`
	// CommonName is the certificate subject's common name.
	CommonName string `json:"common_name"`
	// AltNames are DNS subject alternative names, in order.
	AltNames []string `json:"alt_names"`
	// IPSANs are IP subject alternative names, in order.
	IPSANs []string `json:"ip_sans"`
	// TTL is the certificate's lifetime.
	TTL string `json:"ttl"`
	// StoreMount and StorePath locate the KV v2 entry the certificate is
	// written to (logical path, without "data/").
	StoreMount string `json:"store_mount"`
	StorePath  string `json:"store_path"`
}

// KVEntry is one KV v2 entry written by a vault.kv.generate or vault.kv.put
// step. Target holds its API path (mount + "/data/" + path).
type KVEntry struct {
	// Mount is the KV v2 mount path.
	Mount string `json:"mount"`
	// Path is the logical path inside the mount (without "data/").
	Path string `json:"path"`
	// Fields are the entry's fields, sorted by name.
	Fields []KVField `json:"fields"`
	// ReadBy lists the component kinds whose policies grant read access to
	// the entry, sorted; informational.
	ReadBy []string `json:"read_by"`
}

// KVField is one field of a KV entry. Exactly one of Value, Generator and
// Source is set. Secret fields never carry a Value.
type KVField struct {
	// Name is the field name.
	Name string `json:"name"`
	// Secret marks a field whose value must never be shown or logged.
	Secret bool `json:"secret"`
	// Value is the non-secret value, as JSON (a string, number, bool or
	// array), known at plan time.
	Value json.RawMessage `json:"value,omitempty"`
	// Generator names how apply generates the value: see the Generator
	// constants.
	Generator string `json:"generator,omitempty"`
	// Source names where apply gets the value: see the Source functions.
	Source string `json:"source,omitempty"`
}

// The generators a KVField may name.
const (
	// GeneratorECP256 makes a new ECDSA key on curve P-256, stored as a PEM
	// "PRIVATE KEY" block (PKCS #8).
	GeneratorECP256 = "ec-p256"
	// GeneratorAES256 makes 32 random bytes, stored in standard base64.
	GeneratorAES256 = "aes-256"
	// GeneratorPassword32 makes a 32-character password drawn uniformly
	// from [A-Za-z0-9].
	GeneratorPassword32 = "password-32"
)

// SourcePrompt returns the secret source of the answer to prompt name.
func SourcePrompt(name string) string { return "prompt:" + name }

// SourceClusterPassphrase is the secret source of the cluster passphrase.
const SourceClusterPassphrase = "passphrase:cluster"

// SourceConsulToken returns the secret source of the SecretID of the Consul
// token created by the consul.acl.token step with the given ID.
func SourceConsulToken(stepID string) string { return "consul-token:" + stepID }

// SourceClusterConf returns the secret source of a literal value written in
// cluster.conf at path p (dotted). Apply reads it from the same cluster.conf
// it checks the plan's fingerprint against; the plan never holds it.
func SourceClusterConf(p string) string { return "cluster-conf:" + p }

// ConsulPolicy is a Consul ACL policy (kind consul.acl.policy).
type ConsulPolicy struct {
	// Name is the policy name.
	Name string `json:"name"`
	// Description is stored with the policy.
	Description string `json:"description"`
	// Rules is the policy in HCL.
	Rules string `json:"rules"`
}

// ConsulToken is a Consul ACL token (kind consul.acl.token). Consul chooses
// the AccessorID and SecretID; apply finds an existing token by its
// Description, which is unique per cluster, and creates one only when none
// exists. The SecretID is stored in Vault by a later vault.kv.put step.
type ConsulToken struct {
	// Description identifies the token.
	Description string `json:"description"`
	// Policies are the names of the token's policies.
	Policies []string `json:"policies"`
}

// ConsulKV is one component store key (kind consul.kv.put). Target holds the
// full key.
type ConsulKV struct {
	// Key is the full Consul key.
	Key string `json:"key"`
	// Value is the JSON document stored at Key, written as compact JSON.
	// Secret settings inside it are replaced by references of the form
	// {"vault": "<kv mount>/data/<path>", "field": "<field>"}.
	Value json.RawMessage `json:"value"`
}

// Step returns the step with the given ID, or nil.
func (p *Plan) Step(id string) *Step {
	for _, s := range p.Steps {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Counts returns the number of steps that talk to Vault and to Consul.
func (p *Plan) Counts() (vault, consul int) {
	for _, s := range p.Steps {
		if s.Kind.Service() == "consul" {
			consul++
		} else {
			vault++
		}
	}
	return vault, consul
}

// HasChanges reports whether applying the plan would change a server: true
// for any step of an offline plan, and for any step not found as planned in
// a refreshed one.
func (p *Plan) HasChanges() bool {
	for _, s := range p.Steps {
		if s.Status.IsChange() {
			return true
		}
	}
	return false
}

// check verifies the invariants a plan read from a file must hold: known
// kinds, unique IDs, and dependencies that point to earlier steps.
func (p *Plan) check() error {
	seen := make(map[string]bool, len(p.Steps))
	for i, s := range p.Steps {
		if s == nil {
			return fmt.Errorf("step %d is null", i+1)
		}
		if s.ID == "" {
			return fmt.Errorf("step %d has no id", i+1)
		}
		if seen[s.ID] {
			return fmt.Errorf("duplicate step id %q", s.ID)
		}
		if !knownKinds[s.Kind] {
			return fmt.Errorf("step %q has unknown kind %q", s.ID, s.Kind)
		}
		for _, d := range s.DependsOn {
			if !seen[d] {
				return fmt.Errorf("step %q depends on %q, which does not come before it", s.ID, d)
			}
		}
		seen[s.ID] = true
	}
	return nil
}

var knownKinds = map[Kind]bool{
	KindVaultMount: true, KindVaultAuth: true, KindVaultPolicy: true,
	KindVaultUserpass: true, KindVaultTokenRole: true, KindVaultPKICA: true,
	KindVaultPKIRole: true, KindVaultPKICert: true, KindVaultKVGenerate: true,
	KindVaultKVPut: true, KindConsulPolicy: true, KindConsulToken: true,
	KindConsulKVPut: true,
}
