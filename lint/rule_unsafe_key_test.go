package lint

import "testing"

func TestUnsafeKey(t *testing.T) {
	runRuleCases(t, "unsafe-key", []ruleCase{
		{what: "ordinary keys", src: base + "chef: { continuum: { stagehand: { \"a.b\": 1, api_token: \"\" } } }\n"},
		{
			what: "machine group climbing out of the store",
			src:  edit(t, "machines: {\n", "machines: {\n  \"../../acl\": { hosts: [\"10.9.9.9\"], suitable_tags: [] }\n"),
			want: []string{"3:3 error unsafe-key"},
		},
		{
			what: "secret key climbing out of its Vault path",
			src:  base + "chef: { continuum: { ssh: { \"../../../../auth/x_token\": C3 } } }\n",
			want: []string{"18:29 error unsafe-key"},
		},
		{
			what: "dotted key colliding with a nested one",
			src:  base + "chef: { continuum: { stagehand: { \"x.api_token\": A1, x: { api_token: B2 } } } }\n",
			want: []string{"18:35 error unsafe-key"},
		},
	})
}
