package lint

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/confc/confc/dconf"
)

// Mask replaces a secret value wherever lint output would show it.
const Mask = "****"

// minScrubLen is the shortest secret value that Scrub searches for in
// messages. Shorter values would match ordinary words; rules never quote
// secret values anyway, so this is a second line of defence.
const minScrubLen = 4

// span is a byte range [start, end) of the source.
type span struct{ start, end int }

// Masker knows which bytes of a file are secret, and hides them.
//
// With a parsed file it masks every scalar at a setting the schema marks
// secret, at a prompt target, under a key whose name looks secret (the
// values plaintext-secret reports), and every block string holding a
// "PRIVATE KEY". Without a parse tree it falls back to the text: the rest
// of a line after a key that looks secret, and PEM private key blocks.
// The quotes or brackets around a masked value are kept, so the line still
// reads as Dconf.
type Masker struct {
	src     []byte
	spans   []span // sorted by start, not overlapping
	secrets []string
	scrub   *strings.Replacer
	lines   []int // offset of the first byte of each line
}

// NewMasker finds the secret parts of src. f may be nil when src did not
// parse.
func NewMasker(src []byte, f *dconf.File) *Masker {
	m := &Masker{src: src}
	if f != nil && f.Root != nil {
		m.fromTree(f)
	} else {
		m.fromText()
	}
	m.fromPEM()
	m.finish()
	return m
}

func (m *Masker) fromTree(f *dconf.File) {
	targets := map[string]bool{}
	for _, t := range promptTargets(f) {
		targets[t.text] = true
	}
	dconf.Walk(f.Root, func(p dconf.Path, v dconf.Value) bool {
		secret := classify(p) != notSecret || (len(p) > 0 && targets[p.String()])
		if !secret {
			if s, ok := v.(*dconf.String); ok && strings.Contains(s.Value, "PRIVATE KEY") {
				secret = true
			}
		}
		if !secret {
			return true
		}
		dconf.Walk(v, func(_ dconf.Path, sv dconf.Value) bool {
			if isScalar(sv) {
				m.addValue(sv)
			}
			return true
		})
		return false
	})
}

// content returns the byte range of a scalar's content: inside its quotes
// or parentheses for a quoted or block string.
func (m *Masker) content(v dconf.Value) (start, end int, ok bool) {
	start, end = v.Pos().Offset, v.End().Offset
	if start < 0 || end > len(m.src) || start >= end {
		return 0, 0, false
	}
	if s, isStr := v.(*dconf.String); isStr && s.Style != dconf.Bare && end-start >= 2 {
		start++
		end--
	}
	return start, end, true
}

// MaskedValue reports whether the content of scalar v is masked.
func (m *Masker) MaskedValue(v dconf.Value) bool {
	start, end, ok := m.content(v)
	return ok && start < end && m.Masked(start)
}

// addValue masks the content of a scalar, inside its quotes or parentheses.
func (m *Masker) addValue(v dconf.Value) {
	start, end, ok := m.content(v)
	if !ok {
		return
	}
	if s, ok := v.(*dconf.String); ok {
		if len(s.Value) >= minScrubLen {
			m.secrets = append(m.secrets, s.Value)
			for _, l := range strings.Split(s.Value, "\n") {
				if l = strings.TrimSpace(l); len(l) >= 8 {
					m.secrets = append(m.secrets, l)
				}
			}
		}
	}
	if start < end {
		m.add(start, end)
	}
}

// secretLine matches a line whose key looks secret: the key, then the
// separator, then the value.
var secretLine = regexp.MustCompile(`^\s*["']?([A-Za-z0-9_$.\-]+)["']?\s*[:=]?\s*`)

// fromText masks the values of secret-looking keys line by line, for files
// that did not parse.
//
// TODO: only a key at the start of a line is recognised; in an unparsable
// file, "{ user: x, password: y }" on one line keeps y visible.
func (m *Masker) fromText() {
	for start := 0; start < len(m.src); {
		end := bytes.IndexByte(m.src[start:], '\n')
		if end < 0 {
			end = len(m.src)
		} else {
			end += start
		}
		line := m.src[start:end]
		if loc := secretLine.FindSubmatchIndex(line); loc != nil && looksSecretKey(string(line[loc[2]:loc[3]])) {
			vs, ve := loc[1], len(bytes.TrimRight(line, " \t\r,;"))
			if vs < ve && line[vs] != '{' && line[vs] != '[' {
				if q := line[vs]; (q == '"' || q == '\'') && ve-vs >= 2 && line[ve-1] == q {
					vs++
					ve--
				}
				if vs < ve {
					m.add(start+vs, start+ve)
					if ve-vs >= minScrubLen {
						m.secrets = append(m.secrets, string(line[vs:ve]))
					}
				}
			}
		}
		start = end + 1
	}
}

// fromPEM masks every line of a PEM private key block, wherever it is.
func (m *Masker) fromPEM() {
	inKey := false
	for start := 0; start < len(m.src); {
		end := bytes.IndexByte(m.src[start:], '\n')
		if end < 0 {
			end = len(m.src)
		} else {
			end += start
		}
		line := m.src[start:end]
		begin := bytes.Contains(line, []byte("-----BEGIN")) && bytes.Contains(line, []byte("PRIVATE KEY"))
		if begin || inKey {
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				s := start + bytes.Index(line, trimmed)
				m.add(s, s+len(trimmed))
				if !begin && len(trimmed) >= 8 {
					m.secrets = append(m.secrets, string(trimmed))
				}
			}
			inKey = !bytes.Contains(line, []byte("-----END"))
		}
		start = end + 1
	}
}

func (m *Masker) add(start, end int) { m.spans = append(m.spans, span{start, end}) }

// finish sorts and merges the spans and prepares Scrub.
func (m *Masker) finish() {
	slices.SortFunc(m.spans, func(a, b span) int { return a.start - b.start })
	merged := m.spans[:0]
	for _, s := range m.spans {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	m.spans = merged

	// Longest first, so that a secret containing another is replaced
	// whole.
	slices.SortFunc(m.secrets, func(a, b string) int { return len(b) - len(a) })
	m.secrets = slices.Compact(m.secrets)
	pairs := make([]string, 0, 2*len(m.secrets))
	for _, s := range m.secrets {
		pairs = append(pairs, s, Mask)
	}
	m.scrub = strings.NewReplacer(pairs...)

	m.lines = append(m.lines, 0)
	for i, c := range m.src {
		if c == '\n' {
			m.lines = append(m.lines, i+1)
		}
	}
}

// Scrub returns s with every known secret value replaced by the mask.
func (m *Masker) Scrub(s string) string {
	if m == nil || len(m.secrets) == 0 {
		return s
	}
	return m.scrub.Replace(s)
}

// Masked reports whether the byte at offset is part of a secret.
func (m *Masker) Masked(offset int) bool {
	_, found := slices.BinarySearchFunc(m.spans, offset, func(s span, off int) int {
		switch {
		case off < s.start:
			return 1
		case off >= s.end:
			return -1
		}
		return 0
	})
	return found
}

// Line returns source line n (1-based, without its line break) with secret
// values masked, and a function mapping a 1-based byte column of the
// original line to a 0-based byte index into the returned text. It returns
// "" for a line outside the file.
func (m *Masker) Line(n int) (string, func(col int) int) {
	start, end, ok := m.lineBounds(n)
	if !ok {
		return "", func(int) int { return 0 }
	}
	var b strings.Builder
	type shift struct{ from, to, at, delta int }
	var shifts []shift
	pos := start
	delta := 0
	for _, s := range m.spans {
		if s.end <= start || s.start >= end {
			continue
		}
		ss, se := max(s.start, start), min(s.end, end)
		b.Write(m.src[pos:ss])
		at := ss - start + delta
		b.WriteString(Mask)
		shifts = append(shifts, shift{from: ss - start, to: se - start, at: at, delta: delta})
		delta += len(Mask) - (se - ss)
		pos = se
	}
	b.Write(m.src[pos:end])
	mapCol := func(col int) int {
		i := col - 1
		d := 0
		for _, s := range shifts {
			if i < s.from {
				break
			}
			if i < s.to {
				return s.at
			}
			d = s.delta + len(Mask) - (s.to - s.from)
		}
		return i + d
	}
	return b.String(), mapCol
}

// lineBounds returns the byte range of line n, without "\n" or "\r\n".
func (m *Masker) lineBounds(n int) (start, end int, ok bool) {
	if n < 1 || n > len(m.lines) {
		return 0, 0, false
	}
	start, end = m.lines[n-1], len(m.src)
	if n < len(m.lines) {
		end = m.lines[n] - 1
	}
	if end > start && m.src[end-1] == '\r' {
		end--
	}
	return start, end, true
}
