package lint

import (
	"strconv"
	"strings"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/schema"
)

// secretWords are key names, or key name endings after "_" or "-", that
// suggest a secret value in parts of the tree the schema leaves open.
var secretWords = []string{
	"password", "passwd", "passphrase", "secret", "token",
	"private_key", "secret_key", "client_secret", "api_key",
}

// looksSecretKey reports whether a key's name suggests it holds a secret.
func looksSecretKey(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if n == w || strings.HasSuffix(n, "_"+w) || strings.HasSuffix(n, "-"+w) {
			return true
		}
	}
	return false
}

// secretness is how sure confc is that a value is a secret.
type secretness int

const (
	notSecret    secretness = iota
	looksSecret             // only the key's name suggests it
	schemaSecret            // the schema marks the setting secret
)

// classify tells whether the value at path p is secret. Prompt
// definitions are never secret: they describe a secret, they do not hold
// one. A key that looks secret counts only where the schema does not know
// the setting, so a known non-secret setting such as a token lifetime is
// never flagged.
func classify(p dconf.Path) secretness {
	if len(p) == 0 || (len(p) > 0 && !p[0].IsIndex && p[0].Key == "prompts") {
		return notSecret
	}
	if schema.IsSecret(p) {
		return schemaSecret
	}
	last := lastKey(p)
	if last != "" && looksSecretKey(last) && !schema.KnownSetting(p) {
		return looksSecret
	}
	return notSecret
}

// lastKey returns the last map key of p ("" when there is none).
func lastKey(p dconf.Path) string {
	for i := len(p) - 1; i >= 0; i-- {
		if !p[i].IsIndex {
			return p[i].Key
		}
	}
	return ""
}

// promptTarget is the target of one prompt.
type promptTarget struct {
	prompt string        // the prompt's name
	text   string        // the target as written
	node   *dconf.String // the target value
}

// promptTargets returns the targets of every prompt, in source order.
func promptTargets(f *dconf.File) []promptTarget {
	if f == nil || f.Root == nil {
		return nil
	}
	e := f.Root.Get("prompts")
	if e == nil {
		return nil
	}
	m, ok := e.Value.(*dconf.Map)
	if !ok {
		return nil
	}
	var out []promptTarget
	for _, pe := range m.Entries {
		pm, ok := pe.Value.(*dconf.Map)
		if !ok {
			continue
		}
		t := pm.Get("target")
		if t == nil {
			continue
		}
		if s, ok := t.Value.(*dconf.String); ok {
			out = append(out, promptTarget{prompt: pe.Key.Name, text: s.Value, node: s})
		}
	}
	return out
}

// parseTarget turns a dotted prompt target into a Path; all-digit
// elements become array indexes, as in tlshosts.0.private_key.
func parseTarget(s string) dconf.Path {
	parts := strings.Split(s, ".")
	p := make(dconf.Path, len(parts))
	for i, part := range parts {
		if n, err := strconv.Atoi(part); err == nil && n >= 0 && part != "" && part[0] != '+' {
			p[i] = dconf.PathElem{Index: n, IsIndex: true}
			continue
		}
		p[i] = dconf.PathElem{Key: part}
	}
	return p
}

// lookupTarget finds the value a target names. An all-digit element
// matches an array index or, failing that, a map key of the same text.
func lookupTarget(root dconf.Value, p dconf.Path) dconf.Value {
	v := root
	for _, e := range p {
		switch n := v.(type) {
		case *dconf.Map:
			key := e.Key
			if e.IsIndex {
				key = strconv.Itoa(e.Index)
			}
			ent := n.Get(key)
			if ent == nil {
				return nil
			}
			v = ent.Value
		case *dconf.Array:
			if !e.IsIndex || e.Index >= len(n.Elems) {
				return nil
			}
			v = n.Elems[e.Index]
		default:
			return nil
		}
	}
	return v
}
