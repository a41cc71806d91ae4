package dconf

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Format returns the canonical text of f, a file returned by Parse. The
// result parses to the same values, with the same comments in the same
// order, and formatting it again changes nothing.
//
// The layout rules (docs/fmt.md describes them with examples):
//
//   - Two spaces of indentation per level; no tabs outside strings and
//     comments; no blanks at the end of a line.
//   - Every entry is written "key: value": "=" and a missing separator
//     become ": ", also before a map, an array or a block string.
//   - Keys and scalar values keep the exact text they were written with:
//     bare stays bare, single quotes stay single, escapes stay as written,
//     numbers keep their digits. Block strings are copied byte for byte.
//   - A map or array written on one line stays on one line, written
//     "{ a: 1, b: 2 }" or "[ 1, 2 ]"; an empty one is "{}" or "[]".
//   - A map or array that spans lines stays multi-line: the opening
//     bracket ends its line and the closing bracket stands on a line of
//     its own. Each map entry gets its own line. Array elements that shared
//     a line keep sharing it, separated by ", ", as long as each of them
//     fits on one line.
//   - Commas and semicolons that end a line are dropped; between two items
//     on one line there is ", ".
//   - In a multi-line map whose values are all one-line scalars, keys are
//     right-aligned before ": " when the source already leans that way:
//     more of its keys end in a common column than start in one. This is
//     how operators write the components section, and formatting repairs a
//     key that slipped out of line.
//   - Comments keep their text (less any carriage return at its end, which
//     is no part of a CRLF) and their place: a comment on its own line
//     stays on its own line, indented like the item after it; a comment at
//     the end of a line stays at the end of that item's line, after one
//     space. Runs of blank lines between items become one blank line;
//     blank lines just inside brackets and at the start of the file go.
//   - A byte-order mark is dropped. Lines end in "\r\n" when the first line
//     break of the source outside block strings is one, else in "\n". The file ends in one line break,
//     except an empty one, which stays empty.
func Format(f *File) []byte {
	if f == nil || f.Root == nil {
		return nil
	}
	p := &printer{
		f:        f,
		src:      f.Src,
		lines:    f.lineTable(),
		comments: f.Comments,
		nl:       "\n",
	}
	if crlf(f) {
		p.nl = "\r\n"
	}
	p.entries(f.Root, 0, len(f.Src))
	if p.started {
		p.out.WriteString(p.nl)
	}
	return p.out.Bytes()
}

// crlf reports whether the first line break of f outside block strings is
// a CRLF. Line breaks inside block strings are content, copied as they are,
// so they must not decide: the output's own first line break could then be
// of the other kind, and formatting would not be stable.
func crlf(f *File) bool {
	var blocks []Span
	Walk(f.Root, func(_ Path, v Value) bool {
		if s, ok := v.(*String); ok && s.Style == Block {
			blocks = append(blocks, s.Span)
		}
		return true
	})
	off := 0
	for _, b := range blocks {
		if i := bytes.IndexByte(f.Src[off:b.Start.Offset], '\n'); i >= 0 {
			off += i
			return off > 0 && f.Src[off-1] == '\r'
		}
		off = b.Stop.Offset
	}
	i := bytes.IndexByte(f.Src[off:], '\n')
	return i >= 0 && off+i > 0 && f.Src[off+i-1] == '\r'
}

// FormatSource parses src, read from the file filename, and returns its
// canonical text. The error is Parse's: an ErrorList.
func FormatSource(filename string, src []byte) ([]byte, error) {
	f, err := Parse(filename, src)
	if err != nil {
		return nil, err
	}
	return Format(f), nil
}

// printer writes the canonical form of one file. It walks the tree and
// slots each comment in front of the first node that starts after it,
// using source lines to tell a comment ending an item's line from one on a
// line of its own.
type printer struct {
	f        *File
	src      []byte
	lines    []int // offsets of line starts in src
	comments []*Comment
	next     int // index in comments of the first comment not yet written
	nl       string
	out      bytes.Buffer

	started  bool // something has been written
	lastLine int  // source line of the last thing written
}

// newline starts a new output line indented by indent spaces.
func (p *printer) newline(indent int) {
	if p.started {
		p.out.WriteString(p.nl)
	}
	p.started = true
	for range indent {
		p.out.WriteByte(' ')
	}
}

// blankLine writes an empty line, without indentation.
func (p *printer) blankLine() {
	if p.started {
		p.out.WriteString(p.nl)
	}
}

// item prepares the output for an item of a multi-line container (an
// entry, an element row or an own-line comment) that starts on source line
// line: a blank line when the source had one since the last item, then a
// new indented line. first is true for the first item inside brackets or
// in the file, where blank lines are dropped.
func (p *printer) item(line, indent int, first bool) {
	if !first && line > p.lastLine+1 {
		p.blankLine()
	}
	p.newline(indent)
}

// flushComments writes every comment that starts before offset end. A
// comment on the source line of the last thing written goes at the end of
// that output line; any other gets a line of its own. It reports whether
// it wrote any, and clears *first once it has written one on its own line.
func (p *printer) flushComments(end, indent int, first *bool) bool {
	wrote := false
	for p.next < len(p.comments) && p.comments[p.next].Start.Offset < end {
		c := p.comments[p.next]
		p.next++
		if p.started && c.Start.Line == p.lastLine {
			// A comment ending the line of an opening bracket leaves
			// the next item first inside the brackets.
			p.out.WriteByte(' ')
		} else {
			p.item(c.Start.Line, indent, *first)
			*first = false
		}
		// A carriage return can end a comment's text only when it is not
		// part of a CRLF; written before a line break it would become one.
		p.out.WriteString(strings.TrimRight(c.Text, "\r"))
		p.lastLine = c.Start.Line
		wrote = true
	}
	return wrote
}

// raw writes the source text of n unchanged.
func (p *printer) raw(n Node) {
	p.out.Write(p.src[n.Pos().Offset:n.End().Offset])
	p.started = true
}

// entries writes the entries of m one per line at indent, with the
// comments that start before end (the closing bracket, or the end of the
// file for the root).
func (p *printer) entries(m *Map, indent, end int) {
	width := p.alignWidth(m)
	first := true
	for _, e := range m.Entries {
		p.flushComments(e.Key.Start.Offset, indent, &first)
		pad := 0
		if width > 0 {
			pad = width - utf8.RuneCountInString(p.text(e.Key))
		}
		p.item(e.Key.Start.Line, indent+pad, first)
		first = false
		p.raw(e.Key)
		p.out.WriteString(": ")
		p.value(e.Value, indent)
	}
	p.flushComments(end, indent, &first)
}

// elements writes the elements of a multi-line array at indent, in rows.
func (p *printer) elements(a *Array, indent int) {
	first := true
	prevOneLine := false
	for i, el := range a.Elems {
		wrote := p.flushComments(el.Pos().Offset, indent, &first)
		oneLine := p.oneLine(el)
		if i > 0 && !wrote && prevOneLine && oneLine && el.Pos().Line == p.lastLine {
			p.out.WriteString(", ")
		} else {
			p.item(el.Pos().Line, indent, first)
		}
		first = false
		p.value(el, indent)
		prevOneLine = oneLine
	}
	p.flushComments(a.Stop.Offset-1, indent, &first)
}

// value writes v, whose first line is indented by indent.
func (p *printer) value(v Value, indent int) {
	switch n := v.(type) {
	case *Map:
		switch {
		case p.oneLine(n):
			p.inline(n)
		default:
			p.out.WriteByte('{')
			p.lastLine = n.Start.Line
			p.entries(n, indent+2, n.Stop.Offset-1)
			p.newline(indent)
			p.out.WriteByte('}')
		}
	case *Array:
		switch {
		case p.oneLine(n):
			p.inline(n)
		default:
			p.out.WriteByte('[')
			p.lastLine = n.Start.Line
			p.elements(n, indent+2)
			p.newline(indent)
			p.out.WriteByte(']')
		}
	default:
		p.raw(v)
	}
	p.lastLine = v.End().Line
}

// inline writes v on the current line. v holds no comment and no block
// string, as oneLine has checked.
func (p *printer) inline(v Value) {
	switch n := v.(type) {
	case *Map:
		p.inlineList('{', '}', len(n.Entries), func(i int) {
			p.raw(n.Entries[i].Key)
			p.out.WriteString(": ")
			p.inline(n.Entries[i].Value)
		})
	case *Array:
		p.inlineList('[', ']', len(n.Elems), func(i int) {
			p.inline(n.Elems[i])
		})
	default:
		p.raw(v)
	}
}

// inlineList writes n items between the brackets left and right, spaced
// and comma-separated, or the bare brackets when there are none.
func (p *printer) inlineList(left, right byte, n int, item func(i int)) {
	p.out.WriteByte(left)
	if n == 0 {
		p.out.WriteByte(right)
		return
	}
	p.out.WriteByte(' ')
	for i := range n {
		if i > 0 {
			p.out.WriteString(", ")
		}
		item(i)
	}
	p.out.WriteByte(' ')
	p.out.WriteByte(right)
}

// oneLine reports whether v is written on a single line: a scalar other
// than a block string, a map or array that the source wrote on one line,
// or an empty map or array with no comment inside.
func (p *printer) oneLine(v Value) bool {
	switch n := v.(type) {
	case *String:
		return n.Style != Block
	case *Map:
		return n.Start.Line == n.Stop.Line || len(n.Entries) == 0 && !p.commentBefore(n.Stop.Offset)
	case *Array:
		return n.Start.Line == n.Stop.Line || len(n.Elems) == 0 && !p.commentBefore(n.Stop.Offset)
	}
	return true
}

// commentBefore reports whether a comment not yet written starts before
// offset end.
func (p *printer) commentBefore(end int) bool {
	return p.next < len(p.comments) && p.comments[p.next].Start.Offset < end
}

// text returns the source text of n.
func (p *printer) text(n Node) string {
	return string(p.src[n.Pos().Offset:n.End().Offset])
}

// alignWidth returns the width to right-align the keys of m to, or 0 when
// m keeps its keys flush left. Keys are aligned only in a multi-line map
// whose values all fit on one line, and only when the source shows that
// intent: among the keys that begin their line, more end in one shared
// column than begin in one. A map written flush left has all its keys
// starting together, so it never qualifies; formatted output keeps its
// choice, which makes the rule stable.
func (p *printer) alignWidth(m *Map) int {
	if m.Start.Line == m.Stop.Line || len(m.Entries) < 2 {
		return 0
	}
	starts := map[int]int{}
	ends := map[int]int{}
	width := 0
	for _, e := range m.Entries {
		switch v := e.Value.(type) {
		case *Map, *Array:
			return 0
		case *String:
			if v.Style == Block {
				return 0
			}
		}
		width = max(width, utf8.RuneCountInString(p.text(e.Key)))
		start, ok := p.leadingColumn(e.Key.Start.Offset)
		if !ok {
			continue
		}
		starts[start]++
		ends[start+utf8.RuneCountInString(p.text(e.Key))]++
	}
	if most(ends) <= most(starts) {
		return 0
	}
	return width
}

// leadingColumn returns the column of offset off counted in characters,
// and whether only blanks precede it on its line.
func (p *printer) leadingColumn(off int) (int, bool) {
	line := p.f.posAt(off).Line
	start := p.lines[line-1]
	before := p.src[start:off]
	if line == 1 {
		before = bytes.TrimPrefix(before, []byte("\uFEFF"))
	}
	if strings.Trim(string(before), " \t") != "" {
		return 0, false
	}
	return utf8.RuneCount(before), true
}

// most returns the largest count in counts.
func most(counts map[int]int) int {
	n := 0
	for _, c := range counts {
		n = max(n, c)
	}
	return n
}
