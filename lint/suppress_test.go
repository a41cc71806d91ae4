package lint

import "testing"

func TestSuppression(t *testing.T) {
	runCases := func(rule string, cases []ruleCase) { runRuleCases(t, rule, cases) }
	lowVault := "  # confc:ignore vault-count one vault is enough in this lab\n  vault: 1\n"
	runCases("vault-count", []ruleCase{
		{what: "comment on the line before silences", src: edit(t, "  vault: 3\n", lowVault)},
		{
			what: "comment before a blank and a comment line still applies",
			src:  edit(t, "  vault: 3\n", "  # confc:ignore vault-count lab\n\n  # other note\n  vault: 1\n"),
		},
		{what: "trailing comment silences", src: edit(t, "  vault: 3\n", "  vault: 1 # confc:ignore vault-count lab setup\n")},
		{what: "several rules", src: edit(t, "  vault: 3\n", "  vault: 1 # confc:ignore schema,vault-count lab setup\n")},
		{
			what: "other rule does not silence",
			src:  edit(t, "  vault: 3\n", "  vault: 1 # confc:ignore duplicate-host lab setup\n"),
			want: []string{"14:10 warning vault-count"},
		},
	})
	runCases("suppression", []ruleCase{
		{what: "used suppression with reason", src: edit(t, "  vault: 3\n", lowVault)},
		{
			what: "no reason",
			src:  edit(t, "  vault: 3\n", "  vault: 1 # confc:ignore vault-count\n"),
			want: []string{"14:12 warning suppression"},
		},
		{
			what: "silences nothing",
			src:  edit(t, "  vault: 3\n", "  vault: 3 # confc:ignore vault-count lab\n"),
			want: []string{"14:12 warning suppression"},
		},
		{
			what: "unknown rule",
			src:  edit(t, "  vault: 3\n", "  vault: 3 # confc:ignore no-such-rule because\n"),
			want: []string{"14:12 warning suppression"},
		},
		{
			what: "no rule at all",
			src:  edit(t, "  vault: 3\n", "  vault: 3 # confc:ignore\n"),
			want: []string{"14:12 warning suppression"},
		},
		{what: "look-alike comment is ignored", src: edit(t, "  vault: 3\n", "  vault: 3 # confc:ignored is not a directive\n")},
	})
}
