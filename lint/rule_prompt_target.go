package lint

import (
	"fmt"

	"github.com/confc/confc/schema"
)

// rulePromptTarget checks where prompt answers go.
var rulePromptTarget = register(&Rule{
	ID:       "prompt-target",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a prompt's target is unknown, already has a value, or is shared with another prompt",
	Doc: `A prompt's target is the dotted path of the setting its answer fills in,
such as chef.continuum.auth_server.identity.google.client_secret (array
elements by index: chef.continuum.router.ssl.tlshosts.0.private_key).
Three mistakes are reported:

- the target is not a setting the schema knows, so the answer would be
  stored where nothing reads it;
- cluster.conf also holds a literal value at the target, so it is unclear
  which one wins (and a secret would be in the file);
- two prompts share a target, so one answer would overwrite the other.

  prompts: {
    a: { label: "Secret", target: "chef.continuum.auth_server.identity.google.client_secret" }
    b: { label: "Again",  target: "chef.continuum.auth_server.identity.google.client_secret" }
  }

Fix the path, remove the literal value, or remove one of the prompts.`,
	Check: checkPromptTarget,
})

func checkPromptTarget(p *Pass) {
	first := map[string]promptTarget{}
	for _, t := range promptTargets(p.File) {
		path := parseTarget(t.text)
		if prev, dup := first[t.text]; dup {
			p.ReportAt(p.rule.Severity, t.node,
				fmt.Sprintf("prompt %q has the same target as prompt %q", t.prompt, prev.prompt),
				"remove one of the prompts, or point it at another setting",
				prev.node.Pos())
			continue
		}
		first[t.text] = t
		if !schema.KnownSetting(path) {
			p.Report(t.node,
				fmt.Sprintf("prompt %q targets %q, which is not a known setting", t.prompt, t.text),
				"write the dotted path of a setting, such as chef.continuum.auth_server.identity.google.client_secret")
			continue
		}
		if v := lookupTarget(p.File.Root, path); v != nil && !isEmptyString(v) {
			p.ReportAt(p.rule.Severity, t.node,
				fmt.Sprintf("prompt %q targets %q, which also has a value in cluster.conf", t.prompt, t.text),
				"remove the value from cluster.conf; the prompt supplies it at apply time",
				v.Pos())
		}
	}
}
