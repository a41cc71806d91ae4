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
			what: "empty target is reported once, by the schema",
			src:  base + "prompts: {\n" + prompt("a", "") + "}\n",
		},
		{
			what: "zero-padded index",
			src: base + "chef: { continuum: { cluster: { subnets: [ \"10.0.0.0/16\" ] } } }\n" +
				"prompts: {\n" + prompt("a", "chef.continuum.cluster.subnets.00") + "}\n",
			want: []string{"20:26 error prompt-target"},
		},
		{
			what: "negative index",
			src:  base + "prompts: {\n" + prompt("a", "chef.continuum.router.ssl.tlshosts.-1.private_key") + "}\n",
			want: []string{"19:26 error prompt-target"},
		},
		{
			what: "whole section",
			src:  base + "prompts: {\n" + prompt("a", "components") + "}\n",
			want: []string{"19:26 error prompt-target"},
		},
		{
			what: "own definition",
			src:  base + "prompts: {\n" + prompt("a", "prompts.a.target") + "}\n",
			want: []string{"19:26 error prompt-target"},
		},
		{
			what: "missing array element",
			src: base + "chef: { continuum: { router: { ssl: { tlshosts: [ { server_names: [a.example] } ] } } } }\n" +
				"prompts: {\n" + prompt("a", "chef.continuum.router.ssl.tlshosts.1.private_key") + "}\n",
			want: []string{"20:26 error prompt-target"},
		},
		{
			what: "existing array element",
			src: base + "chef: { continuum: { router: { ssl: { tlshosts: [ { server_names: [a.example] } ] } } } }\n" +
				"prompts: {\n" + prompt("a", "chef.continuum.router.ssl.tlshosts.0.private_key") + "}\n",
		},
		{
			what: "target with a literal value",
			src: base + "chef: { continuum: { auth_server: { identity: { google: { client_secret: \"canary-lit-777\" } } } } }\n" +
				"prompts: {\n" + prompt("a", target) + "}\n",
			want: []string{"20:26 error prompt-target"},
		},
	})
}

func TestPromptTargetMessages(t *testing.T) {
	r := Source("test.conf", []byte(base+names+"prompts: {\n  a: { label: x, target: \"prompts.a.target\" }\n}\n"))
	if len(r.Diagnostics) != 1 {
		t.Fatalf("got %v", r.Diagnostics)
	}
	want := `prompt "a" targets "prompts.a.target", inside the prompts section`
	if got := r.Diagnostics[0].Message; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}
