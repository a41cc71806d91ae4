package lint

import (
	"fmt"
	"strconv"
	"strings"
)

// ruleUnusedTag warns about suitable tags that deploy nothing.
var ruleUnusedTag = register(&Rule{
	ID:       "unused-tag",
	Severity: Warning,
	Origin:   OriginLint,
	Summary:  "a suitable tag names a component whose count is 0 or absent",
	Doc: `A tag in suitable_tags allows a component on a group's hosts, but nothing
is deployed unless components gives it a positive count. A tag without a
count is often a sign of a typo in components.

  machines:   { central: { suitable_tags: [ "router" ] } }
  components: { route: 3 }   # router has no count

Give the component a count, or remove the tag. When an unknown-component
finding already suggests the tag's name (route -> router), this rule stays
quiet: fixing the typo fixes both.`,
	Check: checkUnusedTag,
})

func checkUnusedTag(p *Pass) {
	c := p.Cluster()
	suggested := suggestedByUnknownComponent(p)
	for _, g := range c.groups {
		for _, t := range g.tags {
			if !knownComponent(t.Value) || suggested[t.Value] {
				continue
			}
			comp := c.byName[t.Value]
			var msg string
			switch {
			case comp == nil:
				msg = fmt.Sprintf("machine group %q lists %q in suitable_tags but components gives it no count", g.name, t.Value)
			case comp.count == 0:
				msg = fmt.Sprintf("machine group %q lists %q in suitable_tags but its count is 0", g.name, t.Value)
			default:
				continue
			}
			p.Report(t, msg, fmt.Sprintf("give %q a count in components, or remove the tag", t.Value))
		}
	}
}

// suggestedByUnknownComponent returns the component names that
// unknown-component findings suggest, from their hints and, in case a hint
// is worded differently, from the nearest known name of every unknown key.
func suggestedByUnknownComponent(p *Pass) map[string]bool {
	out := map[string]bool{}
	for _, v := range p.Violations {
		if v.Rule != "unknown-component" {
			continue
		}
		for _, s := range quotedWords(v.Hint) {
			out[s] = true
		}
	}
	for _, comp := range p.Cluster().components {
		if !knownComponent(comp.name) {
			if s := nearestComponent(comp.name); s != "" {
				out[s] = true
			}
		}
	}
	return out
}

// quotedWords returns the Go-quoted strings in s.
func quotedWords(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return out
		}
		q, err := strconv.QuotedPrefix(s[i:])
		if err != nil {
			s = s[i+1:]
			continue
		}
		if u, err := strconv.Unquote(q); err == nil {
			out = append(out, u)
		}
		s = s[i+len(q):]
	}
}
