package schema

import (
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
)

// attrIndex finds the @rule and @msg attributes that govern a constraint,
// given a position in a schema file that CUE names in an error.
type attrIndex struct {
	files map[string][]fieldSpan
}

// fieldSpan is a schema field that carries @rule or @msg, with the byte range
// of its whole declaration.
type fieldSpan struct {
	start, end int
	rule, msg  string
}

// add records the attributed fields of f, the parsed schema file name.
func (x *attrIndex) add(name string, f *ast.File) error {
	if x.files == nil {
		x.files = map[string][]fieldSpan{}
	}
	x.files[name] = nil
	var perr error
	ast.Walk(f, func(n ast.Node) bool {
		fd, ok := n.(*ast.Field)
		if !ok || len(fd.Attrs) == 0 {
			return true
		}
		span := fieldSpan{start: fd.Pos().Offset(), end: fd.End().Offset()}
		for _, a := range fd.Attrs {
			key, body := a.Split()
			switch key {
			case "rule":
				span.rule = strings.TrimSpace(body)
			case "msg":
				m, err := strconv.Unquote(strings.TrimSpace(body))
				if err != nil {
					perr = fmt.Errorf("%s: @msg needs one quoted string: %w", a.Pos(), err)
				}
				span.msg = m
			}
		}
		if span.rule != "" || span.msg != "" {
			x.files[name] = append(x.files[name], span)
		}
		return true
	}, nil)
	return perr
}

// lookup returns the rule and message template of the innermost field around
// p that sets them; each is looked up separately, so a @msg on an inner field
// and a @rule on an outer one combine.
func (x *attrIndex) lookup(p token.Pos) (rule, msg string) {
	spans := x.files[p.Filename()]
	off := p.Offset()
	ruleLen, msgLen := -1, -1
	for _, s := range spans {
		if off < s.start || off >= s.end {
			continue
		}
		l := s.end - s.start
		if s.rule != "" && (ruleLen < 0 || l < ruleLen) {
			rule, ruleLen = s.rule, l
		}
		if s.msg != "" && (msgLen < 0 || l < msgLen) {
			msg, msgLen = s.msg, l
		}
	}
	return rule, msg
}

// isSchemaFile reports whether name is one of the embedded schema files.
func (x *attrIndex) isSchemaFile(name string) bool {
	_, ok := x.files[name]
	return ok
}
