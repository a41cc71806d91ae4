// Package lint checks a parsed cluster.conf and reports findings as
// [Diagnostic] values.
//
// A lint run has three sources of findings: parse errors (rule "syntax"),
// violations of the CUE schema (package schema; rules "schema",
// "unknown-section", "unknown-component", "kv-store-odd") and the
// cross-field rules of this package, one per rule_*.go file. Every rule is
// listed in the registry returned by [Rules], with its documentation, so
// that "confc explain" and generated reference pages read the same text.
//
// Findings can be silenced with a comment:
//
//	# confc:ignore RULE-ID[,RULE-ID...] reason
//
// A comment alone on its line applies to the next line that holds anything
// other than blanks and comments; a comment after a value applies to its own
// line. The reason is required. A suppression without a reason, naming an
// unknown rule or silencing nothing is itself reported (rule "suppression").
//
// Renderers ([WriteText], [WriteJSON], [WriteSARIF], [WriteGitHub]) never
// print a secret: source lines are masked (see [Masker]) and messages are
// scrubbed of any secret value that found its way into them.
package lint
