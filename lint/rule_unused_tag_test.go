package lint

import "testing"

func TestUnusedTag(t *testing.T) {
	runRuleCases(t, "unused-tag", []ruleCase{
		{what: "every tag counted", src: base},
		{
			what: "tag without count",
			src:  edit(t, `"api-server", "vault"`, `"api-server", "router", "vault"`),
			want: []string{"5:36 warning unused-tag"},
		},
		{
			what: "tag with count 0",
			src:  edit(t, "  api-server: 3\n", "  api-server: 0\n"),
			want: []string{"5:22 warning unused-tag"},
		},
		{
			what: "typo in components suggests the tag",
			src:  edit(t, "  api-server: 3\n", "  api-servr: 3\n"),
		},
	})
}

func TestNearestComponent(t *testing.T) {
	if got := nearestComponent("route"); got != "router" {
		t.Errorf("nearestComponent(route) = %q, want router", got)
	}
	if got := nearestComponent("completely-different"); got != "" {
		t.Errorf("nearestComponent(completely-different) = %q, want none", got)
	}
}
