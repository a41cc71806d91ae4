package lint

import (
	"fmt"

	"github.com/confc/confc/dconf"
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
These mistakes are reported:

- the target is not a setting the schema knows, so the answer would be
  stored where nothing reads it;
- the target names a whole section, map or array (components,
  chef.continuum.router) or a part of the prompts section, where one
  answer cannot stand;
- an index is written with a sign or a leading zero (+1, -1, 00), or the
  target runs through an array element the file does not have;
- cluster.conf also holds a literal value at the target, so it is unclear
  which one wins (and a secret would be in the file);
- two prompts share a target, so one answer would overwrite the other.

  prompts: {
    a: { label: "Secret", target: "chef.continuum.auth_server.identity.google.client_secret" }
    b: { label: "Again",  target: "chef.continuum.auth_server.identity.google.client_secret" }
  }

Fix the path, remove the literal value, or remove one of the prompts. A
target that is not a dotted path at all (empty, or with characters other
than letters, digits, "_" and "-") is reported by the schema rule only.`,
	Check: checkPromptTarget,
})

func checkPromptTarget(p *Pass) {
	first := map[string]schema.PromptTarget{}
	for _, t := range schema.PromptTargets(p.File) {
		if p.hasViolationAt(t.Node) {
			continue // the schema has said the target is malformed
		}
		if t.Err != nil {
			p.Report(t.Node, fmt.Sprintf("prompt %q: %v", t.Prompt, t.Err),
				"write array indexes as plain digits: chef.continuum.router.ssl.tlshosts.0.private_key")
			continue
		}
		key := t.Path.String()
		if prev, dup := first[key]; dup {
			p.ReportAt(p.rule.Severity, t.Node,
				fmt.Sprintf("prompt %q has the same target as prompt %q", t.Prompt, prev.Prompt),
				"remove one of the prompts, or point it at another setting",
				prev.Node.Pos())
			continue
		}
		first[key] = t
		switch {
		case t.Path[0].Key == "prompts" && !t.Path[0].IsIndex:
			p.Report(t.Node,
				fmt.Sprintf("prompt %q targets %q, inside the prompts section", t.Prompt, t.Text),
				"point the prompt at the setting its answer fills in, outside prompts")
			continue
		case !schema.KnownSetting(t.Path):
			p.Report(t.Node,
				fmt.Sprintf("prompt %q targets %q, which is not a known setting", t.Prompt, t.Text),
				"write the dotted path of a setting, such as chef.continuum.auth_server.identity.google.client_secret")
			continue
		case !schema.ValueSetting(t.Path):
			p.Report(t.Node,
				fmt.Sprintf("prompt %q targets %q, which is a whole map or array, not one setting", t.Prompt, t.Text),
				"point the prompt at one setting inside it")
			continue
		}
		if msg := missingElement(p.File.Root, t.Path); msg != "" {
			p.Report(t.Node, fmt.Sprintf("prompt %q targets %q, %s", t.Prompt, t.Text, msg),
				"add the element to cluster.conf, or fix the index")
			continue
		}
		if v := dconf.Lookup(p.File.Root, t.Path); v != nil && !isEmptyString(v) {
			p.ReportAt(p.rule.Severity, t.Node,
				fmt.Sprintf("prompt %q targets %q, which also has a value in cluster.conf", t.Prompt, t.Text),
				"remove the value from cluster.conf; the prompt supplies it at apply time",
				v.Pos())
		}
	}
}

// missingElement describes the first array element on path p that the file
// does not have, or returns "". The plan can place an answer in a map that
// is absent, but not in an array element that is: it would not know what
// the element's other settings are.
func missingElement(root dconf.Value, p dconf.Path) string {
	for i, e := range p {
		a, ok := dconf.Lookup(root, p[:i]).(*dconf.Array)
		if ok && e.IsIndex && e.Index >= len(a.Elems) {
			return fmt.Sprintf("which runs through element %d of %s, an array of %d", e.Index, p[:i], len(a.Elems))
		}
		if dconf.Lookup(root, p[:i+1]) == nil {
			return ""
		}
	}
	return ""
}
