package dconf

import (
	"errors"
	"testing"
)

func TestParseCases(t *testing.T) {
	for _, c := range parseCases {
		f, err := Parse("test.conf", []byte(c.src))
		if err != nil {
			t.Errorf("%s: %q: unexpected error: %v", c.what, c.src, err)
			continue
		}
		if got := dump(f.Root); got != c.want {
			t.Errorf("%s: %q:\ngot  %s\nwant %s", c.what, c.src, got, c.want)
		}
		checkTree(t, f)
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range errorCases {
		f, err := Parse("test.conf", []byte(c.src))
		if err == nil {
			t.Errorf("%s: %q: no error, tree %s", c.what, c.src, dump(f.Root))
			continue
		}
		if f != nil {
			t.Errorf("%s: a tree came back with the error", c.what)
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s: error %T, want a non-empty ErrorList", c.what, err)
			continue
		}
		e := list[0]
		if e.Pos.Line != c.line || e.Pos.Column != c.col || e.Msg != c.message {
			t.Errorf("%s: %q:\ngot  %d:%d: %s\nwant %d:%d: %s", c.what, c.src, e.Pos.Line, e.Pos.Column, e.Msg, c.line, c.col, c.message)
		}
		if e.Pos.Filename != "test.conf" {
			t.Errorf("%s: file name %q in the position", c.what, e.Pos.Filename)
		}
	}
}
