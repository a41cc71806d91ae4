package lint

import "github.com/confc/confc/schema"

// rulePolicy documents the findings of user CUE policies (confc lint
// --policy FILE). Schema violations from a policy arrive with this ID, or
// with the ID a policy names in @rule(name).
var rulePolicy = register(&Rule{
	ID:       schema.RulePolicy,
	Severity: Error,
	Origin:   OriginSchema,
	Summary:  "a value breaks a constraint of a user policy given with --policy",
	Doc: `An organisation can add its own constraints to the built-in schema with
CUE files passed to "confc lint --policy FILE" (and "confc plan --policy
FILE"). Each file describes the same tree as cluster.conf and is evaluated
together with the file's values, so a constraint can depend on other
settings:

  package org
  import "strings"
  chef: continuum: cluster_name: string
  if strings.HasPrefix(chef.continuum.cluster_name, "prod-") {
    components: "kv-store"!: 3 @rule(prod-kv-store)
  }

The finding points at the offending value in cluster.conf; the hint names
the constraint in the policy file. A constraint with @rule(name) is
reported under that name instead of "policy", and can be silenced with
"# confc:ignore name reason" like any other rule. See docs/policies.md.`,
})
