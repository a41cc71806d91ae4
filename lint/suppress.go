package lint

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/confc/confc/dconf"
)

// suppressionPrefix starts a suppression comment, after "#" and blanks.
const suppressionPrefix = "confc:ignore"

// ruleSuppression reports suppression comments that are wrong or idle.
var ruleSuppression = register(&Rule{
	ID:       "suppression",
	Severity: Warning,
	Origin:   OriginLint,
	Summary:  "a confc:ignore comment has no reason, names an unknown rule, or silences nothing",
	Doc: `A finding can be silenced with a comment naming its rule and saying why:

  # confc:ignore vault-count one vault server is enough for this lab
  vault: 1

  hosts: [ "10.0.0.1" ]  # confc:ignore duplicate-host shared lab host

A comment alone on its line applies to the next line that is not blank and
not only a comment; a comment after a value applies to its own line. A
finding is silenced when it starts on that line. Several rules may be named,
separated by commas without spaces: # confc:ignore a,b reason.

This rule reports a suppression without a reason (the next reader needs to
know why), one naming an unknown rule, and one that silences nothing, so
stale suppressions do not pile up. Syntax errors and findings of this rule
cannot be silenced.`,
})

// suppression is one parsed "# confc:ignore" comment.
type suppression struct {
	comment *dconf.Comment
	rules   []string
	reason  string
	line    int // the line whose findings it silences
	used    bool
}

// parseSuppressions finds the suppression comments of f.
func parseSuppressions(f *dconf.File) []*suppression {
	var out []*suppression
	for _, c := range f.Comments {
		text := strings.TrimSpace(strings.TrimPrefix(c.Text, "#"))
		rest, ok := strings.CutPrefix(text, suppressionPrefix)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		rest = strings.TrimSpace(rest)
		ids, reason, _ := strings.Cut(rest, " ")
		s := &suppression{comment: c, reason: strings.TrimSpace(reason), line: targetLine(f.Src, c)}
		for _, id := range strings.Split(ids, ",") {
			if id = strings.TrimSpace(id); id != "" {
				s.rules = append(s.rules, id)
			}
		}
		out = append(out, s)
	}
	return out
}

// targetLine returns the line a suppression comment applies to: its own
// line when code precedes it, otherwise the next line holding code.
func targetLine(src []byte, c *dconf.Comment) int {
	start := c.Pos().Offset
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	if len(bytes.TrimSpace(src[lineStart:start])) > 0 {
		return c.Pos().Line
	}
	line := c.Pos().Line
	rest := src[start:]
	for {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return line // a comment on the last line silences nothing
		}
		rest = rest[nl+1:]
		line++
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
		}
		l := bytes.TrimSpace(rest[:end])
		if len(l) > 0 && l[0] != '#' {
			return line
		}
	}
}

// applySuppressions drops the findings that suppression comments silence
// and adds findings about the comments themselves.
func applySuppressions(f *dconf.File, ds []Diagnostic, extraRules []string) []Diagnostic {
	sups := parseSuppressions(f)
	if len(sups) == 0 {
		return ds
	}
	kept := ds[:0:0]
	for _, d := range ds {
		silenced := false
		if d.Rule != "syntax" && d.Rule != ruleSuppression.ID {
			for _, s := range sups {
				if s.line == d.Start.Line && slices.Contains(s.rules, d.Rule) {
					s.used = true
					silenced = true
				}
			}
		}
		if !silenced {
			kept = append(kept, d)
		}
	}

	report := func(s *suppression, msg, hint string) {
		kept = append(kept, Diagnostic{
			Severity: ruleSuppression.Severity,
			Rule:     ruleSuppression.ID,
			Message:  msg,
			File:     f.Name,
			Start:    s.comment.Pos(),
			End:      s.comment.End(),
			Hint:     hint,
		})
	}
	for _, s := range sups {
		if len(s.rules) == 0 {
			report(s, "suppression names no rule", "write # confc:ignore RULE-ID reason")
			continue
		}
		known := true
		for _, id := range s.rules {
			if RuleByID(id) == nil && !slices.Contains(extraRules, id) {
				known = false
				report(s, fmt.Sprintf("suppression names unknown rule %q", id), "run \"confc explain\" with a rule ID, or see docs/lint.md, for the list of rules")
			}
		}
		if s.reason == "" {
			report(s, "suppression has no reason", "say why the finding is acceptable after the rule ID")
		}
		if known && !s.used {
			report(s, fmt.Sprintf("suppression of %s silences nothing on line %d", quoteList(s.rules), s.line), "remove the comment, or move it to the line before the finding")
		}
	}
	return kept
}
