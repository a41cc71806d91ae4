package dconf

import (
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("cluster.conf", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

func TestToCUEValues(t *testing.T) {
	src := `1234: a
$x: "dollar"
kv-store: 3
"#def": 'hash'
_hidden: true
ratio: 2.0
when: 2026-12-03T10:00:00Z
list: [1, "two", [3], { four: 4 }]
esc: "tab\there \\ \"q\" \u00e9"
nested { a { b: false } }
`
	v := cuecontext.New().BuildFile(ToCUE(mustParse(t, src)))
	if err := v.Err(); err != nil {
		t.Fatalf("build: %v", err)
	}
	got, err := v.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"1234":"a","$x":"dollar","kv-store":3,"#def":"hash","_hidden":true,"ratio":2.0,` +
		`"when":"2026-12-03T10:00:00Z","list":[1,"two",[3],{"four":4}],"esc":"tab\there \\ \"q\" é","nested":{"a":{"b":false}}}`
	if string(got) != want {
		t.Errorf("JSON of the converted file:\n got %s\nwant %s", got, want)
	}

	// Kinds survive: a float written without a fraction stays a float.
	for path, kind := range map[string]cue.Kind{"ratio": cue.FloatKind, `"kv-store"`: cue.IntKind, "when": cue.StringKind} {
		if k := v.LookupPath(cue.ParsePath(path)).Kind(); k != kind {
			t.Errorf("%s has kind %v, want %v", path, k, kind)
		}
	}
}

func TestToCUEKeysAreStrings(t *testing.T) {
	f := ToCUE(mustParse(t, "1234: 1\n$x: 2\nkv-store: 3\n\"#d\": 4\n"))
	for _, d := range f.Decls {
		fd, ok := d.(*ast.Field)
		if !ok {
			t.Fatalf("declaration %T, want *ast.Field", d)
		}
		lit, ok := fd.Label.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			t.Errorf("label %#v is not a quoted string", fd.Label)
		}
	}
}

// TestToCUEPositions checks that every label and value carries the position
// of its key or value in the Dconf source.
func TestToCUEPositions(t *testing.T) {
	src := "machines: {\n  central: { hosts: [ \"10.0.0.1\", '10.0.0.2' ] }\n}\ncount = 3\n"
	df := mustParse(t, src)
	cf := ToCUE(df)

	want := map[string]string{} // source text -> line:col
	Walk(df.Root, func(p Path, v Value) bool {
		if len(p) > 0 {
			if e := LookupKey(df.Root, p); e != nil {
				want["key "+e.Key.Name] = posString(e.Key.Pos())
			}
		}
		want["value "+string(df.Src[v.Pos().Offset:v.End().Offset])] = posString(v.Pos())
		return true
	})

	got := map[string]string{}
	ast.Walk(cf, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Field:
			lit := x.Label.(*ast.BasicLit)
			got["key "+strings.Trim(lit.Value, `"`)] = cuePosString(lit.Pos())
		case *ast.BasicLit, *ast.StructLit, *ast.ListLit:
			if x.Pos().IsValid() {
				text := src[x.Pos().Offset():x.End().Offset()]
				if _, isField := n.(*ast.BasicLit); isField && got["key "+strings.Trim(text, `"`)] == cuePosString(x.Pos()) {
					return true // a label, recorded above
				}
				got["value "+text] = cuePosString(x.Pos())
			}
		}
		return true
	}, nil)

	for k, w := range want {
		if k == "value "+src { // the root map has no braces of its own
			continue
		}
		if got[k] != w {
			t.Errorf("%s: CUE position %q, want %q", k, got[k], w)
		}
	}
}

func posString(p Pos) string { return p.String() }

func cuePosString(p token.Pos) string {
	pos := p.Position()
	return (Pos{Filename: pos.Filename, Line: pos.Line, Column: pos.Column}).String()
}

// TestToCUEErrorPositions checks that CUE errors name cluster.conf positions
// after unification with a schema.
func TestToCUEErrorPositions(t *testing.T) {
	ctx := cuecontext.New()
	schema := ctx.CompileString(`#S: { count: 1 | 3 | 5, name: string, ... }`, cue.Filename("schema.cue"))
	data := ctx.BuildFile(ToCUE(mustParse(t, "name: ok\n\ncount:   2\n")))
	err := schema.LookupPath(cue.ParsePath("#S")).Unify(data).Validate(cue.Concrete(true))
	if err == nil {
		t.Fatal("no error for count 2")
	}
	found := false
	for _, e := range cueerrors.Errors(err) {
		for _, p := range cueerrors.Positions(e) {
			if p.Filename() == "cluster.conf" {
				found = true
				if p.Line() != 3 || p.Column() != 10 {
					t.Errorf("error at cluster.conf:%d:%d, want 3:10", p.Line(), p.Column())
				}
			}
		}
	}
	if !found {
		t.Errorf("no error names cluster.conf: %v", err)
	}
}

func TestToCUENil(t *testing.T) {
	if f := ToCUE(nil); f == nil || len(f.Decls) != 0 {
		t.Errorf("ToCUE(nil) = %#v, want an empty file", f)
	}
	if f := ToCUE(&File{Name: "x"}); len(f.Decls) != 0 {
		t.Errorf("ToCUE without a root has %d declarations", len(f.Decls))
	}
}
