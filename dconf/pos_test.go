package dconf

import (
	"fmt"
	"strings"
	"testing"
)

// spans lists every key, value and comment of f with its exact start and
// end as line:col/offset.
func spans(f *File) []string {
	var out []string
	at := func(p Pos) string { return fmt.Sprintf("%d:%d/%d", p.Line, p.Column, p.Offset) }
	add := func(what string, n Node) { out = append(out, what+" "+at(n.Pos())+"-"+at(n.End())) }
	var visit func(v Value)
	visit = func(v Value) {
		add(v.Kind().String(), v)
		switch n := v.(type) {
		case *Map:
			for _, e := range n.Entries {
				add("key "+e.Key.Name, e.Key)
				visit(e.Value)
			}
		case *Array:
			for _, el := range n.Elems {
				visit(el)
			}
		}
	}
	visit(f.Root)
	for _, c := range f.Comments {
		add("comment", c)
	}
	return out
}

func TestPositions(t *testing.T) {
	cases := []struct {
		what string
		src  string
		want []string
	}{
		{"bare key and word", "ab: cd\n", []string{
			"map 1:1/0-2:1/7", "key ab 1:1/0-1:3/2", "string 1:5/4-1:7/6",
		}},
		{"every scalar type", "i 12\nf: -1.5\nb=true\nd 2026-12-03T17:00:00Z\n", []string{
			"map 1:1/0-5:1/43",
			"key i 1:1/0-1:2/1", "integer 1:3/2-1:5/4",
			"key f 2:1/5-2:2/6", "float 2:4/8-2:8/12",
			"key b 3:1/13-3:2/14", "boolean 3:3/15-3:7/19",
			"key d 4:1/20-4:2/21", "date-time 4:3/22-4:23/42",
		}},
		{"quoted key and strings include their quotes", `"k": "v\n"` + "\n'q': 'w'", []string{
			"map 1:1/0-2:9/19",
			"key k 1:1/0-1:4/3", "string 1:6/5-1:11/10",
			"key q 2:1/11-2:4/14", "string 2:6/16-2:9/19",
		}},
		{"nested map and array", "m {\n  a: [1, x]\n}", []string{
			"map 1:1/0-3:2/17",
			"key m 1:1/0-1:2/1", "map 1:3/2-3:2/17",
			"key a 2:3/6-2:4/7", "array 2:6/9-2:12/15", "integer 2:7/10-2:8/11", "string 2:10/13-2:11/14",
		}},
		{"block string ends after its closer", "b: (\nx\n)\nc: 1", []string{
			"map 1:1/0-4:5/13",
			"key b 1:1/0-1:2/1", "string 1:4/3-3:2/8",
			"key c 4:1/9-4:2/10", "integer 4:4/12-4:5/13",
		}},
		{"comments exclude the line break", "# top\r\na: 1 # end\n", []string{
			"map 1:1/0-3:1/18",
			"key a 2:1/7-2:2/8", "integer 2:4/10-2:5/11",
			"comment 1:1/0-1:6/5", "comment 2:6/12-2:11/17",
		}},
		{"byte-order mark counts in offsets and columns", "\uFEFFa: 1", []string{
			"map 1:1/0-1:8/7", "key a 1:4/3-1:5/4", "integer 1:7/6-1:8/7",
		}},
		{"multi-byte characters count as bytes", "é: ü", []string{
			"map 1:1/0-1:7/6", "key é 1:1/0-1:3/2", "string 1:5/4-1:7/6",
		}},
	}
	for _, c := range cases {
		f, err := Parse("p.conf", []byte(c.src))
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		got := spans(f)
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot\n  %s\nwant\n  %s", c.what, strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
		}
	}
}

func TestStyles(t *testing.T) {
	f, err := Parse("s.conf", []byte("a: x\n\"b\": \"y\"\n'c': 'z'\nd: (\nw\n)\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []StringStyle{Bare, Bare, Double, Double, Single, Single, Block}
	var got []StringStyle
	for _, e := range f.Root.Entries {
		got = append(got, e.Key.Style)
		if s, ok := e.Value.(*String); ok {
			got = append(got, s.Style)
		}
	}
	got = got[:len(got)-1] // the block key "d" is bare; drop it to line up
	got[len(got)-1] = f.Root.Entries[3].Value.(*String).Style
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("styles %v, want %v", got, want)
	}
}

func TestLineText(t *testing.T) {
	f, err := Parse("l.conf", []byte("a: 1\r\nb: 2\n\nc: 3"))
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]string{0: "", 1: "a: 1", 2: "b: 2", 3: "", 4: "c: 3", 5: ""} {
		if got := f.LineText(line); got != want {
			t.Errorf("LineText(%d) = %q, want %q", line, got, want)
		}
	}
	// A File built by hand has no line table; LineText must still work.
	g := &File{Src: []byte("x\ny")}
	if got := g.LineText(2); got != "y" {
		t.Errorf("LineText on a hand-made File = %q, want \"y\"", got)
	}
}

func TestPosAt(t *testing.T) {
	f, err := Parse("q.conf", []byte("a 1\ncd 2"))
	if err != nil {
		t.Fatal(err)
	}
	for off, want := range map[int]string{-1: "q.conf:1:1", 0: "q.conf:1:1", 3: "q.conf:1:4", 4: "q.conf:2:1", 8: "q.conf:2:5", 99: "q.conf:2:5"} {
		if got := f.PosAt(off).String(); got != want {
			t.Errorf("PosAt(%d) = %s, want %s", off, got, want)
		}
	}
}

func TestErrorList(t *testing.T) {
	var empty ErrorList
	if empty.Err() != nil {
		t.Error("empty list: Err() is not nil")
	}
	_, err := Parse("d.conf", []byte("a: 1\na: 2\nb: 1\nb: 2\n"))
	list, ok := err.(ErrorList)
	if !ok || len(list) != 2 {
		t.Fatalf("got %v, want two duplicate-key errors", err)
	}
	want := "d.conf:2:1: duplicate key \"a\": first defined at d.conf:1:1\nd.conf:4:1: duplicate key \"b\": first defined at d.conf:3:1"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if len(list[0].Related) != 1 || list[0].Related[0].Line != 1 {
		t.Errorf("related positions %v, want the first definition", list[0].Related)
	}
	if list.Err() == nil {
		t.Error("non-empty list: Err() is nil")
	}
}

func TestDepthLimit(t *testing.T) {
	deep := "a: " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	_, err := Parse("deep.conf", []byte(deep))
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("got %v, want a nesting error", err)
	}
	ok := "a: " + strings.Repeat("{b: ", MaxDepth) + "1" + strings.Repeat("}", MaxDepth)
	if _, err := Parse("ok.conf", []byte(ok)); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
}
