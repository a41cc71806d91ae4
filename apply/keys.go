package apply

import "strings"

// The Consul keys apply keeps beside the component store, under the prefix
// confc/<cluster>/ that the plan reserves for confc. docs/apply.md lists
// them; the component token's policy grants nothing on them.

// clusterPrefix returns "confc/<cluster>/".
func clusterPrefix(cluster string) string { return "confc/" + cluster + "/" }

// LockKey returns the Consul key of the apply lock of a cluster.
func LockKey(cluster string) string { return clusterPrefix(cluster) + "lock" }

// UnsealKeysKey returns the Consul key holding the encrypted bundle of
// Vault unseal keys.
func UnsealKeysKey(cluster string) string { return clusterPrefix(cluster) + "vault/unseal-keys" }

// JournalPrefix returns the Consul key prefix of the apply journal.
func JournalPrefix(cluster string) string { return clusterPrefix(cluster) + "journal/" }

// journalRunKey returns the key describing the run of the plan with the
// given fingerprint.
func journalRunKey(cluster, fingerprint string) string {
	return JournalPrefix(cluster) + fpKey(fingerprint) + "/run"
}

// journalStepKey returns the key of one finished step.
func journalStepKey(cluster, fingerprint, stepID string) string {
	return JournalPrefix(cluster) + fpKey(fingerprint) + "/steps/" + stepID
}

// fpKey turns "sha256:abc…" into a key segment.
func fpKey(fp string) string { return strings.ReplaceAll(fp, ":", "-") }
