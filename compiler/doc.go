// Package compiler turns a linted cluster.conf into a plan: the ordered,
// dependency-sorted list of steps that brings Vault and Consul to the state
// the file describes.
//
// A plan holds no secret value. Secrets appear only as the place they go (a
// Vault path) and how they are produced: a generator such as "ec-p256", a
// prompt answer ("prompt:ldap_search_password"), the cluster passphrase, the
// SecretID of a Consul token created by an earlier step, or a literal that
// apply reads back from cluster.conf. Everything the apply engine needs to run
// a step (mount options, policy text, PKI settings, component store values) is
// carried as structured parameters, so apply never interprets cluster.conf
// itself beyond checking that the plan is still fresh.
//
// The layout the plan writes (Vault mounts and paths, Consul keys) and the
// JSON form of a plan file are documented in docs/plan.md; the two must be
// kept in step with the constants and tables in this package.
package compiler
