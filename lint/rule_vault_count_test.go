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

func TestVaultCountHintIsOdd(t *testing.T) {
	cases := []struct {
		vault, kv string
		want      string
	}{
		{"1", "3", "set vault to 3 so that every kv-store host runs one vault server"},
		{"3", "2", "set kv-store to 3, an odd count, so that every kv-store host runs one vault server"},
		{"2", "4", "set kv-store and vault to 3: kv-store needs an odd count, and every kv-store host runs one vault server"},
	}
	for _, c := range cases {
		src := edit(t, "  vault: 3\n  kv-store: 3\n", "  vault: "+c.vault+"\n  kv-store: "+c.kv+"\n")
		var hints []string
		for _, d := range Source("test.conf", []byte(src)).Diagnostics {
			if d.Rule == "vault-count" {
				hints = append(hints, d.Hint)
			}
		}
		if len(hints) != 1 || hints[0] != c.want {
			t.Errorf("vault %s, kv-store %s: hints %q, want [%q]", c.vault, c.kv, hints, c.want)
		}
	}
}
