package apply

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/confc/confc/internal/servertest"
)

// TestUninitializedVaultKeepsExistingKeys points a second apply at a new,
// uninitialized Vault on the same Consul: it is refused before the new
// Vault is touched and the working Vault's unseal keys stay. With
// ReinitVault it goes ahead and the earlier keys are kept in a backup key.
func TestUninitializedVaultKeepsExistingKeys(t *testing.T) {
	c := newCluster(t, 1)
	c.mustApply(t, "first")
	ctx := context.Background()
	before, idx, err := ReadBundle(ctx, c.consul.API(), c.plan.Cluster.Name)
	if err != nil || idx == 0 {
		t.Fatalf("bundle after the first apply: index %d, %v", idx, err)
	}
	other := servertest.StartVault(t, c.consul, servertest.VaultOptions{Prefix: "vault-other/"})

	_, err, _ = c.apply(t, "other vault", func(o *Options) { o.Conn.VaultAddrs = []string{other.Addr} })
	var ue *UnsealKeysExistError
	if !errors.As(err, &ue) || ue.Key != UnsealKeysKey(c.plan.Cluster.Name) {
		t.Fatalf("apply against an uninitialized vault: %v, want an UnsealKeysExistError", err)
	}
	if !strings.Contains(err.Error(), "--reinit-vault") {
		t.Errorf("the refusal does not say how to go ahead: %v", err)
	}
	after, idx2, err := ReadBundle(ctx, c.consul.API(), c.plan.Cluster.Name)
	if err != nil || idx2 != idx || !bytes.Equal(after, before) {
		t.Fatalf("the bundle changed: index %d -> %d, %v", idx, idx2, err)
	}
	vc, err := newVaultClient(other.Addr, Conn{})
	if err != nil {
		t.Fatal(err)
	}
	if init, err := vc.Sys().InitStatus(); err != nil || init {
		t.Fatalf("the other vault: initialized=%v, %v; want it untouched", init, err)
	}

	_, err, events := c.apply(t, "reinit", func(o *Options) {
		o.Conn.VaultAddrs = []string{other.Addr}
		o.ReinitVault = true
	})
	if err != nil {
		t.Fatalf("apply with ReinitVault: %v", err)
	}
	pairs, _, err := c.consul.API().KV().List(UnsealKeysKey(c.plan.Cluster.Name)+".replaced-", nil)
	if err != nil || len(pairs) != 1 || !bytes.Equal(pairs[0].Value, before) {
		t.Fatalf("backup keys: %d, %v; want one holding the earlier bundle", len(pairs), err)
	}
	noticed := false
	for _, e := range events {
		noticed = noticed || (e.Type == EventNotice && strings.Contains(e.Message, pairs[0].Key))
	}
	if !noticed {
		t.Errorf("no notice names the backup key %q", pairs[0].Key)
	}
	now, _, err := ReadBundle(ctx, c.consul.API(), c.plan.Cluster.Name)
	if err != nil || bytes.Equal(now, before) {
		t.Fatalf("the bundle was not replaced for the new vault: %v", err)
	}
	c.assertNoLeak(t)
}
