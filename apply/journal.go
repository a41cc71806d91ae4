package apply

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// JournalRun is the value of a journal's run key.
type JournalRun struct {
	// Fingerprint is the plan's fingerprint.
	Fingerprint string `json:"fingerprint"`
	// State is "running" until every step ran, then "complete".
	State string `json:"state"`
	// Started and Finished bound the run; Finished is zero while running.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
}

// JournalEntry records one finished step. It never holds a value.
type JournalEntry struct {
	// Step is the step's ID.
	Step string `json:"step"`
	// Result is what the step did.
	Result Result `json:"result"`
	// Time is when it finished.
	Time time.Time `json:"time"`
}

// The states of a journal run.
const (
	runRunning  = "running"
	runComplete = "complete"
)

// txnMax is the most operations Consul accepts in one transaction.
const txnMax = 64

// journal records finished steps in Consul under
// confc/<cluster>/journal/<fingerprint>/.
type journal struct {
	c       *consulapi.Client
	retry   RetryPolicy
	cluster string
	fp      string
	run     JournalRun
	done    map[string]JournalEntry // steps an interrupted run finished
	pending []JournalEntry          // unchanged steps not written yet
}

// openJournal loads the journal of the plan. A journal of another plan is
// deleted (a different plan starts fresh); a complete journal of the same
// plan is reset, so the run reads and compares every step again; an
// unfinished one is resumed.
func openJournal(ctx context.Context, c *consulapi.Client, p RetryPolicy, cluster, fp string, now time.Time) (*journal, error) {
	j := &journal{c: c, retry: p, cluster: cluster, fp: fp, done: map[string]JournalEntry{}}
	prefix := JournalPrefix(cluster)
	var pairs consulapi.KVPairs
	err := consulDo(ctx, p, "kv/"+prefix, "key:read", func() error {
		var err error
		pairs, _, err = c.KV().List(prefix, (&consulapi.QueryOptions{}).WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, err
	}
	mine := prefix + fpKey(fp) + "/"
	var run *JournalRun
	entries := map[string]JournalEntry{}
	foreign := false
	for _, kv := range pairs {
		rest, ok := strings.CutPrefix(kv.Key, mine)
		if !ok {
			foreign = true
			continue
		}
		if rest == "run" {
			var jr JournalRun
			if json.Unmarshal(kv.Value, &jr) == nil {
				run = &jr
			}
			continue
		}
		if id, ok := strings.CutPrefix(rest, "steps/"); ok {
			var e JournalEntry
			if json.Unmarshal(kv.Value, &e) == nil && e.Step == id {
				entries[id] = e
			}
		}
	}
	if foreign {
		if err := j.deleteTree(ctx, prefix); err != nil {
			return nil, err
		}
		run, entries = nil, nil
		// The tree is gone, mine included; start over below.
	}

	if run != nil && run.State == runRunning {
		j.run = *run
		j.done = entries
		return j, nil
	}
	if run != nil || len(entries) > 0 {
		if err := j.deleteTree(ctx, mine); err != nil {
			return nil, err
		}
	}
	j.run = JournalRun{Fingerprint: fp, State: runRunning, Started: now.UTC()}
	if err := j.put(ctx, journalRunKey(cluster, fp), j.run); err != nil {
		return nil, err
	}
	return j, nil
}

// resuming reports whether an interrupted run left finished steps.
func (j *journal) resuming() bool { return len(j.done) > 0 }

// discard deletes this plan's journal, so that the next run starts fresh.
func (j *journal) discard(ctx context.Context) error {
	j.pending = nil
	return j.deleteTree(ctx, JournalPrefix(j.cluster)+fpKey(j.fp)+"/")
}

func (j *journal) deleteTree(ctx context.Context, prefix string) error {
	return consulDo(ctx, j.retry, "kv/"+prefix, "key:write", func() error {
		_, err := j.c.KV().DeleteTree(prefix, (&consulapi.WriteOptions{}).WithContext(ctx))
		return err
	})
}

func (j *journal) put(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return consulDo(ctx, j.retry, "kv/"+key, "key:write", func() error {
		_, err := j.c.KV().Put(&consulapi.KVPair{Key: key, Value: b}, (&consulapi.WriteOptions{}).WithContext(ctx))
		return err
	})
}

// record notes a finished step. A step that changed something is written
// at once (with any entries waiting), so a resumed run never repeats it; an
// unchanged step only waits in memory for the next write, since repeating
// its read costs little. That keeps a run that changes nothing to a few
// Consul writes.
func (j *journal) record(ctx context.Context, e JournalEntry) error {
	j.pending = append(j.pending, e)
	if e.Result == Unchanged && len(j.pending) < txnMax {
		return nil
	}
	return j.flush(ctx)
}

// flush writes the waiting entries, one transaction per 64.
func (j *journal) flush(ctx context.Context) error {
	for len(j.pending) > 0 {
		n := min(len(j.pending), txnMax)
		ops := make(consulapi.KVTxnOps, 0, n)
		for _, e := range j.pending[:n] {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			ops = append(ops, &consulapi.KVTxnOp{Verb: consulapi.KVSet, Key: journalStepKey(j.cluster, j.fp, e.Step), Value: b})
		}
		err := consulDo(ctx, j.retry, "txn", "key:write", func() error {
			ok, resp, _, err := j.c.KV().Txn(ops, (&consulapi.QueryOptions{}).WithContext(ctx))
			if err == nil && !ok && resp != nil && len(resp.Errors) > 0 {
				return consulapi.StatusError{Code: 409, Body: resp.Errors[0].What}
			}
			return err
		})
		if err != nil {
			return err
		}
		j.pending = j.pending[n:]
	}
	return nil
}

// complete marks the run complete, so the next run of this plan reads and
// compares every step again.
func (j *journal) complete(ctx context.Context, now time.Time) error {
	if err := j.flush(ctx); err != nil {
		return err
	}
	j.run.State = runComplete
	j.run.Finished = now.UTC()
	return j.put(ctx, journalRunKey(j.cluster, j.fp), j.run)
}

// ReadJournal returns the journal of a cluster: its run record and entries,
// for status commands and tests. It returns nil when there is none.
func ReadJournal(ctx context.Context, c *consulapi.Client, cluster string) (*JournalRun, []JournalEntry, error) {
	prefix := JournalPrefix(cluster)
	var pairs consulapi.KVPairs
	err := consulDo(ctx, DefaultRetry, "kv/"+prefix, "key:read", func() error {
		var err error
		pairs, _, err = c.KV().List(prefix, (&consulapi.QueryOptions{}).WithContext(ctx))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var run *JournalRun
	var entries []JournalEntry
	for _, kv := range pairs {
		if strings.HasSuffix(kv.Key, "/run") && !strings.Contains(kv.Key, "/steps/") {
			var jr JournalRun
			if json.Unmarshal(kv.Value, &jr) == nil {
				run = &jr
			}
			continue
		}
		var e JournalEntry
		if json.Unmarshal(kv.Value, &e) == nil {
			entries = append(entries, e)
		}
	}
	return run, entries, nil
}
