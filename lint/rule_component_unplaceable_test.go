package lint

import "testing"

func TestComponentUnplaceable(t *testing.T) {
	runRuleCases(t, "component-unplaceable", []ruleCase{
		{what: "every component listed", src: base},
		{
			what: "count without a group",
			src:  edit(t, "  api-server: 3\n", "  api-server: 3\n  router: 2\n"),
			want: []string{"14:11 error component-unplaceable"},
		},
		{what: "count 0 without a group", src: edit(t, "  api-server: 3\n", "  api-server: 3\n  router: 0\n")},
		{what: "unknown names are left to the schema", src: edit(t, "  api-server: 3\n", "  api-server: 3\n  route: 2\n")},
	})
}
