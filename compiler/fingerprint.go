package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/version"
	"github.com/confc/confc/schema"
)

// fingerprintHeader starts the hashed text, so that a future change of the
// canonical form cannot collide with this one.
const fingerprintHeader = "confc plan fingerprint v2\n"

// ErrStale is wrapped by the error CheckFresh returns for a plan that no
// longer matches cluster.conf.
var ErrStale = errors.New("plan is stale")

// Fingerprint returns the fingerprint of a parsed cluster.conf under the
// running confc and schema: "sha256:" and a hex digest. It depends on the
// file's values only, so comments, whitespace, quoting and the order of keys
// in a map do not change it; secret values do not enter it at all, since
// apply reads them from cluster.conf when it runs (see docs/plan.md).
func Fingerprint(f *dconf.File) string {
	return fingerprint(f, schema.Version(), version.Version)
}

func fingerprint(f *dconf.File, schemaVersion, confcVersion string) string {
	h := sha256.New()
	var b strings.Builder
	b.WriteString(fingerprintHeader)
	if f != nil && f.Root != nil {
		c := canonicalizer{b: &b, secrets: schema.NewSecrets(f)}
		c.value(nil, f.Root, false)
	}
	b.WriteString("\nschema ")
	b.WriteString(schemaVersion)
	b.WriteString("\nconfc ")
	b.WriteString(confcVersion)
	b.WriteString("\n")
	h.Write([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// hiddenMarker stands for a secret value in the canonical form.
const hiddenMarker = "h"

// canonicalizer writes the canonical form of a tree.
type canonicalizer struct {
	b       *strings.Builder
	secrets *schema.Secrets
}

// value writes the canonical form of v at path p: typed scalars, maps with
// sorted keys, arrays in order. A secret value (the compiler's own
// classification, prompt targets included) is written as a marker, so the
// fingerprint, which is published with the plan, says nothing about it: a
// digest over a secret would let anyone holding the plan test guesses
// offline. A non-empty secret and an empty one differ, because the plan
// differs (an empty secret is unset). hidden tells that a value above p was
// a secret already.
func (c *canonicalizer) value(p dconf.Path, v dconf.Value, hidden bool) {
	b := c.b
	if !hidden && p != nil {
		switch v.(type) {
		case *dconf.Map, *dconf.Array:
			hidden = c.secrets.Target(p) || schema.SecretKind(p) != schema.NotSecret
		default:
			hidden = c.secrets.Hidden(p, v)
		}
	}
	switch n := v.(type) {
	case *dconf.Map:
		entries := slices.Clone(n.Entries)
		slices.SortFunc(entries, func(x, y *dconf.Entry) int { return strings.Compare(x.Key.Name, y.Key.Name) })
		b.WriteByte('{')
		for i, e := range entries {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(e.Key.Name))
			b.WriteByte(':')
			c.value(append(p[:len(p):len(p)], dconf.PathElem{Key: e.Key.Name}), e.Value, hidden)
		}
		b.WriteByte('}')
		return
	case *dconf.Array:
		b.WriteByte('[')
		for i, el := range n.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			c.value(append(p[:len(p):len(p)], dconf.PathElem{Index: i, IsIndex: true}), el, hidden)
		}
		b.WriteByte(']')
		return
	}
	if hidden {
		if s, ok := v.(*dconf.String); ok && s.Value == "" {
			b.WriteString(`s""`)
			return
		}
		b.WriteString(hiddenMarker)
		return
	}
	switch n := v.(type) {
	case *dconf.String:
		b.WriteByte('s')
		b.WriteString(strconv.Quote(n.Value))
	case *dconf.Int:
		b.WriteByte('i')
		b.WriteString(strconv.FormatInt(n.Value, 10))
	case *dconf.Float:
		b.WriteByte('f')
		b.WriteString(strconv.FormatFloat(n.Value, 'g', -1, 64))
	case *dconf.Bool:
		if n.Value {
			b.WriteString("b1")
		} else {
			b.WriteString("b0")
		}
	case *dconf.DateTime:
		// The text the plan writes to the store (see scalar), offset
		// included: 18:00+01:00 and 17:00Z are one instant but two
		// different settings.
		b.WriteByte('t')
		b.WriteString(n.Value.Format(time.RFC3339Nano))
	default:
		// A nil value cannot come from the parser; write a marker rather
		// than nothing so that it still counts.
		b.WriteString("nil")
	}
}

// CheckFresh reports whether p was compiled from f by this confc and schema.
// The error, which wraps ErrStale, says which of the three changed.
func CheckFresh(p *Plan, f *dconf.File) error {
	return checkFresh(p, f, schema.Version(), version.Version)
}

func checkFresh(p *Plan, f *dconf.File, schemaVersion, confcVersion string) error {
	if p.Fingerprint == fingerprint(f, schemaVersion, confcVersion) {
		return nil
	}
	name := "cluster.conf"
	if f != nil && f.Name != "" {
		name = f.Name
	}
	switch {
	case p.Input.ConfcVersion != confcVersion:
		return fmt.Errorf("%w: it was made by confc %q, this is confc %q; run \"confc plan\" again", ErrStale, p.Input.ConfcVersion, confcVersion)
	case p.Input.SchemaVersion != schemaVersion:
		return fmt.Errorf("%w: it was made with schema %q, this confc has schema %q; run \"confc plan\" again", ErrStale, p.Input.SchemaVersion, schemaVersion)
	case p.Input.File != "" && p.Input.File != filepath.Base(name):
		// A different file, not an edited one: saying it "changed" sent
		// readers looking for an edit that never happened.
		return fmt.Errorf("%w: it was made from a different cluster.conf, %q, not from %q (plan %s, file %s); check the file given, or run \"confc plan\" again",
			ErrStale, p.Input.File, name, short(p.Fingerprint), short(fingerprint(f, schemaVersion, confcVersion)))
	default:
		return fmt.Errorf("%w: %q changed since the plan was made (plan %s, file %s); run \"confc plan\" again",
			ErrStale, name, short(p.Fingerprint), short(fingerprint(f, schemaVersion, confcVersion)))
	}
}

// short abbreviates a fingerprint for messages.
func short(fp string) string {
	if len(fp) > len("sha256:")+12 {
		return fp[:len("sha256:")+12]
	}
	return fp
}
