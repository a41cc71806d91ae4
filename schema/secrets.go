package schema

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue"

	"github.com/confc/confc/dconf"
)

// Secrecy tells how sure confc is that a value is a secret.
type Secrecy int

// The levels of Secrecy, from none to certain.
const (
	// NotSecret is an ordinary value.
	NotSecret Secrecy = iota
	// LooksSecret is a value below a key whose name suggests a secret
	// (password, api-key, secrets, ...) in a part of the tree the schema
	// does not describe.
	LooksSecret
	// SchemaSecret is a value at, or below, a setting the schema marks
	// secret.
	SchemaSecret
)

// secretWords are the key names, and key name endings after a word break,
// that suggest a secret. They are written in the normal form of
// normalizeKey: lower case, words joined by "_". Both "api_key" and
// "apikey" are listed because people write either.
var secretWords = []string{
	"password", "passwords", "passwd", "passphrase", "pwd",
	"secret", "secrets", "token", "tokens",
	"private_key", "privatekey", "secret_key", "secretkey",
	"api_key", "apikey", "client_secret", "credential", "credentials",
}

// normalizeKey lower-cases a key and turns every word break ("-", " ",
// ".", a lower-case letter followed by an upper-case one) into "_", so
// that private-key, Private_Key and privateKey compare alike.
func normalizeKey(key string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range key {
		switch {
		case r == '-' || r == ' ' || r == '.' || r == '_':
			b.WriteByte('_')
			prevLower = false
			continue
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
			continue
		}
		b.WriteRune(r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	return b.String()
}

// LooksSecretKey reports whether a key's name suggests that its value is a
// secret: the name, or its last words, is one of password, passwd, pwd,
// passphrase, secret(s), token(s), private key, secret key, api key,
// client secret or credential(s). Case and the separators "_", "-", "."
// and camelCase do not matter: db-password, DB_PASSWORD and dbPassword
// all look secret.
func LooksSecretKey(key string) bool {
	n := normalizeKey(key)
	for _, w := range secretWords {
		if n == w || strings.HasSuffix(n, "_"+w) {
			return true
		}
	}
	return false
}

// SecretKind tells whether the value at path p is a secret. Everything at or
// below a setting the schema marks secret is SchemaSecret. Everything below a
// key that looks secret (LooksSecretKey), where the schema does not know that
// key as a setting, is LooksSecret, whatever its shape: the strings of an
// array under "secrets", the fields of a map under "api_token". The prompts
// section is never secret: a prompt describes a secret, it does not hold one.
//
// This is the one classification confc uses: the plaintext-secret rule, the
// masking of lint output and export, the plan compiler and the plan
// fingerprint all ask it.
func SecretKind(p dconf.Path) Secrecy {
	if len(p) == 0 || (!p[0].IsIndex && p[0].Key == "prompts") {
		return NotSecret
	}
	return load().secrecy(p)
}

// SecretValue reports whether the scalar v at path p must be kept out of
// plans and output: SecretKind says so, or v is a string holding a private
// key wherever it is. Prompt targets are not included; see Secrets.
func SecretValue(p dconf.Path, v dconf.Value) bool {
	if s, ok := v.(*dconf.String); ok && strings.Contains(s.Value, "PRIVATE KEY") {
		return true
	}
	return SecretKind(p) != NotSecret
}

// ParseTarget turns a dotted prompt target into a path. An element made of
// decimal digits is an array index (router.ssl.tlshosts.0.private_key); it
// must be written the one way Path.String writes it, so "00", "+1" and "-1"
// are refused rather than read as indexes or keys. Empty elements are
// refused too.
func ParseTarget(s string) (dconf.Path, error) {
	if s == "" {
		return nil, fmt.Errorf("the target is empty")
	}
	parts := strings.Split(s, ".")
	p := make(dconf.Path, len(parts))
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("target %q has an empty element", s)
		}
		digits := strings.TrimLeft(part, "+-")
		if digits != "" && strings.Trim(digits, "0123456789") == "" {
			n, err := strconv.Atoi(part)
			if err != nil || n < 0 || strconv.Itoa(n) != part {
				return nil, fmt.Errorf("target %q has index %q: write an array index as plain digits without sign or leading zeros", s, part)
			}
			p[i] = dconf.PathElem{Index: n, IsIndex: true}
			continue
		}
		p[i] = dconf.PathElem{Key: part}
	}
	return p, nil
}

// looseTarget reads a target the way a careless reader would, with "00" or
// "+1" as index 0 or 1, so that values such a target was meant for are
// still hidden although the target itself is refused.
func looseTarget(s string) dconf.Path {
	parts := strings.Split(s, ".")
	p := make(dconf.Path, len(parts))
	for i, part := range parts {
		if n, err := strconv.Atoi(part); err == nil && n >= 0 {
			p[i] = dconf.PathElem{Index: n, IsIndex: true}
			continue
		}
		p[i] = dconf.PathElem{Key: part}
	}
	return p
}

// PromptTarget is the target of one prompt.
type PromptTarget struct {
	// Prompt is the prompt's name.
	Prompt string
	// Text is the target as written.
	Text string
	// Node is the target's value in the prompts section.
	Node *dconf.String
	// Path is the parsed target; nil when Err is set.
	Path dconf.Path
	// Err says why the target is not a valid path.
	Err error
}

// PromptTargets returns the target of every prompt that has a string target,
// in source order.
func PromptTargets(f *dconf.File) []PromptTarget {
	if f == nil || f.Root == nil {
		return nil
	}
	m, ok := dconf.Lookup(f.Root, dconf.Path{{Key: "prompts"}}).(*dconf.Map)
	if !ok {
		return nil
	}
	var out []PromptTarget
	for _, pe := range m.Entries {
		pm, ok := pe.Value.(*dconf.Map)
		if !ok {
			continue
		}
		t := pm.Get("target")
		if t == nil {
			continue
		}
		s, ok := t.Value.(*dconf.String)
		if !ok {
			continue
		}
		pt := PromptTarget{Prompt: pe.Key.Name, Text: s.Value, Node: s}
		pt.Path, pt.Err = ParseTarget(s.Value)
		out = append(out, pt)
	}
	return out
}

// Secrets answers, for one file, which values must never be shown or
// planned in clear: the secret values of SecretValue and every value at or
// below a prompt target, valid or not.
type Secrets struct {
	targets map[string]bool // dotted paths of prompt targets
}

// NewSecrets prepares the secret classification of f.
func NewSecrets(f *dconf.File) *Secrets {
	s := &Secrets{targets: map[string]bool{}}
	for _, t := range PromptTargets(f) {
		if t.Text == "" {
			continue
		}
		// Keyed by the dotted form: a map key "0" and index 0, or a key
		// holding "." and two nested keys, then hide each other, which
		// errs on the safe side.
		s.targets[looseTarget(t.Text).String()] = true
		if t.Err == nil {
			s.targets[t.Path.String()] = true
		}
	}
	return s
}

// Target reports whether p is a prompt target or lies below one.
func (s *Secrets) Target(p dconf.Path) bool {
	if s == nil || len(s.targets) == 0 {
		return false
	}
	if len(p) > 0 && !p[0].IsIndex && p[0].Key == "prompts" {
		return false
	}
	for i := range p {
		if s.targets[p[:i+1].String()] {
			return true
		}
	}
	return false
}

// Hidden reports whether the scalar v at p must never be shown or planned in
// clear.
func (s *Secrets) Hidden(p dconf.Path, v dconf.Value) bool {
	return SecretValue(p, v) || s.Target(p)
}

// KeyProblem says why a key cannot be used where confc writes it into a
// Vault or Consul path; it is "" for a safe key. dotted tells that the key
// becomes part of a dotted path (a literal secret's Vault path, a prompt
// target), where a "." would make two different settings collide.
func KeyProblem(key string, dotted bool) string {
	switch {
	case key == "":
		return "an empty key"
	case key == "." || key == "..":
		return fmt.Sprintf("the key %q", key)
	case strings.ContainsAny(key, "/\\"):
		return "a key holding a slash"
	case !utf8.ValidString(key):
		return "a key that is not valid UTF-8"
	case strings.ContainsFunc(key, unicode.IsControl):
		return "a key holding a control character"
	case dotted && strings.Contains(key, "."):
		return "a key holding a dot"
	}
	return ""
}

// UnsafeKey is a key of a file that cannot be written into a store path.
type UnsafeKey struct {
	// Key is the offending key.
	Key *dconf.Key
	// Path is the path of the key's value.
	Path dconf.Path
	// Problem says what is wrong, as KeyProblem does.
	Problem string
}

// UnsafeKeys returns the keys of f that would escape or collide in the
// Vault and Consul paths a plan writes: the names of machine groups,
// components, prompts, chef.continuum settings and mounts, which become path
// segments; and every key on the path of a secret value, which becomes part
// of the value's dotted Vault path.
func UnsafeKeys(f *dconf.File) []UnsafeKey {
	if f == nil || f.Root == nil {
		return nil
	}
	secrets := NewSecrets(f)
	var out []UnsafeKey
	seen := map[*dconf.Key]bool{}
	report := func(k *dconf.Key, p dconf.Path, dotted bool) {
		if seen[k] {
			return
		}
		if problem := KeyProblem(k.Name, dotted); problem != "" {
			seen[k] = true
			out = append(out, UnsafeKey{Key: k, Path: p, Problem: problem})
		}
	}
	segments := []dconf.Path{
		{{Key: "machines"}},
		{{Key: "components"}},
		{{Key: "prompts"}},
		{{Key: "chef"}, {Key: "continuum"}},
		{{Key: "chef"}, {Key: "continuum"}, {Key: "mounts"}},
	}
	for _, base := range segments {
		m, ok := dconf.Lookup(f.Root, base).(*dconf.Map)
		if !ok {
			continue
		}
		for _, e := range m.Entries {
			report(e.Key, append(base[:len(base):len(base)], dconf.PathElem{Key: e.Key.Name}), false)
		}
	}
	// keys holds the keys along the walk, so that a secret found deep down
	// can report every key above it.
	var keys []*dconf.Key
	var walk func(p dconf.Path, v dconf.Value)
	walk = func(p dconf.Path, v dconf.Value) {
		switch n := v.(type) {
		case *dconf.Map:
			for _, e := range n.Entries {
				keys = append(keys, e.Key)
				walk(append(p[:len(p):len(p)], dconf.PathElem{Key: e.Key.Name}), e.Value)
				keys = keys[:len(keys)-1]
			}
		case *dconf.Array:
			for i, el := range n.Elems {
				keys = append(keys, nil)
				walk(append(p[:len(p):len(p)], dconf.PathElem{Index: i, IsIndex: true}), el)
				keys = keys[:len(keys)-1]
			}
		default:
			if !secrets.Hidden(p, v) {
				return
			}
			for i, k := range keys {
				if k != nil {
					report(k, p[:i+1], true)
				}
			}
		}
	}
	walk(nil, f.Root)
	return out
}

// ValueSetting reports whether p names a setting the schema declares that
// holds one value rather than a whole map or array, so that a prompt's
// answer can stand in for it. Nothing under the prompts section qualifies.
func ValueSetting(p dconf.Path) bool {
	if len(p) == 0 || (!p[0].IsIndex && p[0].Key == "prompts") {
		return false
	}
	c := load()
	if c.err != nil || c.root == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.lookupLocked(p)
	if n == nil {
		return false
	}
	const scalars = cue.StringKind | cue.BytesKind | cue.NumberKind | cue.BoolKind
	return n.val.IncompleteKind()&scalars != 0
}
