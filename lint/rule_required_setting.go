package lint

import (
	"fmt"

	"github.com/confc/confc/dconf"
)

// requiredSettings are the settings without which "confc plan" cannot
// compile a file: every Vault path, Consul key and certificate name is
// derived from them.
var requiredSettings = []string{"cluster_name", "base_domain"}

// ruleRequiredSetting reports a missing cluster_name or base_domain, so
// that a file lint passes is a file plan can compile.
var ruleRequiredSetting = register(&Rule{
	ID:       "required-setting",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "chef.continuum.cluster_name or chef.continuum.base_domain is missing",
	Doc: `Every name that confc plan and apply write is derived from two settings:
the cluster name (Vault paths, the Consul key prefix, the CA's name) and
the base domain (the names in the cluster's certificates). A file without
them, such as an empty file or one that only holds comments, cannot be
compiled, so lint reports them as errors.

  chef: {
    continuum: {
      cluster_name: prod-east
      base_domain: prod-east.example.test
    }
  }

The finding points at the map that lacks the setting: the continuum key,
the chef key when continuum is missing, or the start of the file when
chef is missing. A value of the wrong type is reported by the schema
rule instead.`,
	Check: checkRequiredSetting,
})

func checkRequiredSetting(p *Pass) {
	root := p.File.Root
	start := dconf.Pos{Filename: p.File.Name, Offset: 0, Line: 1, Column: 1}
	var at dconf.Node = dconf.Span{Start: start, Stop: start}
	chef := root.Get("chef")
	if chef == nil {
		p.Report(at, fmt.Sprintf("section %q is missing: confc plan needs chef.continuum.cluster_name and chef.continuum.base_domain", "chef"), requiredHint)
		return
	}
	chefMap, ok := chef.Value.(*dconf.Map)
	if !ok {
		return // the schema reports the wrong type
	}
	cont := chefMap.Get("continuum")
	if cont == nil {
		p.Report(chef.Key, "chef has no continuum map: confc plan needs chef.continuum.cluster_name and chef.continuum.base_domain", requiredHint)
		return
	}
	contMap, ok := cont.Value.(*dconf.Map)
	if !ok {
		return
	}
	for _, name := range requiredSettings {
		if contMap.Get(name) == nil {
			p.Report(cont.Key, fmt.Sprintf("chef.continuum.%s is not set: confc plan needs it to name the cluster", name), requiredHint)
		}
	}
}

// requiredHint shows the two settings with example values.
const requiredHint = "set chef.continuum.cluster_name (a DNS label such as prod-east) and chef.continuum.base_domain (such as prod-east.example.test)"
