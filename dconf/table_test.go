package dconf

import (
	"errors"
	"strings"
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

// TestErrorsHideValues checks that syntax errors do not repeat the value
// they are about: the parser cannot know whether a value is a secret, so its
// messages must not carry one to a terminal or a log.
func TestErrorsHideValues(t *testing.T) {
	const canary = "73510942886"
	for _, src := range []string{
		"secret: 9" + canary + canary,
		"secret: -9" + canary + canary,
		"secret: 2026-01-01T" + canary,
		"secret: 2026-01-01t00:00:00" + canary,
		`secret: "` + canary + `\q"`,
		`secret: "` + canary + `\u12"`,
		`secret: "` + canary,
		`secret: '` + canary,
		"secret: (" + canary + "\n",
		"secret: " + canary + "\"x\"",
		"secret: " + canary + "(",
		"secret: " + canary + " x",
		"secret: [" + canary + " x]",
		"secret: " + canary + "\u00a0x",
		"secret: \"" + canary + "\x01\"",
	} {
		_, err := Parse("c.conf", []byte(src))
		if err == nil {
			t.Errorf("%q: no error", src)
			continue
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("%q: the error shows the value: %v", src, err)
		}
	}
}

// TestErrorCap checks that many repeated keys do not flood the output and do
// not hide the syntax error that stopped the parse.
func TestErrorCap(t *testing.T) {
	src := strings.Repeat("a: 1\n", 50) + "b: [\n"
	_, err := Parse("cap.conf", []byte(src))
	list, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("got %v", err)
	}
	if len(list) != maxErrors+1 {
		t.Errorf("%d errors, want %d", len(list), maxErrors+1)
	}
	if last := list[len(list)-1]; !strings.HasPrefix(last.Msg, "unclosed array") {
		t.Errorf("last error %q, want the unclosed array", last.Msg)
	}
}
