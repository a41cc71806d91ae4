package lint

import "testing"

func TestSecretStoreRequired(t *testing.T) {
	runRuleCases(t, "secret-store-required", []ruleCase{
		{what: "vault present", src: base},
		{
			what: "instance-manager without vault",
			src:  edit(t, "  vault: 3\n  kv-store: 3\n", ""),
			want: []string{"14:3 error secret-store-required"},
		},
		{
			what: "vault count 0",
			src:  edit(t, "  vault: 3\n", "  vault: 0\n"),
			want: []string{"16:3 error secret-store-required"},
		},
		{
			what: "vault without kv-store",
			src:  edit(t, "  kv-store: 3\n", ""),
			want: []string{"14:3 error secret-store-required"},
		},
		{
			what: "no instance-manager and no vault",
			src:  edit(t, "  vault: 3\n  kv-store: 3\n  instance-manager: 1\n", ""),
		},
	})
}

func TestSecretStoreRequiredMessage(t *testing.T) {
	r := Source("t.conf", []byte(edit(t, "  vault: 3\n  kv-store: 3\n", "")))
	want := "machine with instance-manager tag cannot be deployed without a machine with vault tag"
	for _, d := range r.Diagnostics {
		if d.Rule == "secret-store-required" && d.Message == want {
			return
		}
	}
	t.Fatalf("no finding with message %q in %v", want, r.Diagnostics)
}
