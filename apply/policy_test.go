package apply

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/confc/confc/compiler"
)

// The components' Consul token must not be able to end the session that
// holds the apply lock, which would stop an apply half way; it still
// reads and writes the component store.
func TestComponentTokenCannotEndLockSession(t *testing.T) {
	c := newSecurityCluster(t, "")
	ctx := context.Background()
	conn := Conn{ConsulAddr: c.consul.Addr, ConsulToken: c.consul.Token}
	l, err := acquireLock(ctx, conn, DefaultRetry, c.plan.Cluster.Name, CurrentHolder("sha256:1", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	info, err := ReadLock(ctx, c.consul.API(), c.plan.Cluster.Name)
	if err != nil || !info.Held {
		t.Fatalf("lock: %+v, %v", info, err)
	}

	comp := c.consul.APIWithToken(c.componentToken(t).SecretID)
	_, err = comp.Session().Destroy(info.Session, nil)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "permission denied") {
		t.Fatalf("component token destroying the lock session: %v, want permission denied", err)
	}
	if _, _, err := comp.Session().Create(nil, nil); err == nil {
		t.Error("the component token created a session")
	}
	select {
	case <-l.lost:
		t.Fatal("the apply lock was lost")
	default:
	}
	storeKey := compiler.StorePrefix(c.plan.Cluster.Name) + "policy-test"
	if _, err := comp.KV().Put(pairOf(storeKey, "x"), nil); err != nil {
		t.Errorf("the component token cannot write the store: %v", err)
	}
}
