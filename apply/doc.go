// Package apply executes a compiled plan against HashiCorp Vault and Consul.
//
// An apply takes a Consul session lock for the cluster, brings Vault up
// (initializing it on the very first run, unsealing it from the encrypted
// key bundle it keeps in Consul afterwards), logs in with the cluster
// passphrase, and runs the plan's steps in order. Every step reads its target
// first and writes only what differs, with check-and-set on key-value
// writes, so a re-run against unchanged servers writes nothing. A journal in
// Consul records finished steps, so an interrupted apply resumes where it
// stopped.
//
// Refresh runs the same read-and-compare code without writing anything and
// marks each step of a plan create, update or no-op.
//
// docs/apply.md describes the Consul keys the engine uses, the bootstrap and
// the error handling.
package apply
