package apply

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/dconf"
)

// Options configure one apply or refresh.
type Options struct {
	// Plan is the plan to run. The caller has checked that it matches
	// File (compiler.CheckFresh).
	Plan *compiler.Plan
	// File is the parsed cluster.conf the plan was compiled from; the
	// cluster-conf: secret sources are read from it.
	File *dconf.File
	// Conn says how to reach Vault and Consul.
	Conn Conn
	// Passphrase is the cluster passphrase.
	Passphrase string
	// Answers supplies prompt answers.
	Answers Answers
	// Reporter receives progress events; nil discards them.
	Reporter Reporter
	// Retry bounds retries of each request; the zero value is
	// DefaultRetry.
	Retry RetryPolicy
	// Holder describes this apply in the lock; the zero value describes
	// the current process.
	Holder Holder
	// ReinitVault lets the first run initialize an uninitialized Vault
	// although Consul already holds the unseal keys of an earlier one; the
	// earlier bundle is copied to a backup key first. Without it such a
	// run is refused with an *UnsealKeysExistError.
	ReinitVault bool
	// AfterStep, when set, is called after each step that ran, with the
	// number of steps run so far. A non-nil error stops the apply there,
	// as an interruption would: the lock is released, the journal stays
	// unfinished and the next run resumes. Tests use it to stop at a given
	// step.
	AfterStep func(n int, s *compiler.Step) error

	// beforeWrite, when set, is called between a step's read and its
	// write; tests use it to play a concurrent writer.
	beforeWrite func(s *compiler.Step)
}

// runner holds the state of one run.
type runner struct {
	plan       *compiler.Plan
	file       *dconf.File
	conn       Conn
	retry      RetryPolicy
	passphrase string
	answers    Answers
	// reinitVault is Options.ReinitVault.
	reinitVault bool
	rep         Reporter
	refreshing  bool

	v            *vaultConn
	perAddr      map[string]*vaultapi.Client
	c            *consulapi.Client
	closeConsul  func()
	keys         *UnsealBundle
	loggedIn     bool
	bootstrapped map[string]Result
	tokenSecrets map[string]string

	current     *compiler.Step // the step running, for beforeWrite
	beforeWrite func(s *compiler.Step)
}

func newRunner(o *Options) (*runner, error) {
	if o.Plan == nil {
		return nil, errors.New("no plan")
	}
	if o.Plan.Cluster.Name == "" {
		return nil, errors.New("the plan names no cluster")
	}
	if err := CheckPassphrase(o.Passphrase); err != nil {
		return nil, err
	}
	v, err := newVaultConn(o.Conn, o.Retry)
	if err != nil {
		return nil, err
	}
	c, closeIdle, err := newConsulClient(o.Conn)
	if err != nil {
		return nil, err
	}
	rep := o.Reporter
	if rep == nil {
		rep = discard{}
	}
	return &runner{
		plan: o.Plan, file: o.File, conn: o.Conn, retry: o.Retry.orDefault(),
		passphrase: o.Passphrase, answers: o.Answers, reinitVault: o.ReinitVault, rep: rep,
		v: v, perAddr: map[string]*vaultapi.Client{}, c: c, closeConsul: closeIdle,
		bootstrapped: map[string]Result{}, tokenSecrets: map[string]string{},
		beforeWrite: o.beforeWrite,
	}, nil
}

func (r *runner) close() {
	r.v.closeIdle()
	for _, c := range r.perAddr {
		if t, ok := c.CloneConfig().HttpClient.Transport.(interface{ CloseIdleConnections() }); ok {
			t.CloseIdleConnections()
		}
	}
	r.closeConsul()
}

func (r *runner) notice(format string, args ...any) {
	r.rep.Report(Event{Type: EventNotice, Time: time.Now().UTC(), Message: fmt.Sprintf(format, args...)})
}

// Apply runs the plan: it takes the cluster lock, brings Vault up (first
// run: initialize and bootstrap; later: unseal and log in), then runs the
// steps not finished by an interrupted run of the same plan. It returns the
// summary in every case where steps ran, with an error when the apply did
// not complete.
func Apply(ctx context.Context, o Options) (sum *Summary, err error) {
	start := time.Now()
	if err := CheckPassphrase(o.Passphrase); err != nil {
		return nil, err
	}
	if err := CheckAnswers(o.Plan, o.Answers); err != nil {
		return nil, err
	}
	r, err := newRunner(&o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	sum = &Summary{}
	defer func() {
		sum.Seconds = time.Since(start).Seconds()
		sum.Complete = err == nil
		ev := Event{Type: EventDone, Time: time.Now().UTC(), Summary: sum}
		if err != nil {
			ev.Message = err.Error()
		}
		r.rep.Report(ev)
	}()

	// Everything that can show a wrong passphrase runs before the lock
	// and before any write.
	st, err := r.status(ctx)
	if err != nil {
		return sum, err
	}
	recoverBootstrap := false
	if st.initialized {
		if err := r.unsealAll(ctx, st.sealed); err != nil {
			return sum, err
		}
		if err := r.login(ctx); err != nil {
			if !errors.Is(err, ErrInvalidCredentials) {
				return sum, err
			}
			// Vault refused the passphrase. If the bundle opens with it,
			// the passphrase is right and the user is missing: a first
			// run stopped before it made the user.
			// While a passphrase change is half done the bundles open
			// with a passphrase Vault no longer takes (security.go).
			if _, berr := r.bundle(ctx); berr != nil || r.passphraseChangePending(ctx) {
				return sum, err
			}
			recoverBootstrap = true
		}
	}
	defer r.logout(ctx)

	holder := o.Holder
	if holder.PID == 0 {
		holder = CurrentHolder(r.plan.Fingerprint, time.Now())
	}
	lock, err := acquireLock(ctx, r.conn, r.retry, r.plan.Cluster.Name, holder)
	if err != nil {
		return sum, err
	}
	defer lock.release()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-lock.lost:
			cancel(errors.New("the apply lock was lost (its Consul session ended)"))
		case <-ctx.Done():
		}
	}()

	if !st.initialized || recoverBootstrap {
		if err := r.firstRun(ctx, recoverBootstrap); err != nil {
			return sum, lockLost(ctx, err)
		}
	}

	j, err := openJournal(ctx, r.c, r.retry, r.plan.Cluster.Name, r.plan.Fingerprint, time.Now())
	if err != nil {
		return sum, lockLost(ctx, err)
	}
	if j.resuming() {
		sum.Resumed = true
		r.notice("resuming an interrupted apply of this plan: %d steps already done", len(j.done))
	}

	total := len(r.plan.Steps)
	r.rep.Report(Event{Type: EventStart, Time: time.Now().UTC(), Total: total})
	ran := 0
	for i, s := range r.plan.Steps {
		ev := Event{Type: EventStep, Step: s.ID, Kind: string(s.Kind), Target: s.Target, Index: i + 1, Total: total}
		if _, ok := j.done[s.ID]; ok {
			ev.Result, ev.Time = Skipped, time.Now().UTC()
			sum.add(Skipped)
			r.rep.Report(ev)
			continue
		}
		res, err := r.runStep(ctx, s, true)
		if err == nil && res == Unchanged {
			if b, ok := r.bootstrapped[s.ID]; ok {
				res = b
			}
		}
		ev.Time = time.Now().UTC()
		if err != nil {
			err = lockLost(ctx, err)
			ev.Result, ev.Message = Failed, err.Error()
			sum.add(Failed)
			r.rep.Report(ev)
			r.keepOrDiscardJournal(ctx, j)
			return sum, &StepError{Step: s.ID, Err: err}
		}
		ev.Result = res
		sum.add(res)
		if err := j.record(ctx, JournalEntry{Step: s.ID, Result: res, Time: ev.Time}); err != nil {
			return sum, fmt.Errorf("recording step %s in the journal: %w", s.ID, lockLost(ctx, err))
		}
		r.rep.Report(ev)
		ran++
		if o.AfterStep != nil {
			if err := o.AfterStep(ran, s); err != nil {
				_ = j.flush(context.WithoutCancel(ctx))
				return sum, err
			}
		}
	}
	if err := j.complete(ctx, time.Now()); err != nil {
		return sum, fmt.Errorf("marking the journal complete: %w", lockLost(ctx, err))
	}
	return sum, nil
}

// keepOrDiscardJournal decides what a failed step leaves for the next run.
// After a first failure the finished steps are kept, so the next run
// resumes after them. When a resumed run fails too, the journal may be what
// keeps it failing: a step it skips as done may have had its object removed
// outside confc since, and a later step that needs that object fails on
// every resume. So a resumed run that fails drops the journal, and the next
// run reads and compares every step. That costs only reads, because every
// step checks before it writes; the journal just saves time. With the lock
// lost the journal is left alone, since another apply may own it now.
func (r *runner) keepOrDiscardJournal(ctx context.Context, j *journal) {
	if !j.resuming() {
		_ = j.flush(context.WithoutCancel(ctx))
		return
	}
	if ctx.Err() != nil {
		return
	}
	if err := j.discard(ctx); err == nil {
		r.notice("a resumed apply failed; its journal was dropped, so the next run reads and compares every step")
	}
}

// lockLost replaces a cancellation caused by a lost lock with its cause.
func lockLost(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && errors.Is(err, context.Canceled) {
		return &ResumableError{Err: cause}
	}
	return err
}

// firstRun initializes Vault (or, when recovering, makes a root token from
// the bundle), unseals it, bootstraps the passphrase login, revokes the root
// token and logs in.
func (r *runner) firstRun(ctx context.Context, recovering bool) error {
	// Another apply may have initialized Vault between the status read
	// and the lock.
	st, err := r.status(ctx)
	if err != nil {
		return err
	}
	var root string
	switch {
	case !st.initialized:
		root, err = r.initVault(ctx)
		if err != nil {
			return err
		}
		st, err = r.status(ctx)
		if err != nil {
			return err
		}
		if err := r.unsealAll(ctx, st.sealed); err != nil {
			return err
		}
	case recovering:
		b, err := r.bundle(ctx)
		if err != nil {
			return err
		}
		r.notice("the passphrase user is missing: finishing an interrupted first run with a root token generated from the unseal keys")
		err = r.v.do(ctx, "sys/generate-root", "update", func(c *vaultapi.Client) error {
			var err error
			root, err = GenerateRoot(ctx, c, b.Keys)
			return err
		})
		if err != nil {
			return err
		}
	default:
		// Initialized by a concurrent first run that has finished.
		if err := r.unsealAll(ctx, st.sealed); err != nil {
			return err
		}
		return r.login(ctx)
	}

	if err := r.waitActive(ctx); err != nil {
		return err
	}
	// TODO: a crash between the init (or root generation) above and the
	// revocation below leaves a valid root token in Vault with no TTL.
	// Nobody holds it, since it was never written or printed, but nothing
	// revokes it either; docs/apply.md says how to find and revoke it.
	berr := r.bootstrap(ctx, root)
	if rerr := r.revokeRoot(ctx, root); rerr != nil && berr == nil {
		berr = rerr
	}
	root = ""
	if berr != nil {
		return berr
	}
	return r.login(ctx)
}

// waitActive waits until the cluster has an active node that serves
// requests (just after an unseal it may still be electing one).
func (r *runner) waitActive(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		var h *vaultapi.HealthResponse
		err := r.v.do(ctx, "sys/health", "read", func(c *vaultapi.Client) error {
			var err error
			h, err = c.Sys().HealthWithContext(ctx)
			return err
		})
		if err == nil && h.Initialized && !h.Sealed {
			// A standby answers too and forwards to the active node, but
			// only once one is elected; ask the leader endpoint.
			var ok bool
			_ = r.v.do(ctx, "sys/leader", "read", func(c *vaultapi.Client) error {
				l, err := c.Sys().LeaderWithContext(ctx)
				ok = err == nil && l.LeaderAddress != ""
				return err
			})
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return &ResumableError{Err: errors.New("vault has no active node after unsealing")}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Refresh reads Vault and Consul and sets each step's Status (create,
// update, no-op, or unknown when it cannot be read) without writing
// anything: no lock, no unseal, no journal. It logs in to Vault with the
// passphrase when Vault is initialized and unsealed.
func Refresh(ctx context.Context, o Options) error {
	r, err := newRunner(&o)
	if err != nil {
		return err
	}
	defer r.close()
	r.refreshing = true

	st, err := r.status(ctx)
	if err != nil {
		return err
	}
	vaultReady := st.initialized && len(st.sealed) < st.reachable
	if vaultReady {
		if err := r.login(ctx); err != nil {
			return err
		}
		defer r.logout(ctx)
	} else if st.initialized {
		r.notice("vault is sealed: its steps are marked unknown")
	} else {
		r.notice("vault is not initialized: every vault step will create its target")
	}

	for _, s := range o.Plan.Steps {
		isVault := s.Kind.Service() == "vault"
		switch {
		case isVault && !st.initialized:
			s.Status = compiler.StatusCreate
			continue
		case isVault && !vaultReady:
			s.Status = compiler.StatusUnknown
			continue
		}
		res, err := r.runStep(ctx, s, false)
		switch {
		case errors.Is(err, errNoValue):
			s.Status = compiler.StatusUnknown
		case err != nil:
			var pe *PermissionError
			if !errors.As(err, &pe) {
				return &StepError{Step: s.ID, Err: err}
			}
			r.notice("%s: %v", s.ID, err)
			s.Status = compiler.StatusUnknown
		case res == Created:
			s.Status = compiler.StatusCreate
		case res == Updated:
			s.Status = compiler.StatusUpdate
		default:
			s.Status = compiler.StatusNoop
		}
	}
	o.Plan.Refreshed = true
	return nil
}

// lookupDotted finds the string at a dotted path ("a.b.0.c") in the file.
func lookupDotted(f *dconf.File, dotted string) (string, bool) {
	if f == nil || f.Root == nil {
		return "", false
	}
	var v dconf.Value = f.Root
	for _, part := range strings.Split(dotted, ".") {
		switch n := v.(type) {
		case *dconf.Map:
			e := n.Get(part)
			if e == nil {
				return "", false
			}
			v = e.Value
		case *dconf.Array:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Elems) {
				return "", false
			}
			v = n.Elems[i]
		default:
			return "", false
		}
	}
	s, ok := v.(*dconf.String)
	if !ok {
		return "", false
	}
	return s.Value, true
}
