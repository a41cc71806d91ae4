package lint

import "testing"

func TestPromptTarget(t *testing.T) {
	const target = "chef.continuum.auth_server.identity.google.client_secret"
	prompt := func(name, target string) string {
		return "  " + name + ": { label: x, target: \"" + target + "\" }\n"
	}
	runRuleCases(t, "prompt-target", []ruleCase{
		{what: "known target", src: base + "prompts: {\n" + prompt("a", target) + "}\n"},
		{
			what: "unknown target",
			src:  base + "prompts: {\n" + prompt("a", "nowhere.at.all") + "}\n",
			want: []string{"19:26 error prompt-target"},
		},
		{
			what: "shared target",
			src:  base + "prompts: {\n" + prompt("a", target) + prompt("b", target) + "}\n",
			want: []string{"20:26 error prompt-target"},
		},
		{
			what: "target with a literal value",
			src: base + "chef: { continuum: { auth_server: { identity: { google: { client_secret: \"canary-lit-777\" } } } } }\n" +
				"prompts: {\n" + prompt("a", target) + "}\n",
			want: []string{"20:26 error prompt-target"},
		},
	})
}

func TestParseTarget(t *testing.T) {
	p := parseTarget("chef.continuum.router.ssl.tlshosts.0.private_key")
	if got := p.String(); got != "chef.continuum.router.ssl.tlshosts.0.private_key" {
		t.Errorf("round trip gave %q", got)
	}
	if !p[5].IsIndex || p[5].Index != 0 || p[6].Key != "private_key" {
		t.Errorf("unexpected path %#v", p)
	}
}
