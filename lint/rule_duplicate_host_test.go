package lint

import "testing"

func TestDuplicateHost(t *testing.T) {
	runRuleCases(t, "duplicate-host", []ruleCase{
		{what: "distinct hosts", src: base},
		{
			what: "host in two groups",
			src:  edit(t, `[ "10.0.1.1" ]`, `[ "10.0.1.1", "10.0.0.2" ]`),
			want: []string{"8:26 error duplicate-host"},
		},
		{
			what: "host twice in one group",
			src:  edit(t, `[ "10.0.1.1" ]`, `[ "10.0.1.1", "10.0.1.1" ]`),
			want: []string{"8:26 error duplicate-host"},
		},
		{
			what: "an entry that is no address is left to the schema",
			src:  edit(t, `[ "10.0.1.1" ]`, `[ "10.0.1.1", "10.0.1.1 " ]`),
		},
		{
			what: "IPv6 spellings of one address",
			src:  edit(t, `[ "10.0.1.1" ]`, `[ "fe80::1", "FE80:0::1" ]`),
			want: []string{"8:25 error duplicate-host"},
		},
	})
}
