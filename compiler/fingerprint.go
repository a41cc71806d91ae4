package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
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
const fingerprintHeader = "confc plan fingerprint v1\n"

// ErrStale is wrapped by the error CheckFresh returns for a plan that no
// longer matches cluster.conf.
var ErrStale = errors.New("plan is stale")

// Fingerprint returns the fingerprint of a parsed cluster.conf under the
// running confc and schema: "sha256:" and a hex digest. It depends on the
// file's values only, so comments, whitespace, quoting and the order of keys
// in a map do not change it (see docs/plan.md).
func Fingerprint(f *dconf.File) string {
	return fingerprint(f, schema.Version(), version.Version)
}

func fingerprint(f *dconf.File, schemaVersion, confcVersion string) string {
	h := sha256.New()
	var b strings.Builder
	b.WriteString(fingerprintHeader)
	if f != nil && f.Root != nil {
		canonical(&b, f.Root)
	}
	b.WriteString("\nschema ")
	b.WriteString(schemaVersion)
	b.WriteString("\nconfc ")
	b.WriteString(confcVersion)
	b.WriteString("\n")
	h.Write([]byte(b.String()))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// canonical writes the canonical form of v: typed scalars, maps with sorted
// keys, arrays in order.
func canonical(b *strings.Builder, v dconf.Value) {
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
		b.WriteByte('t')
		b.WriteString(n.Value.UTC().Format(time.RFC3339Nano))
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
			canonical(b, e.Value)
		}
		b.WriteByte('}')
	case *dconf.Array:
		b.WriteByte('[')
		for i, el := range n.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			canonical(b, el)
		}
		b.WriteByte(']')
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
