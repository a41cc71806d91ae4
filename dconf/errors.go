package dconf

import "strings"

// Error is a syntax error in a Dconf file. Pos is where the problem shows;
// Related holds other places that explain it, such as the bracket that was
// never closed or the first definition of a repeated key.
type Error struct {
	Pos     Pos
	Msg     string // lower-case, no final period
	Related []Pos
}

// Error formats e as file:line:col: message.
func (e *Error) Error() string {
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is the list of errors Parse found, in source order. Parse stops
// at the first syntax error, so the list is short; it holds more than one
// entry only for errors that cannot cascade, such as repeated keys.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns l as an error, or nil when l is empty. It saves callers from
// the trap of a nil ErrorList stored in a non-nil error interface.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
