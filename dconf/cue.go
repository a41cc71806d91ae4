package dconf

import (
	"math"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// ToCUE converts f into a CUE syntax tree that CUE can evaluate against a
// schema. The tree is built node by node, never by printing and re-parsing CUE
// text, so no Dconf input can be misread as CUE syntax.
//
// Every label and every value carries a position in f's own source (through a
// token.File made from f.Src), so errors CUE reports for the data name
// cluster.conf lines and columns.
//
// The mapping is:
//   - every key becomes a quoted string label, so keys such as 1234, $x,
//     kv-store or #x are plain regular fields, never identifiers, references
//     or definitions;
//   - strings (of any style) become CUE strings;
//   - integers become CUE integers, written in decimal whatever base the
//     source used;
//   - floats become CUE floats; a float that CUE cannot write (NaN or an
//     infinity) becomes its source text as a string, so that the schema
//     rejects it with a type error instead of the conversion failing;
//   - date-times become strings holding the text as written in the source:
//     CUE has no date-time type, and keeping the operator's spelling gives
//     messages that quote what they wrote;
//   - maps become structs, arrays become lists.
//
// A nil f, or one without a root map, gives an empty file.
func ToCUE(f *File) *ast.File {
	if f == nil {
		return &ast.File{}
	}
	return NewCUEConverter(f).File(f.Root)
}

// CUEConverter converts the values of one file into CUE syntax the way ToCUE
// does, for callers that hand CUE a file in parts: the whole file with some
// arrays left empty, and those arrays' elements a few at a time. Building a
// list of n elements costs CUE time in the order of n², so a caller that
// checks very long arrays this way keeps the cost in proportion to the file.
//
// A CUEConverter is made once per file, because preparing the line table of
// the source takes time in proportion to its size.
type CUEConverter struct {
	name string
	tf   *token.File

	// Elide, when not nil, is asked about every array the converter meets;
	// an array for which it returns true becomes an empty list at the
	// array's brackets, and its elements are not converted.
	Elide func(*Array) bool
}

// NewCUEConverter returns a converter for values of f, whose positions it
// takes from f.Src.
func NewCUEConverter(f *File) *CUEConverter {
	c := &CUEConverter{name: f.Name, tf: token.NewFile(f.Name, -1, len(f.Src))}
	c.tf.SetLinesForContent(f.Src)
	return c
}

// File converts root, the root map of the converter's file, into a CUE file.
// A nil root gives an empty file.
func (c *CUEConverter) File(root *Map) *ast.File {
	out := &ast.File{Filename: c.name}
	if root != nil {
		out.Decls = c.fields(root)
	}
	return out
}

// Expr converts one value of the converter's file into a CUE expression.
func (c *CUEConverter) Expr(v Value) ast.Expr {
	return c.value(v)
}

func (c *CUEConverter) pos(p Pos) token.Pos {
	if !p.IsValid() || p.Offset < 0 || p.Offset > c.tf.Size() {
		return token.NoPos
	}
	return c.tf.Pos(p.Offset, token.NoRelPos)
}

// before returns the position of the byte before end: the closing bracket
// of a map or array, which CUE records where Dconf records the byte after it.
func (c *CUEConverter) before(end Pos) token.Pos {
	if !end.IsValid() || end.Offset < 1 {
		return token.NoPos
	}
	end.Offset--
	return c.pos(end)
}

func (c *CUEConverter) fields(m *Map) []ast.Decl {
	decls := make([]ast.Decl, 0, len(m.Entries))
	for _, e := range m.Entries {
		if e == nil || e.Key == nil || e.Value == nil {
			continue
		}
		label := ast.NewString(e.Key.Name)
		label.ValuePos = c.pos(e.Key.Pos())
		decls = append(decls, &ast.Field{
			Label:    label,
			TokenPos: c.pos(e.Key.End()),
			Value:    c.value(e.Value),
		})
	}
	return decls
}

func (c *CUEConverter) value(v Value) ast.Expr {
	switch n := v.(type) {
	case *String:
		return c.str(n.Value, n.Pos())
	case *Int:
		return &ast.BasicLit{Kind: token.INT, Value: strconv.FormatInt(n.Value, 10), ValuePos: c.pos(n.Pos())}
	case *Float:
		if math.IsNaN(n.Value) || math.IsInf(n.Value, 0) {
			return c.str(n.Raw, n.Pos())
		}
		s := strconv.FormatFloat(n.Value, 'g', -1, 64)
		// CUE reads a literal without '.' or an exponent as an integer;
		// the value must stay a float.
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return &ast.BasicLit{Kind: token.FLOAT, Value: s, ValuePos: c.pos(n.Pos())}
	case *Bool:
		b := ast.NewBool(n.Value)
		b.ValuePos = c.pos(n.Pos())
		return b
	case *DateTime:
		return c.str(n.Raw, n.Pos())
	case *Map:
		return &ast.StructLit{Lbrace: c.pos(n.Pos()), Elts: c.fields(n), Rbrace: c.before(n.End())}
	case *Array:
		if c.Elide != nil && c.Elide(n) {
			return &ast.ListLit{Lbrack: c.pos(n.Pos()), Rbrack: c.before(n.End())}
		}
		elts := make([]ast.Expr, 0, len(n.Elems))
		for _, el := range n.Elems {
			if el == nil {
				continue
			}
			elts = append(elts, c.value(el))
		}
		return &ast.ListLit{Lbrack: c.pos(n.Pos()), Elts: elts, Rbrack: c.before(n.End())}
	}
	// Unreachable for trees the parser builds; an empty struct keeps the
	// conversion total for hand-made trees.
	return &ast.StructLit{}
}

func (c *CUEConverter) str(s string, p Pos) *ast.BasicLit {
	lit := ast.NewString(s)
	lit.ValuePos = c.pos(p)
	return lit
}
