package lint

// The rules below are checked by the CUE schema (package schema) and by the
// parser; they are registered here so that every rule ID has documentation
// and can be named in "# confc:ignore" comments.

func init() {
	register(&Rule{
		ID:       "syntax",
		Severity: Error,
		Origin:   OriginParser,
		Summary:  "the file is not valid Dconf",
		Doc: `The parser could not read the file: an unclosed bracket or string, a
repeated key, two values on one line, an unrendered ERB tag, and the like.
Nothing else is checked until the file parses, and "confc lint" exits with
status 3.

The message points at the place the parser gave up; for an unclosed
bracket it points at the opening one. A cluster.conf.erb template must be
rendered with erb before it is linted:

  erb cluster.conf.erb > cluster.conf

A syntax error cannot be suppressed.`,
	})
	register(&Rule{
		ID:       "schema",
		Severity: Error,
		Origin:   OriginSchema,
		Summary:  "a value has the wrong type or shape, or a key is unknown",
		Doc: `cluster.conf is checked against a CUE schema embedded in confc. This rule
covers type errors (a string where a number belongs), values out of range
(a port above 65535), malformed addresses and unknown keys in the parts of
the file whose keys are fixed, such as a machine group or a prompt.

  machines: { central: { hosts: [ "10.0.0.300" ] } }   # not an IP address

Fix the value as the message says. Parts of the file that other tools
read, such as most of chef, are open and accept any key.`,
	})
	register(&Rule{
		ID:       "unknown-section",
		Severity: Error,
		Origin:   OriginSchema,
		Summary:  "a top-level key is not one of the known sections",
		Doc: `The top level of cluster.conf holds only provisioner, machines,
components, chef and prompts. Any other key is most often a typo or a
block pasted at the wrong depth, and would be ignored by deployment.

  component: { router: 3 }   # should be "components"

Rename the key, or move the block under the section it belongs to.`,
	})
	register(&Rule{
		ID:       "unknown-component",
		Severity: Error,
		Origin:   OriginSchema,
		Summary:  "a component name in components or suitable_tags is unknown",
		Doc: `Component names in components and in a machine group's suitable_tags
must be ones the deployment knows. A misspelt name would deploy nothing;
the hint suggests the closest known name.

  components: { route: 3 }   # did you mean "router"?

"confc explain unknown-component" prints this text followed by every
component name confc knows.`,
	})
	register(&Rule{
		ID:       "kv-store-odd",
		Severity: Error,
		Origin:   OriginSchema,
		Summary:  "the kv-store count is even",
		Doc: `The kv-store (Consul) servers form a Raft cluster, which needs a majority
to elect a leader. An even count tolerates no more failures than the odd
count below it and can split evenly, so the count must be odd: 1, 3, 5, …
(or 0, which deploys no kv-store).

  components: { kv-store: 2 }   # use 1 or 3

Change the count, and keep vault at the same count (see vault-count).`,
	})
}
