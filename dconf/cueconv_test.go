package dconf

import (
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
)

func TestCUEConverterElide(t *testing.T) {
	src := "a: [1, 2, [3, 4]]\nb: { c: [5] }\n"
	f := mustParse(t, src)
	inner := Lookup(f.Root, Path{{Key: "a"}, {Index: 2, IsIndex: true}}).(*Array)
	c := Lookup(f.Root, Path{{Key: "b"}, {Key: "c"}}).(*Array)

	conv := NewCUEConverter(f)
	conv.Elide = func(a *Array) bool { return a == inner || a == c }
	ctx := cuecontext.New()
	cf := conv.File(f.Root)
	v := ctx.BuildFile(cf)
	got, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":[1,2,[]],"b":{"c":[]}}`; string(got) != want {
		t.Errorf("JSON with elided arrays:\n got %s\nwant %s", got, want)
	}

	// An elided list keeps the positions of its brackets.
	bc := cf.Decls[1].(*ast.Field).Value.(*ast.StructLit).Elts[0].(*ast.Field).Value.(*ast.ListLit)
	if p, e := bc.Lbrack.Position(), bc.Rbrack.Position(); p.Line != 2 || p.Column != 9 || e.Column != 11 || len(bc.Elts) != 0 {
		t.Errorf("elided b.c has brackets at %d:%d and column %d and %d elements, want 2:9 and 11, none", p.Line, p.Column, e.Column, len(bc.Elts))
	}

	// An element converted on its own keeps its position in the file.
	e := ctx.BuildExpr(conv.Expr(inner.Elems[1]))
	if n, err := e.Int64(); err != nil || n != 4 {
		t.Errorf("element = %v (%v), want 4", n, err)
	}
	if p := e.Pos(); p.Filename() != "cluster.conf" || p.Line() != 1 || p.Column() != 15 {
		t.Errorf("element at %s:%d:%d, want cluster.conf:1:15", p.Filename(), p.Line(), p.Column())
	}

	// Without Elide the converter writes what ToCUE writes.
	whole, err := ctx.BuildFile(NewCUEConverter(f).File(f.Root)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	viaToCUE, err := ctx.BuildFile(ToCUE(f)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(whole) != string(viaToCUE) || string(whole) != `{"a":[1,2,[3,4]],"b":{"c":[5]}}` {
		t.Errorf("converter without Elide gives %s, ToCUE %s", whole, viaToCUE)
	}
}
