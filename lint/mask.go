package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/schema"
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
// With a parsed file it masks every value that schema.SecretKind calls
// secret (the values plaintext-secret reports, whatever their shape), every
// value at or below a prompt target, and every string holding a "PRIVATE
// KEY". Without a parse tree it falls back to the text (see fromText) and
// PEM private key blocks. The quotes or brackets around a masked value are
// kept, so the line still reads as Dconf.
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
	secrets := schema.NewSecrets(f)
	dconf.Walk(f.Root, func(p dconf.Path, v dconf.Value) bool {
		if !secrets.Target(p) && schema.SecretKind(p) == schema.NotSecret {
			if isScalar(v) && schema.SecretValue(p, v) {
				m.addValue(v)
			}
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
		m.addSecret(s.Value)
		for _, l := range strings.Split(s.Value, "\n") {
			if l = strings.TrimSpace(l); len(l) >= 8 {
				m.addSecret(l)
			}
		}
	}
	// The text as written too: escapes in a quoted string differ from the
	// decoded value.
	m.addSecret(string(m.src[start:end]))
	if start < end {
		m.add(start, end)
	}
}

// addSecret records a secret text for Scrub, with the forms a message may
// quote it in: Go's %q (also ASCII-only) and JSON escaping, which differ
// from the raw text when it holds quotes, backslashes or control
// characters.
func (m *Masker) addSecret(s string) {
	if len(s) < minScrubLen {
		return
	}
	m.secrets = append(m.secrets, s)
	inner := func(q string) string { return q[1 : len(q)-1] }
	m.secrets = append(m.secrets, inner(strconv.Quote(s)), inner(strconv.QuoteToASCII(s)))
	if j, err := json.Marshal(s); err == nil {
		m.secrets = append(m.secrets, inner(string(j)))
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		m.secrets = append(m.secrets, inner(strings.TrimSuffix(b.String(), "\n")))
	}
}

// keyRef finds a key followed by ":" or "=" anywhere in a line, or a key at
// the start of a line followed by a blank (Dconf's third separator). The
// key is bare or quoted; group 1, 2 or 3 holds it.
var keyRef = regexp.MustCompile(`(?:^|[\s{\[,;])(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_$.\-]+))(?:\s*[:=]|[ \t]+)`)

// fromText masks, in a file that did not parse, every value that follows a
// key that looks secret, wherever on a line the key is:
//
//   - a scalar: from the value to the end of its line, since without a tree
//     the end of the value is unknown;
//   - a map or array ("{" or "["): everything up to the matching bracket,
//     counted outside quotes and comments, or to the end of the file when
//     the bracket is never closed;
//   - a block string ("("): everything up to a ")" at the start of a line,
//     or to the end of the file.
//
// It errs towards masking too much: a file with a syntax error is shown only
// to point at the error.
func (m *Masker) fromText() {
	eachLine(m.src, func(start int, line []byte) {
		for pos := 0; pos < len(line); {
			loc := keyRef.FindSubmatchIndex(line[pos:])
			if loc == nil {
				break
			}
			for i := range loc {
				if loc[i] >= 0 {
					loc[i] += pos
				}
			}
			// The next key may start right after this one's separator,
			// so the search goes on from the end of this key, not of
			// the whole match.
			keyEnd := max(loc[3], loc[5], loc[7])
			pos = keyEnd
			var key string
			switch {
			case loc[2] >= 0:
				key = string(line[loc[2]:loc[3]])
			case loc[4] >= 0:
				key = string(line[loc[4]:loc[5]])
			default:
				// A bare word followed by a blank only separates a key
				// from its value at the start of a line.
				if len(bytes.TrimSpace(line[loc[7]:loc[1]])) == 0 && len(bytes.TrimSpace(line[:loc[6]])) > 0 {
					continue
				}
				key = string(line[loc[6]:loc[7]])
			}
			if !schema.LooksSecretKey(key) {
				continue
			}
			vs := loc[1]
			for vs < len(line) && (line[vs] == ' ' || line[vs] == '\t') {
				vs++
			}
			m.maskTextValue(start + vs)
		}
	})
}

// maskTextValue masks the value starting at offset off, as fromText says.
func (m *Masker) maskTextValue(off int) {
	if off >= len(m.src) {
		return
	}
	lineEnd := bytes.IndexByte(m.src[off:], '\n')
	if lineEnd < 0 {
		lineEnd = len(m.src)
	} else {
		lineEnd += off
	}
	var end int
	switch m.src[off] {
	case '{', '[':
		off++
		end = m.matching(off)
	case '(':
		off++
		end = len(m.src)
		if i := bytes.Index(m.src[off:], []byte("\n)")); i >= 0 {
			end = off + i + 1
		}
	default:
		end = off + len(bytes.TrimRight(m.src[off:lineEnd], " \t\r,;"))
		// Quotes around the rest of the line are kept, so it still reads
		// as Dconf; whatever lies between them is masked.
		if q := m.src[off]; (q == '"' || q == '\'') && end-off >= 2 && m.src[end-1] == q {
			off++
			end--
		}
	}
	if off >= end {
		return
	}
	m.add(off, end)
	for _, w := range bytes.FieldsFunc(m.src[off:end], func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`,;"'[]{}()`, r)
	}) {
		m.addSecret(string(w))
	}
	if line := bytes.TrimSpace(m.src[off:min(end, lineEnd)]); len(line) > 0 {
		m.addSecret(string(line))
	}
}

// matching returns the offset of the bracket closing the one just before
// off, skipping quoted strings, block strings and comments, or the end of
// the file.
func (m *Masker) matching(off int) int {
	depth := 1
	src := m.src
	for i := off; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if c == '"' && src[i] == '\\' {
					i++
				}
			}
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '(':
			j := bytes.Index(src[i:], []byte("\n)"))
			if j < 0 {
				return len(src)
			}
			i += j + 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	return len(src)
}

// fromPEM masks every line of a PEM private key block, wherever it is.
func (m *Masker) fromPEM() {
	inKey := false
	eachLine(m.src, func(start int, line []byte) {
		begin := bytes.Contains(line, []byte("-----BEGIN")) && bytes.Contains(line, []byte("PRIVATE KEY"))
		if begin || inKey {
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				s := start + bytes.Index(line, trimmed)
				m.add(s, s+len(trimmed))
				if !begin && len(trimmed) >= 8 {
					m.addSecret(string(trimmed))
				}
			}
			inKey = !bytes.Contains(line, []byte("-----END"))
		}
	})
}

// eachLine calls fn with the offset and text of every line of src, without
// its line break.
func eachLine(src []byte, fn func(start int, line []byte)) {
	for start := 0; start < len(src); {
		end := bytes.IndexByte(src[start:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += start
		}
		fn(start, src[start:end])
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
// values masked and made safe for a terminal (see escapeRune), and a
// function mapping a 1-based byte column of the original line to a 0-based
// byte index into the returned text. It returns "" for a line outside the
// file. A byte-order mark at the start of the file is left out.
func (m *Masker) Line(n int) (string, func(col int) int) {
	start, end, ok := m.lineBounds(n)
	if !ok {
		return "", func(int) int { return 0 }
	}
	var b strings.Builder
	// at[i] is the index in the result of the byte at start+i.
	at := make([]int, end-start+1)
	i := start
	if i == 0 && bytes.HasPrefix(m.src, []byte("\uFEFF")) {
		i = min(3, end)
	}
	spans := m.spans
	for i < end {
		for len(spans) > 0 && spans[0].end <= i {
			spans = spans[1:]
		}
		if len(spans) > 0 && spans[0].start <= i {
			se := min(spans[0].end, end)
			for j := i; j < se; j++ {
				at[j-start] = b.Len()
			}
			b.WriteString(Mask)
			i = se
			continue
		}
		r, size := utf8.DecodeRune(m.src[i:end])
		for j := i; j < i+size; j++ {
			at[j-start] = b.Len()
		}
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, "\\x%02x", m.src[i])
		} else if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteString(escapeRune(r))
		}
		i += size
	}
	at[end-start] = b.Len()
	mapCol := func(col int) int {
		return at[max(0, min(col-1, len(at)-1))]
	}
	return b.String(), mapCol
}

// escapeRune returns r, or an escape such as \x1b or \u202e for a rune a
// terminal or a log viewer would act on rather than show: control
// characters (ESC, BEL, NUL, CR, ...), line and paragraph separators,
// bidirectional controls and invisible format characters.
func escapeRune(r rune) string {
	switch {
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("\\x%02x", r)
	case unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control, unicode.Zl, unicode.Zp, unicode.Cf):
		return fmt.Sprintf("\\u%04x", r)
	}
	return string(r)
}

// TerminalSafe returns s with every rune a terminal would act on escaped
// as escapeRune does, and bytes that are not UTF-8 written as \xNN, so that
// file names and messages cannot move the cursor, clear the screen or start
// a new log line.
func TerminalSafe(s string) string {
	safe := true
	for _, r := range s {
		if r == utf8.RuneError || escapeRune(r) != string(r) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, "\\x%02x", s[i])
		} else {
			b.WriteString(escapeRune(r))
		}
		i += size
	}
	return b.String()
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
