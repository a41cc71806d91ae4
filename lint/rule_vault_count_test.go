package lint

import "testing"

func TestVaultCount(t *testing.T) {
	runRuleCases(t, "vault-count", []ruleCase{
		{what: "equal counts", src: base},
		{
			what: "fewer vaults",
			src:  edit(t, "  vault: 3\n", "  vault: 1\n"),
			want: []string{"14:10 warning vault-count"},
		},
		{what: "vault absent is left to secret-store-required", src: edit(t, "  vault: 3\n", "")},
	})
}
