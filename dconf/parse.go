package dconf

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of maps and arrays Parse accepts. The
// parser is recursive; the limit keeps hostile input from exhausting the
// stack, and no real configuration comes anywhere near it.
const MaxDepth = 1000

// maxErrors caps the errors one Parse call collects.
const maxErrors = 10

// Parse parses the Dconf source src, read from the file filename (used only in
// positions). On success it returns the tree and a nil error. On failure the
// error is an ErrorList and the returned File is nil: a file with syntax
// errors is not worth checking further.
func Parse(filename string, src []byte) (*File, error) {
	p := &parser{
		file: &File{Name: filename, Src: src, lines: lineStarts(src)},
		src:  src,
	}
	p.parseFile()
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return p.file, nil
}

// bailout is the panic value the parser uses to unwind after an error that
// makes the rest of the input meaningless. Parse recovers it; it never
// escapes the package.
type bailout struct{}

// container describes the map or array being parsed, for messages about
// brackets. The zero container is the file's root map.
type container struct {
	kind  string // "map" or "array"; empty for the root
	open  Pos    // position of the opening bracket
	close byte   // the closing bracket
}

type parser struct {
	file  *File
	src   []byte
	off   int
	depth int
	errs  ErrorList
}

// pos returns the position of the byte at offset off.
func (p *parser) pos(off int) Pos {
	return p.file.posAt(off)
}

// errorAt records an error that does not stop the parse, up to maxErrors of
// them.
func (p *parser) errorAt(off int, related []Pos, format string, args ...any) {
	if len(p.errs) >= maxErrors {
		return
	}
	p.errs = append(p.errs, &Error{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...), Related: related})
}

// fail records an error and abandons the parse. The error is kept even past
// maxErrors: it is the one that explains why the parse stopped.
func (p *parser) fail(off int, related []Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...), Related: related})
	panic(bailout{})
}

func (p *parser) parseFile() {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
	}()

	if off := invalidUTF8(p.src); off >= 0 {
		p.fail(off, nil, "invalid UTF-8 encoding: the file must be UTF-8 text")
	}
	// Lines end in LF or CRLF. A carriage return alone would end a line on
	// some screens and not in the parser, so text could hide behind it.
	for off := bytes.IndexByte(p.src, '\r'); off >= 0; {
		if off+1 >= len(p.src) || p.src[off+1] != '\n' {
			p.fail(off, nil, "carriage return without a line feed: lines must end in LF or CRLF")
		}
		next := bytes.IndexByte(p.src[off+1:], '\r')
		if next < 0 {
			break
		}
		off += 1 + next
	}

	// A byte-order mark carries no content. It is skipped rather than
	// removed so that offsets keep counting from the first byte of the file.
	if bytes.HasPrefix(p.src, []byte("\uFEFF")) {
		p.off = 3
	}

	root := &Map{Span: Span{Start: p.pos(0)}}
	p.file.Root = root
	p.parseEntries(root, container{})
	root.Stop = p.pos(len(p.src))
}

// invalidUTF8 returns the offset of the first byte that is not valid UTF-8, or
// -1 when src is valid.
func invalidUTF8(src []byte) int {
	if utf8.Valid(src) {
		return -1
	}
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// at returns the byte at the current offset, or 0 at end of input. The
// callers never need to tell a NUL byte from the end: NUL is rejected as a
// control character wherever it matters.
func (p *parser) at() byte {
	if p.off < len(p.src) {
		return p.src[p.off]
	}
	return 0
}

func (p *parser) eof() bool { return p.off >= len(p.src) }

// skipBlanks skips spaces and tabs, and carriage returns so that CRLF line
// ends behave as LF ones.
func (p *parser) skipBlanks() {
	for p.off < len(p.src) {
		switch p.src[p.off] {
		case ' ', '\t', '\r':
			p.off++
		default:
			return
		}
	}
}

// skipSpace skips blanks, line breaks and comments.
func (p *parser) skipSpace() {
	for {
		p.skipBlanks()
		switch p.at() {
		case '\n':
			p.off++
		case '#':
			p.comment()
		default:
			return
		}
	}
}

// comment reads a comment starting at the current "#" and records it.
func (p *parser) comment() {
	start := p.off
	end := start
	for end < len(p.src) && p.src[end] != '\n' {
		end++
	}
	p.off = end
	if end > start && p.src[end-1] == '\r' {
		end--
	}
	text := string(p.src[start:end])

	// An ERB tag in a comment is still a sign of an unrendered template:
	// rendering would have replaced it.
	if i := strings.Index(text, "<%"); i >= 0 {
		p.erbError(start + i)
	}
	p.file.Comments = append(p.file.Comments, &Comment{
		Span: Span{Start: p.pos(start), Stop: p.pos(end)},
		Text: text,
	})
}

// erbError reports an unrendered ERB tag at off, which holds "<%".
func (p *parser) erbError(off int) {
	tag := "<%"
	if off+2 < len(p.src) && strings.IndexByte("=-#%", p.src[off+2]) >= 0 {
		tag = string(p.src[off : off+3])
	}
	p.fail(off, nil, "unrendered ERB tag %q: render the .erb template with erb before confc reads it", tag)
}

// isERB reports whether an ERB tag starts at off.
func (p *parser) isERB(off int) bool {
	return off+1 < len(p.src) && p.src[off] == '<' && p.src[off+1] == '%'
}

// describe names the input at off for messages.
func (p *parser) describe(off int) string {
	if off >= len(p.src) {
		return "end of file"
	}
	c := p.src[off]
	if c == '\n' || (c == '\r' && off+1 < len(p.src) && p.src[off+1] == '\n') {
		return "end of line"
	}
	r, _ := utf8.DecodeRune(p.src[off:])
	if r < ' ' || r == 0x7f || (r >= utf8.RuneSelf && (unicode.IsSpace(r) || !unicode.IsPrint(r))) {
		return fmt.Sprintf("%U", r)
	}
	return strconv.Quote(string(r))
}

// parseEntries parses key/value entries into m until the closing bracket of
// c (consumed) or, for the root, the end of the file.
func (p *parser) parseEntries(m *Map, c container) {
	var seen map[string]*Key
	for {
		p.skipSpace()
		if p.eof() {
			if c.close != 0 {
				p.fail(c.open.Offset, nil, "unclosed map: \"{\" opened here has no matching \"}\"")
			}
			return
		}
		ch := p.src[p.off]
		if c.close != 0 && ch == c.close {
			p.off++
			return
		}
		switch ch {
		case '}', ']', ')':
			p.closerMismatch(c)
		case ',', ';':
			p.fail(p.off, nil, "unexpected %q: expected a key", string(ch))
		case '{', '[':
			if c.close == 0 && len(m.Entries) == 0 && ch == '{' {
				p.fail(p.off, nil, "expected a key, found \"{\": the file is a map already, so do not wrap it in braces")
			}
			p.fail(p.off, nil, "expected a key, found %q", string(ch))
		}

		key := p.parseKey()
		p.parseSeparator(key)
		val := p.parseValue(c)

		if seen == nil {
			seen = make(map[string]*Key)
		}
		if first, ok := seen[key.Name]; ok {
			p.errorAt(key.Start.Offset, []Pos{first.Start}, "duplicate key %q: first defined at %s", key.Name, first.Start)
		} else {
			seen[key.Name] = key
		}
		m.Entries = append(m.Entries, &Entry{Key: key, Value: val})
		p.endOfElement(c)
	}
}

// posLineCol formats a position as line:col, for messages that already
// carry the file name in their own position.
func posLineCol(p Pos) string {
	return fmt.Sprintf("%d:%d", p.Line, p.Column)
}

// closerMismatch reports a closing bracket at the current offset that does
// not close c. For an open map or array the error points at its opening
// bracket: that is where the missing bracket belongs, while the stray one is
// usually the closer of an outer level.
func (p *parser) closerMismatch(c container) {
	found := p.src[p.off]
	if found == ')' {
		p.fail(p.off, nil, "unexpected \")\": a block string ends with \")\" alone at the start of a line, and no block string is open here")
	}
	if c.close == 0 {
		p.fail(p.off, nil, "unexpected %q: no map or array is open", string(found))
	}
	p.fail(c.open.Offset, []Pos{p.pos(p.off)},
		"unclosed %s: %q opened here has no matching %q (found %q at %s)",
		c.kind, string(openerOf(c.close)), string(c.close), string(found), posLineCol(p.pos(p.off)))
}

func openerOf(close byte) byte {
	if close == ']' {
		return '['
	}
	return '{'
}

// endOfElement checks what follows a value: an optional "," or ";", then a
// line break, a comment, the closing bracket of c or the end of the file.
// After a "," or ";" another element may follow on the same line.
func (p *parser) endOfElement(c container) {
	p.skipBlanks()
	if ch := p.at(); !p.eof() && (ch == ',' || ch == ';') {
		p.off++
		return
	}
	if p.eof() {
		return
	}
	switch ch := p.src[p.off]; ch {
	case '\n', '#':
		return
	case c.close:
		return
	case '}', ']', ')':
		p.closerMismatch(c)
	}
	if p.isERB(p.off) {
		p.erbError(p.off)
	}
	what := "entries"
	if c.kind == "array" {
		what = "elements"
	}
	p.fail(p.off, nil, "unexpected %s after value: separate %s with a line break or \",\"", p.describe(p.off), what)
}

// parseKey parses a bare or quoted key.
func (p *parser) parseKey() *Key {
	start := p.off
	if p.isERB(start) {
		p.erbError(start)
	}
	switch ch := p.src[start]; ch {
	case '"', '\'':
		s := p.parseQuoted()
		return &Key{Span: s.Span, Name: s.Value, Style: s.Style}
	}
	if r, _ := utf8.DecodeRune(p.src[start:]); isSmartQuote(r) {
		p.fail(start, nil, "smart quote %q cannot quote a key: use \" or '", string(r))
	}

	end := p.scanBare(start, true)
	if end == start {
		p.fail(start, nil, "expected a key, found %s", p.describe(start))
	}
	p.off = end
	if !p.eof() {
		if r, _ := utf8.DecodeRune(p.src[end:]); r == '"' || r == '\'' || isSmartQuote(r) {
			p.fail(end, nil, "%q may not appear in a bare key: quote the whole key", string(r))
		}
	}
	return &Key{
		Span:  Span{Start: p.pos(start), Stop: p.pos(end)},
		Name:  string(p.src[start:end]),
		Style: Bare,
	}
}

// parseSeparator reads what lies between a key and its value: blanks and
// an optional ":" or "=". A map, array or block string may follow the key
// directly.
func (p *parser) parseSeparator(key *Key) {
	blank := false
	if ch := p.at(); ch == ' ' || ch == '\t' {
		blank = true
		p.skipBlanks()
	}
	ch := p.at()
	switch {
	case !p.eof() && (ch == ':' || ch == '='):
		p.off++
		// "key ::1" could mean the value "::1" or ":1"; refuse to guess.
		if next := p.at(); !p.eof() && (next == ':' || next == '=') {
			p.fail(p.off-1, nil, "ambiguous value after %q: put a space after the separator or quote the value", string(ch))
		}
		p.skipBlanks()
	case !p.eof() && (ch == '{' || ch == '[' || ch == '('):
	case blank:
	default:
		if p.eof() || ch == '\n' || ch == '\r' || ch == '#' {
			p.fail(key.Start.Offset, nil, "missing value for key %q", key.Name)
		}
		p.fail(p.off, nil, "unexpected %s after key %q: expected \":\", \"=\" or a space", p.describe(p.off), key.Name)
	}
	if ch := p.at(); p.eof() || ch == '\n' || ch == '#' {
		p.fail(key.Start.Offset, nil, "missing value for key %q: a value must start on the same line as its key", key.Name)
	}
}

// parseValue parses one value; c is the container the value is in.
func (p *parser) parseValue(c container) Value {
	start := p.off
	if p.isERB(start) {
		p.erbError(start)
	}
	switch ch := p.src[start]; ch {
	case '{':
		return p.parseMap()
	case '[':
		return p.parseArray()
	case '(':
		return p.parseBlock()
	case '"', '\'':
		return p.parseQuoted()
	case '}', ']', ')':
		if ch == c.close {
			p.fail(start, nil, "missing value before %q", string(ch))
		}
		p.closerMismatch(c)
	case ',', ';':
		p.fail(start, nil, "missing value before %q", string(ch))
	}
	if r, _ := utf8.DecodeRune(p.src[start:]); isSmartQuote(r) {
		p.fail(start, nil, "smart quote %q cannot quote a string: use \" or '", string(r))
	}

	end := p.scanBare(start, false)
	if end == start {
		p.fail(start, nil, "expected a value, found %s", p.describe(start))
	}
	p.off = end
	if !p.eof() {
		r, _ := utf8.DecodeRune(p.src[end:])
		switch {
		case r == '"' || r == '\'' || r == '(' || r == ')' || r == '[' || r == '{' || isSmartQuote(r):
			p.fail(end, nil, "%q may not appear in a bare word: quote the whole value", string(r))
		}
	}
	return p.classify(start, end)
}

// scanBare returns the end of the bare word starting at start. Keys stop
// also at ":" and "=". ERB tags inside the word are reported.
func (p *parser) scanBare(start int, key bool) int {
	i := start
	for i < len(p.src) {
		c := p.src[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == 0x7f {
				return p.checkStop(i)
			}
			switch c {
			case '(', ')', '[', ']', '{', '}', '"', '\'', ',', ';', '#':
				return i
			case ':', '=':
				if key {
					return i
				}
			case '<':
				if p.isERB(i) {
					p.erbError(i)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(p.src[i:])
		if isSmartQuote(r) {
			return i
		}
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return p.checkStop(i)
		}
		i += n
	}
	return i
}

// checkStop accepts the end of a bare word at a space, tab or line break and
// rejects other invisible characters, which would otherwise make two words
// look like one or one like two.
func (p *parser) checkStop(i int) int {
	switch p.src[i] {
	case ' ', '\t', '\n', '\r':
		return i
	}
	p.fail(i, nil, "unexpected character %s outside quotes", p.describe(i))
	return i
}

func isSmartQuote(r rune) bool {
	return r == '\u201C' || r == '\u201D' || r == '\u2018' || r == '\u2019'
}

// classify turns the bare word src[start:end] into a value. Its error
// messages leave the word out: the parser cannot tell whether the word is a
// secret, and a position is enough to find it. Only a word that
// is wholly an integer, float, boolean or date-time gets that type;
// everything else is a string.
func (p *parser) classify(start, end int) Value {
	word := string(p.src[start:end])
	span := Span{Start: p.pos(start), Stop: p.pos(end)}
	switch word {
	case "true":
		return &Bool{Span: span, Value: true, Raw: word}
	case "false":
		return &Bool{Span: span, Value: false, Raw: word}
	}
	switch numberShape(word) {
	case shapeInt:
		n, err := strconv.ParseInt(word, 10, 64)
		if err != nil {
			p.fail(start, nil, "integer out of range: it must lie between %d and %d, or be quoted to make it a string", int64(math.MinInt64), int64(math.MaxInt64))
		}
		return &Int{Span: span, Value: n, Raw: word}
	case shapeFloat:
		f, err := strconv.ParseFloat(word, 64)
		if err != nil {
			p.fail(start, nil, "float out of range")
		}
		return &Float{Span: span, Value: f, Raw: word}
	}
	if looksLikeDateTime(word) {
		t, err := time.Parse(time.RFC3339Nano, word)
		if err != nil {
			p.fail(start, nil, "invalid date-time: write it as in 2026-12-03T17:00:00Z or 2026-12-03T18:00:00+01:00, or quote it")
		}
		return &DateTime{Span: span, Value: t, Raw: word}
	}
	return &String{Span: span, Value: word, Style: Bare}
}

type shape int

const (
	shapeOther shape = iota
	shapeInt
	shapeFloat
)

// numberShape tells whether word is written as an integer (-?digits) or a
// float (-?digits.digits). A leading zero before further digits ("007",
// "0755") keeps a word a string, so that a file mode or a zero-padded code
// is not silently turned into a different number.
func numberShape(word string) shape {
	s := strings.TrimPrefix(word, "-")
	intPart := s
	frac := ""
	isFloat := false
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac, isFloat = s[:i], s[i+1:], true
		if frac == "" || !allDigits(frac) {
			return shapeOther
		}
	}
	if intPart == "" || !allDigits(intPart) {
		return shapeOther
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return shapeOther
	}
	if isFloat {
		return shapeFloat
	}
	return shapeInt
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// looksLikeDateTime reports whether word starts like a date-time: a date,
// then "T" or "t". Such a word must then be a valid date-time, so that a
// typo is reported instead of becoming a string. A date alone is a string.
func looksLikeDateTime(word string) bool {
	if len(word) < 11 {
		return false
	}
	for i := 0; i < 10; i++ {
		c := word[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return word[10] == 'T' || word[10] == 't'
}

// parseMap parses a map; the current byte is "{".
func (p *parser) parseMap() *Map {
	open := p.off
	p.enter(open)
	p.off++
	m := &Map{Span: Span{Start: p.pos(open)}}
	p.parseEntries(m, container{kind: "map", open: p.pos(open), close: '}'})
	m.Stop = p.pos(p.off)
	p.depth--
	return m
}

// parseArray parses an array; the current byte is "[".
func (p *parser) parseArray() *Array {
	open := p.off
	p.enter(open)
	p.off++
	a := &Array{Span: Span{Start: p.pos(open)}}
	c := container{kind: "array", open: p.pos(open), close: ']'}
	for {
		p.skipSpace()
		if p.eof() {
			p.fail(open, nil, "unclosed array: \"[\" opened here has no matching \"]\"")
		}
		if p.src[p.off] == ']' {
			p.off++
			break
		}
		a.Elems = append(a.Elems, p.parseValue(c))
		p.endOfElement(c)
	}
	a.Stop = p.pos(p.off)
	p.depth--
	return a
}

// enter counts one more level of nesting for the bracket at off.
func (p *parser) enter(off int) {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(off, nil, "maps and arrays nested too deeply: the limit is %d levels", MaxDepth)
	}
}

// parseQuoted parses a double- or single-quoted string.
func (p *parser) parseQuoted() *String {
	start := p.off
	quote := p.src[start]
	// Most strings have no escapes: their value is a plain slice of the
	// source, and the builder is used only once an escape turns up.
	var b strings.Builder
	escaped := false
	seg := start + 1
	i := start + 1
	for {
		if i >= len(p.src) || p.src[i] == '\n' {
			p.fail(start, nil, "unterminated string: the %q opened here is not closed on the same line", string(quote))
		}
		c := p.src[i]
		if c == quote {
			break
		}
		if c < ' ' && c != '\t' || c == 0x7f {
			if c == '\r' && i+1 < len(p.src) && p.src[i+1] == '\n' {
				p.fail(start, nil, "unterminated string: the %q opened here is not closed on the same line", string(quote))
			}
			p.fail(i, nil, "control character %s in string: write it as an escape in a double-quoted string", p.describe(i))
		}
		if c == '\\' && quote == '"' {
			b.Write(p.src[seg:i])
			i = p.escape(i, &b)
			seg = i
			escaped = true
			continue
		}
		i++
	}
	var value string
	if escaped {
		b.Write(p.src[seg:i])
		value = b.String()
	} else {
		value = string(p.src[start+1 : i])
	}
	p.off = i + 1
	style := Double
	if quote == '\'' {
		style = Single
	}
	return &String{Span: Span{Start: p.pos(start), Stop: p.pos(p.off)}, Value: value, Style: style}
}

// escape decodes the escape sequence whose backslash is at i, writes its
// meaning to b and returns the offset after it.
func (p *parser) escape(i int, b *strings.Builder) int {
	if i+1 >= len(p.src) || p.src[i+1] == '\n' || p.src[i+1] == '\r' {
		p.fail(i, nil, "unterminated escape at end of line")
	}
	switch c := p.src[i+1]; c {
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case '"':
		b.WriteByte('"')
	case '\\':
		b.WriteByte('\\')
	case 'u':
		end := i + 6
		if end > len(p.src) {
			end = len(p.src)
		}
		hex := string(p.src[i+2 : end])
		n, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || len(hex) != 4 || strings.ContainsAny(hex, "+-_xX") {
			p.fail(i, nil, "invalid escape %q: \\u must be followed by four hex digits", string(p.src[i:end]))
		}
		r := rune(n)
		if !utf8.ValidRune(r) {
			p.fail(i, nil, "invalid escape %q: not a Unicode character", string(p.src[i:end]))
		}
		b.WriteRune(r)
		return end
	default:
		r, _ := utf8.DecodeRune(p.src[i+1:])
		// The escape is shown as written, "\q", not Go-quoted as "\\q".
		seq := `"\` + string(r) + `"`
		if !unicode.IsPrint(r) {
			seq = strconv.QuoteToASCII(`\` + string(r))
		}
		p.fail(i, nil, "unknown escape %s in string: only \\t \\n \\r \\\" \\\\ and \\uXXXX are allowed", seq)
	}
	return i + 2
}

// parseBlock parses a block string; the current byte is "(".
func (p *parser) parseBlock() *String {
	open := p.off
	i := open + 1
	for {
		nl := bytes.IndexByte(p.src[i:], '\n')
		if nl < 0 {
			p.fail(open, nil, "unclosed block string: \"(\" opened here has no \")\" alone at the start of a line")
		}
		line := i + nl + 1
		if line < len(p.src) && p.src[line] == ')' && p.closesBlock(line+1) {
			p.off = line + 1
			return &String{
				Span:  Span{Start: p.pos(open), Stop: p.pos(line + 1)},
				Value: blockText(p.src[open+1 : line]),
				Style: Block,
			}
		}
		i = line
	}
}

// closesBlock reports whether the rest of a line whose first byte is ")"
// (from offset i on) lets that ")" close a block string: it may hold only
// blanks, then an optional "," or ";", then an optional comment.
func (p *parser) closesBlock(i int) bool {
	sepSeen := false
	for ; i < len(p.src); i++ {
		switch p.src[i] {
		case ' ', '\t', '\r':
		case '\n', '#':
			return true
		case ',', ';':
			if sepSeen {
				return false
			}
			sepSeen = true
		default:
			return false
		}
	}
	return true
}

// blockText turns the raw bytes between "(" and the closing ")" into the
// string value: CRLF line ends become LF, and a line break right after "("
// is dropped, so that text starting on the next line carries no leading
// empty line. The line break before ")" is kept.
func blockText(raw []byte) string {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		raw = raw[2:]
	} else if len(raw) > 0 && raw[0] == '\n' {
		raw = raw[1:]
	}
	if bytes.Contains(raw, []byte("\r\n")) {
		return string(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
	}
	return string(raw)
}
