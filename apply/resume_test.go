package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/confc/confc/compiler"
)

var errStop = errors.New("stopped by the test")

// TestResumeAfterInterrupt stops the first apply after k steps, for k
// across the plan's phases, and applies again: the second run resumes
// after the k finished steps, converges, and the generated secrets written
// before the stop keep their values; nothing is made twice.
func TestResumeAfterInterrupt(t *testing.T) {
	_, plan := compileFile(t, productionConf, nil)
	n := len(plan.Steps)
	for _, k := range []int{1, n / 3, n - 40, n - 2} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			c := newCluster(t, 1)
			_, err, _ := c.apply(t, "interrupted apply", func(o *Options) {
				o.AfterStep = func(ran int, _ *compiler.Step) error {
					if ran == k {
						return errStop
					}
					return nil
				}
			})
			if !errors.Is(err, errStop) {
				t.Fatalf("interrupted apply: %v", err)
			}
			run, entries, err := ReadJournal(context.Background(), c.consul.API(), c.plan.Cluster.Name)
			if err != nil || run == nil || run.State != runRunning || len(entries) != k {
				t.Fatalf("journal after the stop: run %+v, %d entries, %v; want running with %d", run, len(entries), err, k)
			}
			info, err := ReadLock(context.Background(), c.consul.API(), c.plan.Cluster.Name)
			if err != nil || info.Held {
				t.Fatalf("lock after the stop: %+v, %v; want released", info, err)
			}

			// Generated secrets finished before the stop.
			user := c.userClient(t)
			before := map[string]string{}
			for _, e := range entries {
				s := c.plan.Step(e.Step)
				if s.Kind == compiler.KindVaultKVGenerate {
					sec, err := user.Logical().Read(s.Target)
					if err != nil || sec == nil {
						t.Fatalf("read %s: %v", s.Target, err)
					}
					before[s.ID] = canonicalJSON(sec.Data["data"])
				}
			}

			sum, err, events := c.apply(t, "resumed apply", nil)
			if err != nil {
				t.Fatalf("resumed apply: %v", err)
			}
			// The bootstrap made the passphrase user's objects in the
			// first run; a resumed run finds them unchanged.
			if !sum.Resumed || sum.Skipped != k || sum.Created+sum.Unchanged != n-k || sum.Unchanged > 3 || sum.Failed != 0 {
				t.Errorf("resumed apply: %s, resumed %v; want %d skipped and %d created", sum, sum.Resumed, k, n-k)
			}
			for _, e := range events {
				if e.Type == EventStep && e.Index <= k && e.Result != Skipped {
					t.Errorf("step %d (%s) ran again: %s", e.Index, e.Step, e.Result)
				}
			}

			root := c.rootClient(t)
			c.checkLayout(t, root)
			for id, want := range before {
				sec, err := root.Logical().Read(c.plan.Step(id).Target)
				if err != nil || sec == nil {
					t.Fatalf("read %s: %v", id, err)
				}
				if canonicalJSON(sec.Data["data"]) != want {
					t.Errorf("%s changed value across the resume", id)
				}
				if v := asInt(sec.Data["metadata"].(map[string]any)["version"]); v != 1 {
					t.Errorf("%s has version %d, want 1", id, v)
				}
			}

			// A completed run leaves a complete journal; the next run
			// reads everything again and changes nothing.
			run, _, _ = ReadJournal(context.Background(), c.consul.API(), c.plan.Cluster.Name)
			if run == nil || run.State != runComplete {
				t.Errorf("journal after the resumed run: %+v", run)
			}
			idx := c.storeIndexes(t)
			sum = c.mustApply(t, "third apply")
			if sum.Unchanged != n {
				t.Errorf("third apply: %s", sum)
			}
			if diff := cmp.Diff(idx, c.storeIndexes(t)); diff != "" {
				t.Errorf("third apply changed consul objects:\n%s", diff)
			}
			c.assertNoLeak(t)
		})
	}
}

// TestDifferentPlanStartsFresh interrupts an apply, then applies a
// different plan (one more component): its journal replaces the old one
// instead of resuming it.
func TestDifferentPlanStartsFresh(t *testing.T) {
	c := newCluster(t, 1)
	_, err, _ := c.apply(t, "interrupted apply", func(o *Options) {
		o.AfterStep = func(ran int, _ *compiler.Step) error {
			if ran == 10 {
				return errStop
			}
			return nil
		}
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("interrupted apply: %v", err)
	}
	file, plan := compileFile(t, productionConf, func(s string) string {
		return replaceOnce(t, s, "cluster-monitor: 1", "cluster-monitor: 0")
	})
	if plan.Fingerprint == c.plan.Fingerprint {
		t.Fatal("edited file has the same fingerprint")
	}
	c.file, c.plan = file, plan
	sum := c.mustApply(t, "other plan")
	if sum.Resumed || sum.Skipped != 0 {
		t.Errorf("other plan: %s, resumed %v; want a fresh run", sum, sum.Resumed)
	}
	if sum.Unchanged < 5 {
		t.Errorf("other plan: %s; the steps done by the interrupted run should read back unchanged", sum)
	}
	run, _, err := ReadJournal(context.Background(), c.consul.API(), plan.Cluster.Name)
	if err != nil || run == nil || run.Fingerprint != plan.Fingerprint || run.State != runComplete {
		t.Errorf("journal: %+v, %v", run, err)
	}
}

// TestFailedResumeDropsJournal stops an apply right after it mounted the KV
// engine, then unmounts it behind confc's back. The resumed run skips the
// mount as done and fails on the first KV write; it must drop the journal,
// so that the run after it mounts again and converges instead of failing
// the same way forever.
func TestFailedResumeDropsJournal(t *testing.T) {
	c := newCluster(t, 1)
	mountID := "vault.mount:" + compiler.KVMount
	_, err, _ := c.apply(t, "interrupted", func(o *Options) {
		o.AfterStep = func(_ int, s *compiler.Step) error {
			if s.ID == mountID {
				return errStop
			}
			return nil
		}
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("interrupted apply: %v", err)
	}
	if err := c.rootClient(t).Sys().Unmount(compiler.KVMount); err != nil {
		t.Fatal(err)
	}

	sum, err, events := c.apply(t, "failing resume", nil)
	if err == nil || sum == nil || !sum.Resumed {
		t.Fatalf("resume with the mount gone: %+v, %v; want a resumed run that fails", sum, err)
	}
	dropped := false
	for _, e := range events {
		dropped = dropped || (e.Type == EventNotice && strings.Contains(e.Message, "journal was dropped"))
	}
	if !dropped {
		t.Error("no notice says the journal was dropped")
	}
	run, entries, err := ReadJournal(context.Background(), c.consul.API(), c.plan.Cluster.Name)
	if err != nil || run != nil || len(entries) != 0 {
		t.Fatalf("journal after the failed resume: %+v, %d entries, %v; want none", run, len(entries), err)
	}

	sum, err, _ = c.apply(t, "full run", nil)
	if err != nil || sum.Resumed {
		t.Fatalf("run after the failed resume: %+v, %v; want a full run that converges", sum, err)
	}
	if sec, err := c.rootClient(t).Sys().ListMounts(); err != nil || sec[compiler.KVMount+"/"] == nil {
		t.Fatalf("kv mount after the full run: %v", err)
	}
	c.assertNoLeak(t)
}
