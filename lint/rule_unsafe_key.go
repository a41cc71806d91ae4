package lint

import (
	"fmt"

	"github.com/confc/confc/schema"
)

// ruleUnsafeKey keeps keys out of store paths they would break.
var ruleUnsafeKey = register(&Rule{
	ID:       "unsafe-key",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a key cannot be written into a Vault or Consul path",
	Doc: `The plan writes some keys of cluster.conf into Vault and Consul paths: the
names of machine groups, components, prompts, the settings directly under
chef.continuum and the mounts under chef.continuum.mounts become path
segments, and a secret written in the file is stored at a path made of
every key above it joined with ".". A key that would leave its place in
such a path, or make two settings share one, is an error:

- an empty key, ".", "..", or a key holding "/" or "\", which would
  climb out of the store prefix or split into several segments;
- a key holding a control character or bytes that are not UTF-8;
- on the path of a secret, a key holding ".", which would make
  "x.api_token" and "x: { api_token }" one Vault entry, so one secret
  would overwrite the other.

  machines: { "../../acl": { hosts: [ "10.9.9.9" ] } }      # error
  stagehand: { "x.api_token": A1, x: { api_token: B2 } }   # error

Rename the key. Keys elsewhere (inside the JSON a setting is stored as)
may hold any text.`,
	Check: checkUnsafeKey,
})

func checkUnsafeKey(p *Pass) {
	for _, k := range schema.UnsafeKeys(p.File) {
		p.Report(k.Key,
			fmt.Sprintf("%s at %s cannot be written into a Vault or Consul path", k.Problem, k.Path),
			"rename the key: use letters, digits, \"_\" and \"-\"")
	}
}
