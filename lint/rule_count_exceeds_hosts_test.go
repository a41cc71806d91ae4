package lint

import "testing"

func TestCountExceedsHosts(t *testing.T) {
	runRuleCases(t, "count-exceeds-hosts", []ruleCase{
		{what: "counts fit", src: base},
		{
			what: "more instance managers than hosts",
			src:  edit(t, "  instance-manager: 1\n", "  instance-manager: 2\n"),
			want: []string{"16:21 error count-exceeds-hosts"},
		},
		{
			what: "duplicate hosts count once",
			src:  edit(t, `[ "10.0.0.1", "10.0.0.2", "10.0.0.3" ]`, `[ "10.0.0.1", "10.0.0.2", "10.0.0.2" ]`),
			want: []string{"14:10 error count-exceeds-hosts", "15:13 error count-exceeds-hosts"},
		},
		{what: "components that may share a host are not limited", src: edit(t, "  api-server: 3\n", "  api-server: 9\n")},
	})
}
