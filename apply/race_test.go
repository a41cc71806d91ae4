package apply

import (
	"errors"
	"strings"
	"testing"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/internal/servertest"
)

// TestCASConflictReported plays a concurrent writer between a step's read
// and its write, once on a Vault KV entry and once on a Consul store key:
// the apply reports the conflict with the path and leaves the other
// writer's value in place.
func TestCASConflictReported(t *testing.T) {
	c := newCluster(t, 1)
	c.mustApply(t, "first apply")
	user := c.userClient(t)

	// A new answer makes the prompt's entry an update; the intruder writes
	// first.
	const vaultStep = "vault.kv.put:prompts/google_client_id"
	target := c.plan.Step(vaultStep).Target
	c.answers["google_client_id"] = servertest.Canary("new-client-id")
	intruder := servertest.Canary("intruder")
	_, err, _ := c.apply(t, "vault race", func(o *Options) {
		o.beforeWrite = func(s *compiler.Step) {
			if s.ID != vaultStep {
				return
			}
			if _, err := user.Logical().Write(target, map[string]any{"data": map[string]any{"value": intruder}}); err != nil {
				t.Errorf("intruder write: %v", err)
			}
		}
	})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Service != "vault" || ce.Path != target {
		t.Fatalf("vault race: error %v, want a conflict on %q", err, target)
	}
	if !strings.Contains(err.Error(), target) {
		t.Errorf("message %q does not name %q", err, target)
	}
	sec, err := user.Logical().Read(target)
	if err != nil || sec == nil {
		t.Fatal(err)
	}
	if got := sec.Data["data"].(map[string]any)["value"]; got != intruder {
		t.Error("the intruder's value was overwritten")
	}

	// The same on a Consul store key: it has drifted, so apply updates it,
	// and the intruder changes it again after the read.
	const consulStep = "consul.kv.put:components/router"
	key := c.plan.Step(consulStep).ConsulKV.Key
	kv := c.consul.API().KV()
	if _, err := kv.Put(pairOf(key, "7"), nil); err != nil {
		t.Fatal(err)
	}
	_, err, _ = c.apply(t, "consul race", func(o *Options) {
		o.beforeWrite = func(s *compiler.Step) {
			if s.ID != consulStep {
				return
			}
			if _, err := kv.Put(pairOf(key, "9"), nil); err != nil {
				t.Errorf("intruder write: %v", err)
			}
		}
	})
	if !errors.As(err, &ce) || ce.Service != "consul" || ce.Path != key {
		t.Fatalf("consul race: error %v, want a conflict on %q", err, key)
	}
	p, _, err := kv.Get(key, nil)
	if err != nil || p == nil || string(p.Value) != "9" {
		t.Errorf("the intruder's value was overwritten: %v", err)
	}

	// Without a race the next apply converges.
	sum := c.mustApply(t, "apply after the races")
	if sum.Updated != 1 {
		t.Errorf("apply after the races: %s; want the drifted store key updated", sum)
	}
	c.assertNoLeak(t, intruder)
}
