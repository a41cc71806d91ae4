package lint

import "testing"

func TestSecretStorePlacement(t *testing.T) {
	runRuleCases(t, "secret-store-placement", []ruleCase{
		{what: "both on central", src: base},
		{
			what: "vault on another group",
			src:  edit(t, `suitable_tags: [ "instance-manager" ]`, `suitable_tags: [ "instance-manager", "vault" ]`),
			want: []string{"9:42 error secret-store-placement"},
		},
		{
			what: "vault and kv-store on another group",
			src:  edit(t, `suitable_tags: [ "instance-manager" ]`, `suitable_tags: [ "kv-store", "vault" ]`),
			want: []string{"9:22 error secret-store-placement", "9:34 error secret-store-placement"},
		},
	})
}
