package dconf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts bytes, as go/token does. Offset is the 0-based byte offset. The zero
// Pos is "no position".
type Pos struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// IsValid reports whether p refers to a place in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as file:line:col, leaving out the parts that are unknown.
func (p Pos) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Node is any element of the syntax tree. Pos is the first byte of the node,
// End the byte just after it.
type Node interface {
	Pos() Pos
	End() Pos
}

// Kind names the type of a Value.
type Kind int

// The kinds of value Dconf has.
const (
	StringKind Kind = iota
	IntKind
	FloatKind
	BoolKind
	DateTimeKind
	MapKind
	ArrayKind
)

var kindNames = [...]string{"string", "integer", "float", "boolean", "date-time", "map", "array"}

// String returns the kind's name as messages use it: "string", "integer",
// "map", ...
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a Dconf value: *String, *Int, *Float, *Bool, *DateTime, *Map or
// *Array.
type Value interface {
	Node
	Kind() Kind
}

// StringStyle tells how a string or key was written.
type StringStyle int

// The ways a string can be written.
const (
	Bare   StringStyle = iota // a bare word: generic, 10.0.0.1, component-database
	Double                    // "double-quoted", with escapes
	Single                    // 'single-quoted', raw
	Block                     // ( block string closed by ")" alone at column 0 )
)

// Span is the source range of a node, shared by the concrete node types.
type Span struct {
	Start Pos // first byte
	Stop  Pos // byte just after the node
}

// Pos returns the first byte of the node.
func (s Span) Pos() Pos { return s.Start }

// End returns the byte just after the node.
func (s Span) End() Pos { return s.Stop }

// String is a string value. Value holds the decoded text (escapes resolved);
// the source text is File.Src[Pos().Offset:End().Offset].
type String struct {
	Span
	Value string
	Style StringStyle
}

// Int is an integer value.
type Int struct {
	Span
	Value int64
	Raw   string
}

// Float is a floating-point value.
type Float struct {
	Span
	Value float64
	Raw   string
}

// Bool is a boolean value.
type Bool struct {
	Span
	Value bool
	Raw   string
}

// DateTime is an ISO-8601 date-time value.
type DateTime struct {
	Span
	Value time.Time
	Raw   string
}

// Key is the key of a map entry. A key is always a string, whatever it looks
// like: 1234 as a key is the string "1234".
type Key struct {
	Span
	Name  string
	Style StringStyle
}

// Entry is one key and its value in a map.
type Entry struct {
	Key   *Key
	Value Value
}

// Pos returns the position of the entry's key.
func (e *Entry) Pos() Pos { return e.Key.Pos() }

// End returns the end of the entry's value.
func (e *Entry) End() Pos { return e.Value.End() }

// Map is a map of entries in source order. Keys are unique within one map: the
// parser reports a repeated key as an error. The root map of a file has no
// braces; its Span covers the whole file.
type Map struct {
	Span
	Entries []*Entry
}

// Array is an array of values in source order.
type Array struct {
	Span
	Elems []Value
}

// Kind returns StringKind.
func (*String) Kind() Kind { return StringKind }

// Kind returns IntKind.
func (*Int) Kind() Kind { return IntKind }

// Kind returns FloatKind.
func (*Float) Kind() Kind { return FloatKind }

// Kind returns BoolKind.
func (*Bool) Kind() Kind { return BoolKind }

// Kind returns DateTimeKind.
func (*DateTime) Kind() Kind { return DateTimeKind }

// Kind returns MapKind.
func (*Map) Kind() Kind { return MapKind }

// Kind returns ArrayKind.
func (*Array) Kind() Kind { return ArrayKind }

// Get returns the entry with the given key, or nil.
func (m *Map) Get(key string) *Entry {
	if m == nil {
		return nil
	}
	for _, e := range m.Entries {
		if e.Key.Name == key {
			return e
		}
	}
	return nil
}

// Comment is a comment, from its "#" to the end of its line (the line break
// not included). Text includes the "#".
type Comment struct {
	Span
	Text string
}

// File is a parsed Dconf file.
type File struct {
	Name     string
	Src      []byte
	Root     *Map
	Comments []*Comment // every comment, in source order

	lines []int // offsets of line starts, set by Parse
}

// PathElem is one step of a Path: a map key, or an array index when Key is
// empty and IsIndex is set.
type PathElem struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path locates a value inside a file, from the root map.
type Path []PathElem

// String writes the path with dots: chef.continuum.router.ssl.tlshosts.0.private_key.
// This is the form prompt targets use.
func (p Path) String() string {
	var b strings.Builder
	for i, e := range p {
		if i > 0 {
			b.WriteByte('.')
		}
		if e.IsIndex {
			b.WriteString(strconv.Itoa(e.Index))
		} else {
			b.WriteString(e.Key)
		}
	}
	return b.String()
}

// Lookup returns the value at path p below v, or nil when there is none. An
// index element that meets a map selects the key written with the same
// digits, so a path parsed from its dotted form (where "0" is read as an
// index) finds a map key "0" too.
func Lookup(v Value, p Path) Value {
	for _, e := range p {
		switch n := v.(type) {
		case *Map:
			key := e.Key
			if e.IsIndex {
				if e.Index < 0 {
					return nil
				}
				key = strconv.Itoa(e.Index)
			}
			ent := n.Get(key)
			if ent == nil {
				return nil
			}
			v = ent.Value
		case *Array:
			if !e.IsIndex || e.Index < 0 || e.Index >= len(n.Elems) {
				return nil
			}
			v = n.Elems[e.Index]
		default:
			return nil
		}
	}
	return v
}

// LookupKey returns the entry whose value is at path p below v, or nil when
// there is none or p ends in an array index.
func LookupKey(v Value, p Path) *Entry {
	if len(p) == 0 || p[len(p)-1].IsIndex {
		return nil
	}
	m, ok := Lookup(v, p[:len(p)-1]).(*Map)
	if !ok {
		return nil
	}
	return m.Get(p[len(p)-1].Key)
}

// Walk calls fn for v and every value below it, depth first in source order,
// with the path of each. When fn returns false, Walk does not descend into
// that value.
func Walk(v Value, fn func(p Path, v Value) bool) {
	walk(nil, v, fn)
}

func walk(p Path, v Value, fn func(Path, Value) bool) {
	if !fn(p, v) {
		return
	}
	switch n := v.(type) {
	case *Map:
		for _, e := range n.Entries {
			walk(append(p[:len(p):len(p)], PathElem{Key: e.Key.Name}), e.Value, fn)
		}
	case *Array:
		for i, el := range n.Elems {
			walk(append(p[:len(p):len(p)], PathElem{Index: i, IsIndex: true}), el, fn)
		}
	}
}
