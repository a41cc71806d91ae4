package lint

import (
	"slices"
	"testing"
)

// ruleCase is one input and the findings one rule must produce on it.
type ruleCase struct {
	what string
	src  string
	want []string // "line:col severity rule"
}

func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	if RuleByID(rule) == nil {
		t.Fatalf("rule %q is not registered", rule)
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			got := only(lintString(t, c.src), rule)
			want := c.want
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v\ninput:\n%s", got, want, c.src)
			}
		})
	}
}
