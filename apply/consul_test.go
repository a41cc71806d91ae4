package apply

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confc/confc/internal/servertest"
)

// TestLock takes the apply lock, shows that a second taker fails within
// two seconds naming the holder, and that ReadLock and ForceRelease see
// and free it.
func TestLock(t *testing.T) {
	c := servertest.StartConsul(t)
	api := c.API()
	conn := Conn{ConsulAddr: c.Addr, ConsulToken: c.Token}
	ctx := context.Background()
	h := Holder{Host: "ci-7", User: "deployer", PID: 4242, Start: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), Fingerprint: "sha256:0123456789abcdef"}

	l, err := acquireLock(ctx, conn, DefaultRetry, "lab", h)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = acquireLock(ctx, conn, DefaultRetry, "lab", Holder{Host: "other", User: "x", PID: 1})
	var le *LockedError
	if !errors.As(err, &le) || le.Holder == nil || *le.Holder != h {
		t.Fatalf("second lock: %v, want a LockedError naming %v", err, h)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the second taker waited %v", d)
	}
	const want = `another apply holds the lock "confc/lab/lock": deployer@ci-7 (pid 4242) since 2026-12-03T10:00:00Z, plan sha256:0123456789ab`
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}

	info, err := ReadLock(ctx, api, "lab")
	if err != nil || !info.Held || info.Holder == nil || info.Holder.PID != 4242 {
		t.Fatalf("ReadLock: %+v, %v", info, err)
	}
	if _, err := ForceRelease(ctx, api, "lab"); err != nil {
		t.Fatal(err)
	}
	info, err = ReadLock(ctx, api, "lab")
	if err != nil || info.Held {
		t.Fatalf("after ForceRelease: %+v, %v", info, err)
	}
	select {
	case <-l.lost:
	case <-time.After(10 * time.Second):
		t.Error("the holder was not told that it lost the lock")
	}
	l.release()

	// Free again: a new apply takes it at once.
	l2, err := acquireLock(ctx, conn, DefaultRetry, "lab", h)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.release()
	info, _ = ReadLock(ctx, api, "lab")
	if info.Held {
		t.Error("lock still held after release")
	}
}

// TestJournal records steps, reopens an unfinished journal (resume),
// completes it (the next open starts over), and drops the journal of
// another plan.
func TestJournal(t *testing.T) {
	c := servertest.StartConsul(t)
	api := c.API()
	ctx := context.Background()
	now := time.Now()

	j, err := openJournal(ctx, api, DefaultRetry, "lab", "sha256:aaaa", now)
	if err != nil {
		t.Fatal(err)
	}
	if j.resuming() {
		t.Fatal("a new journal resumes")
	}
	// Unchanged steps wait in memory; a change writes them all.
	for _, e := range []JournalEntry{{Step: "a:1", Result: Unchanged}, {Step: "b:2", Result: Unchanged}} {
		if err := j.record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, entries, _ := ReadJournal(ctx, api, "lab"); len(entries) != 0 {
		t.Errorf("%d entries written for unchanged steps, want 0 until a change", len(entries))
	}
	if err := j.record(ctx, JournalEntry{Step: "c:x/y", Result: Created}); err != nil {
		t.Fatal(err)
	}
	if _, entries, _ := ReadJournal(ctx, api, "lab"); len(entries) != 3 {
		t.Errorf("%d entries after a change, want 3", len(entries))
	}
	for i := range 70 {
		if err := j.record(ctx, JournalEntry{Step: "u:" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Result: Unchanged}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Reopened unfinished: resumes with every entry.
	j, err = openJournal(ctx, api, DefaultRetry, "lab", "sha256:aaaa", now)
	if err != nil {
		t.Fatal(err)
	}
	if !j.resuming() || len(j.done) != 73 {
		t.Fatalf("reopened journal: %d done, want 73", len(j.done))
	}
	if err := j.complete(ctx, now); err != nil {
		t.Fatal(err)
	}
	run, _, _ := ReadJournal(ctx, api, "lab")
	if run == nil || run.State != runComplete {
		t.Fatalf("run after complete: %+v", run)
	}

	// Reopened complete: starts over.
	j, err = openJournal(ctx, api, DefaultRetry, "lab", "sha256:aaaa", now)
	if err != nil {
		t.Fatal(err)
	}
	if j.resuming() {
		t.Error("a complete journal was resumed")
	}
	_ = j.record(ctx, JournalEntry{Step: "a:1", Result: Created})

	// Another plan: the old journal goes.
	j, err = openJournal(ctx, api, DefaultRetry, "lab", "sha256:bbbb", now)
	if err != nil {
		t.Fatal(err)
	}
	if j.resuming() {
		t.Error("another plan's journal was resumed")
	}
	run, entries, _ := ReadJournal(ctx, api, "lab")
	if run == nil || run.Fingerprint != "sha256:bbbb" || len(entries) != 0 {
		t.Errorf("after switching plans: run %+v, %d entries", run, len(entries))
	}
}

// TestLockOutlivesRequestTimeout holds the lock for longer than the
// lock's watch could ride out failed checks if each of its blocking
// queries ran into the HTTP request timeout: the watch must not mistake its
// own quiet query for a dead server and report the lock lost.
func TestLockOutlivesRequestTimeout(t *testing.T) {
	c := servertest.StartConsul(t)
	conn := Conn{ConsulAddr: c.Addr, ConsulToken: c.Token, Timeout: time.Second}
	hold := time.Duration(lockMonitorRetries+1)*(conn.Timeout+lockMonitorRetryTime) + time.Second
	ctx := context.Background()
	l, err := acquireLock(ctx, conn, DefaultRetry, "quiet", CurrentHolder("sha256:1", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	select {
	case <-l.lost:
		t.Fatal("the lock was reported lost although its session is alive")
	case <-time.After(hold):
	}
	info, err := ReadLock(ctx, c.API(), "quiet")
	if err != nil || !info.Held {
		t.Fatalf("after %v: %+v, %v; want the lock still held", hold, info, err)
	}
	// A real loss is still seen.
	if _, err := ForceRelease(ctx, c.API(), "quiet"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.lost:
	case <-time.After(10 * time.Second):
		t.Error("the holder was not told that it lost the lock")
	}
}

// Taking the lock is retried: just after Consul starts, a session create
// can get a 500 for a few seconds.
func TestLockRetriedAfterServerError(t *testing.T) {
	c := servertest.StartConsul(t)
	target, err := url.Parse(c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/session/create" && refused.Add(1) == 1 {
			http.Error(w, "Missing node registration", http.StatusInternalServerError)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	conn := Conn{ConsulAddr: proxy.URL, ConsulToken: c.Token}
	p := RetryPolicy{Attempts: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, Total: 10 * time.Second}
	l, err := acquireLock(context.Background(), conn, p, "startup", CurrentHolder("sha256:1", time.Now()))
	if err != nil {
		t.Fatalf("lock after one 500: %v", err)
	}
	defer l.release()
	if n := refused.Load(); n < 2 {
		t.Errorf("%d session creates, want a retry after the 500", n)
	}
}

// The lock's client never waits longer per request than lockRequestTimeout,
// so an apply that loses Consul learns it within about 18 s, whatever its
// own request timeout.
func TestLockConnBoundsTimeout(t *testing.T) {
	for _, tc := range []struct {
		what string
		in   time.Duration
		want time.Duration
	}{
		{"default 30 s timeout is cut", 0, lockRequestTimeout},
		{"long timeout is cut", time.Minute, lockRequestTimeout},
		{"shorter timeout is kept", time.Second, time.Second},
	} {
		got := lockConn(Conn{Timeout: tc.in}).Timeout
		if got != tc.want {
			t.Errorf("%s: lockConn(Timeout=%v).Timeout = %v, want %v", tc.what, tc.in, got, tc.want)
		}
	}
	worst := time.Duration(lockMonitorRetries) * (lockRequestTimeout + lockMonitorRetryTime)
	if worst > 20*time.Second {
		t.Errorf("a lost Consul is noticed only after %v, later than Consul frees an unrenewed session (at most 20 s)", worst)
	}
}
