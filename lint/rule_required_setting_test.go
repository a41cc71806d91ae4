package lint

import "testing"

func TestRequiredSetting(t *testing.T) {
	runRuleCases(t, "required-setting", []ruleCase{
		{what: "both set", src: base + names},
		{what: "empty file", src: "", want: []string{"1:1 error required-setting"}},
		{what: "comments only", src: "# nothing yet\n# still nothing\n", want: []string{"1:1 error required-setting"}},
		{what: "no chef", src: base, want: []string{"1:1 error required-setting"}},
		{
			what: "no continuum",
			src:  base + "chef: { apzabbix: {} }\n",
			want: []string{"18:1 error required-setting"},
		},
		{
			what: "no base_domain",
			src:  base + "chef: {\n  continuum: { cluster_name: test }\n}\n",
			want: []string{"19:3 error required-setting"},
		},
		{
			what: "neither",
			src:  base + "chef: {\n  continuum: {}\n}\n",
			want: []string{"19:3 error required-setting", "19:3 error required-setting"},
		},
		{what: "continuum of the wrong type is left to the schema", src: base + "chef: { continuum: 3 }\n"},
	})
}
