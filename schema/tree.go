package schema

import (
	"slices"
	"sort"
	"strconv"

	"cuelang.org/go/cue"

	"github.com/confc/confc/dconf"
)

// maxDepth bounds the walk over the schema; the schema has no recursive
// definitions, so this only guards against a future mistake.
const maxDepth = 32

// node is one setting of the schema, as a plain Go tree so that IsSecret and
// KnownSetting cost a few map look-ups and never touch CUE.
type node struct {
	fields   map[string]*node
	required []string // required fields, sorted
	elem     *node    // the element of a list, or nil

	// isStruct tells that the setting is a map, so its keys can be checked.
	isStruct bool
	// allowsAll tells that any key is allowed (an open struct, or a
	// [string] pattern).
	allowsAll bool
	// pattern is the schema of keys matched by a pattern constraint. A struct
	// in the schema has at most one pattern constraint; a key that is allowed
	// but neither declared nor matched by it falls in an open ("...") part.
	pattern *node
	// hasPattern tells that pattern is set or still to be probed.
	hasPattern bool
	// unknownRule is the rule for keys this struct does not allow.
	unknownRule string

	secret bool

	// val is the node's schema value; the fields above are read from it by
	// compiled.expand, on first use, which sets expanded. depth is the
	// node's depth in the schema.
	val      cue.Value
	depth    int
	expanded bool
	// allowed caches, for structs whose keys are constrained by a pattern
	// other than [string], which keys the pattern lets in.
	allowed map[string]bool
}

// build returns the node of the schema value v without looking inside it:
// the node is expanded (its fields, element and pattern read from CUE) on
// first use, by expand. Walking the whole schema up front costs more than
// the rest of a lint of a typical file, and most settings are never visited.
func (c *compiled) build(v cue.Value, depth int) *node {
	return &node{val: v, depth: depth}
}

// expand reads n's fields, element and pattern from its CUE value, once, and
// returns n. Call with c.mu held, or before the node is shared.
func (c *compiled) expand(n *node) *node {
	if n == nil || n.expanded {
		return n
	}
	n.expanded = true
	v := n.val
	if n.depth > maxDepth {
		n.allowsAll = true
		return n
	}
	k := v.IncompleteKind()
	if k&cue.ListKind != 0 {
		if ev := v.LookupPath(cue.MakePath(cue.AnyIndex)); ev.Exists() {
			n.elem = c.build(ev, n.depth+1)
		}
	}
	if k&cue.StructKind == 0 {
		return n
	}
	n.isStruct = true
	n.fields = map[string]*node{}
	// A rule named on the field that holds this struct (set by the parent)
	// wins over one declared inside it.
	if n.unknownRule == "" {
		for _, a := range v.Attributes(cue.DeclAttr) {
			if a.Name() == "unknown" {
				n.unknownRule, _ = a.String(0)
			}
		}
	}
	it, err := v.Fields(cue.Optional(true))
	if err == nil {
		for it.Next() {
			sel := it.Selector()
			if sel.LabelType() != cue.StringLabel {
				continue
			}
			name := sel.Unquoted()
			child := c.build(it.Value(), n.depth+1)
			if a := it.Value().Attribute("secret"); a.Err() == nil {
				child.secret = true
			}
			if a := it.Value().Attribute("unknown"); a.Err() == nil {
				child.unknownRule, _ = a.String(0)
			}
			n.fields[name] = child
			if sel.ConstraintType() == cue.RequiredConstraint {
				n.required = append(n.required, name)
			}
		}
	}
	sort.Strings(n.required)

	// A key no schema would use tells open structs and [string] patterns
	// apart from closed ones and from patterns that restrict names.
	const probe = "\x00confc probe"
	n.allowsAll = v.Allows(cue.Str(probe))
	pv := v.LookupPath(cue.MakePath(cue.AnyString))
	switch {
	case pv.Exists() && pv.IncompleteKind() != cue.TopKind:
		n.pattern = c.build(pv, n.depth+1)
		n.hasPattern = true
	case pv.Exists():
		// "..." is the pattern [string]: _ to CUE; a key it lets in is
		// allowed but not described, so it is no known setting.
	case !n.allowsAll:
		// A pattern that restricts names (a regular expression, a list of
		// component names) cannot be looked up directly; it is probed with
		// the first key that it allows, in step.
		n.hasPattern = true
		n.allowed = map[string]bool{}
	}
	return n
}

// allows reports whether the struct n accepts key. Call with c.mu held.
func (c *compiled) allows(n *node, key string) bool {
	c.expand(n)
	if _, ok := n.fields[key]; ok || n.allowsAll {
		return true
	}
	if n.allowed == nil {
		return false
	}
	ok, seen := n.allowed[key]
	if !seen {
		ok = n.val.Allows(cue.Str(key))
		n.allowed[key] = ok
	}
	return ok
}

// step returns the schema of key inside the struct n. ok is false when n does
// not allow key; the node is nil when key is allowed but undeclared (an open
// part of the schema). Call with c.mu held.
func (c *compiled) step(n *node, key string) (child *node, ok bool) {
	c.expand(n)
	if f, ok := n.fields[key]; ok {
		return f, true
	}
	if !c.allows(n, key) {
		return nil, false
	}
	if n.hasPattern && n.pattern == nil && n.allowed != nil {
		// Fill the key with "_" so that the pattern's constraints apply.
		pv := n.val.FillPath(cue.MakePath(cue.Str(key)), c.top).LookupPath(cue.MakePath(cue.Str(key)))
		if pv.Exists() {
			n.pattern = c.build(pv, n.depth+1)
		}
	}
	if n.pattern != nil {
		return n.pattern, true
	}
	return nil, true
}

// lookup returns the schema node of the setting at p, or nil when the schema
// does not declare it. A key made of digits matches a list element, so that a
// prompt target such as router.ssl.tlshosts.0.private_key resolves whether
// its path was built from a tree or from a dotted string.
func (c *compiled) lookup(p dconf.Path) *node {
	if c.err != nil || c.root == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookupLocked(p)
}

// lookupLocked is lookup with c.mu already held.
func (c *compiled) lookupLocked(p dconf.Path) *node {
	n := c.root
	for _, e := range p {
		if n = c.stepElem(n, e); n == nil {
			return nil
		}
	}
	return n
}

// stepElem returns the schema node of path element e below n, or nil when
// the schema does not declare it. Call with c.mu held.
func (c *compiled) stepElem(n *node, e dconf.PathElem) *node {
	c.expand(n)
	switch {
	case e.IsIndex:
		return n.elem
	case n.elem != nil && !n.isStruct && isDigits(e.Key):
		return n.elem
	case n.isStruct:
		child, ok := c.step(n, e.Key)
		if !ok {
			return nil
		}
		return child
	}
	return nil
}

// secrecy is SecretKind in one walk down the schema.
func (c *compiled) secrecy(p dconf.Path) Secrecy {
	if c.err != nil || c.root == nil {
		return NotSecret
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.secrecyLocked(p)
}

// secrecyLocked is secrecy with c.mu already held.
func (c *compiled) secrecyLocked(p dconf.Path) Secrecy {
	if len(p) == 0 || (!p[0].IsIndex && p[0].Key == "prompts") {
		return NotSecret
	}
	n := c.root
	looks := false
	for _, e := range p {
		if n != nil {
			n = c.stepElem(n, e)
		}
		if n != nil && n.secret {
			return SchemaSecret
		}
		// A key the schema knows is judged by the schema alone, so a
		// known non-secret setting never looks secret by its name.
		if n == nil && !e.IsIndex && LooksSecretKey(e.Key) {
			looks = true
		}
	}
	if looks {
		return LooksSecret
	}
	return NotSecret
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil && s[0] != '-' && s[0] != '+'
}

// IsSecret reports whether the setting at p holds a secret, as marked with
// @secret() in the schema: identity-provider secrets, basic users' passwords,
// the S3 secret key, router TLS private keys, the audit-log database password.
// Array indexes match any element: chef.continuum.router.ssl.tlshosts.3.private_key
// is secret. A setting the schema does not declare is never secret here; the
// linter judges such keys by their names.
func IsSecret(p dconf.Path) bool {
	n := load().lookup(p)
	return n != nil && n.secret
}

// KnownSetting reports whether p names a setting the schema declares: a
// declared field, a key matched by a pattern (a machine group, a component, a
// prompt name), or an element of a declared list. Keys inside open parts of
// the schema ("..."), such as other chef cookbooks, are not known settings:
// a prompt may only target a setting the schema describes. The empty path
// (the whole file) is known.
func KnownSetting(p dconf.Path) bool {
	return load().lookup(p) != nil
}

// fieldNames returns the declared field names of n, sorted.
func (n *node) fieldNames() []string {
	names := make([]string, 0, len(n.fields))
	for k := range n.fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
