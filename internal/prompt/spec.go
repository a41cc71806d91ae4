package prompt

import (
	"fmt"
	"regexp"

	"github.com/confc/confc/dconf"
)

// Spec is one entry of the prompts section of cluster.conf.
type Spec struct {
	// Name is the prompt's key in the prompts section; answers are keyed
	// by it.
	Name string
	// Label is the short question shown to the operator.
	Label string
	// Help is the longer explanation Explain prints; empty when
	// cluster.conf gives none.
	Help string
	// Target is the dotted setting the answer stands for.
	Target string
	// Secret says the answer is read without echo. It is true unless
	// cluster.conf says secret: false.
	Secret bool
	// MinLength is the least number of characters an answer must have;
	// zero means any non-empty answer.
	MinLength int
	// Pattern is a regular expression (RE2 syntax) the whole answer must
	// match; empty means any.
	Pattern string

	re *regexp.Regexp
}

// Specs returns the prompts cluster.conf declares, in the order it
// declares them. A pattern that is not a valid regular expression is an
// error naming its position; a file without prompts gives none.
func Specs(f *dconf.File) ([]Spec, error) {
	if f == nil || f.Root == nil {
		return nil, nil
	}
	e := f.Root.Get("prompts")
	if e == nil {
		return nil, nil
	}
	m, ok := e.Value.(*dconf.Map)
	if !ok {
		return nil, fmt.Errorf("%s: prompts must be a map", e.Value.Pos())
	}
	var specs []Spec
	for _, pe := range m.Entries {
		pm, ok := pe.Value.(*dconf.Map)
		if !ok {
			return nil, fmt.Errorf("%s: prompt %q must be a map", pe.Value.Pos(), pe.Key.Name)
		}
		s := Spec{
			Name:   pe.Key.Name,
			Label:  stringField(pm, "label"),
			Help:   stringField(pm, "help"),
			Target: stringField(pm, "target"),
			Secret: true,
		}
		if s.Label == "" {
			s.Label = s.Name
		}
		if b, ok := field(pm, "secret").(*dconf.Bool); ok {
			s.Secret = b.Value
		}
		if n, ok := field(pm, "min_length").(*dconf.Int); ok {
			s.MinLength = int(n.Value)
		}
		if p, ok := field(pm, "pattern").(*dconf.String); ok {
			re, err := regexp.Compile(`^(?:` + p.Value + `)$`)
			if err != nil {
				return nil, fmt.Errorf("%s: pattern of prompt %q is not a valid regular expression: %w", p.Pos(), s.Name, err)
			}
			s.Pattern, s.re = p.Value, re
		}
		specs = append(specs, s)
	}
	return specs, nil
}

func field(m *dconf.Map, key string) dconf.Value {
	if e := m.Get(key); e != nil {
		return e.Value
	}
	return nil
}

func stringField(m *dconf.Map, key string) string {
	if s, ok := field(m, key).(*dconf.String); ok {
		return s.Value
	}
	return ""
}

// Check reports why answer is not acceptable for the prompt, or nil. The
// message never quotes the answer.
func (s *Spec) Check(answer string) error {
	if answer == "" {
		return fmt.Errorf("the answer to %q must not be empty", s.Name)
	}
	if s.MinLength > 0 && len([]rune(answer)) < s.MinLength {
		return fmt.Errorf("the answer to %q must be at least %d characters long", s.Name, s.MinLength)
	}
	if s.Pattern != "" {
		if s.re == nil {
			re, err := regexp.Compile(`^(?:` + s.Pattern + `)$`)
			if err != nil {
				return fmt.Errorf("pattern of prompt %q is not a valid regular expression: %w", s.Name, err)
			}
			s.re = re
		}
		if !s.re.MatchString(answer) {
			return fmt.Errorf("the answer to %q does not match the pattern %q", s.Name, s.Pattern)
		}
	}
	return nil
}
