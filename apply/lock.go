package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// Holder describes the apply holding the cluster lock; it is the lock
// key's value.
type Holder struct {
	// Host is the host name of the machine running the apply.
	Host string `json:"host"`
	// User is the user running it.
	User string `json:"user"`
	// PID is its process ID.
	PID int `json:"pid"`
	// Start is when it took the lock.
	Start time.Time `json:"start"`
	// Fingerprint is the fingerprint of the plan it applies.
	Fingerprint string `json:"fingerprint"`
	// Command, when set, names the confc command holding the lock instead
	// of an apply (for example "confc security changepwd").
	Command string `json:"command,omitempty"`
}

// String describes the holder for messages: user@host, pid, start time and
// plan.
func (h *Holder) String() string {
	if h.Command != "" {
		return fmt.Sprintf("%s@%s (pid %d) since %s, running %s", h.User, h.Host, h.PID,
			h.Start.UTC().Format(time.RFC3339), h.Command)
	}
	return fmt.Sprintf("%s@%s (pid %d) since %s, plan %s", h.User, h.Host, h.PID,
		h.Start.UTC().Format(time.RFC3339), shortFP(h.Fingerprint))
}

// CurrentHolder describes this process.
func CurrentHolder(fingerprint string, now time.Time) Holder {
	h := Holder{PID: os.Getpid(), Start: now.UTC().Truncate(time.Second), Fingerprint: fingerprint}
	h.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		h.User = u.Username
	} else {
		h.User = os.Getenv("USER")
	}
	return h
}

func shortFP(fp string) string {
	if len(fp) > len("sha256:")+12 {
		return fp[:len("sha256:")+12]
	}
	return fp
}

// lockSessionTTL is the TTL of the lock's session. The session is renewed
// while the apply runs; after a crash Consul frees the lock within about
// twice this time (or at once with "confc lock release --force").
const lockSessionTTL = "10s"

// lockWait is how long a second apply waits for the lock before it gives
// up: short, so that it fails fast.
const lockWait = 500 * time.Millisecond

// lockMonitorRetries and lockMonitorRetryTime let the lock ride out a
// short Consul outage, such as a leader election answering 500 for a
// moment: the lock counts as lost only after this many failed checks in a
// row, or at once when Consul says another session holds the key.
//
// lockRequestTimeout bounds each request of the lock's own client, whatever
// the apply's request timeout. Together they decide how late an apply that
// can no longer reach Consul learns that its lock may be gone: at most about
// lockMonitorRetries × (lockRequestTimeout + lockMonitorRetryTime), 18 s,
// close to the 10 to 20 s after which Consul ends the unrenewed session and
// lets another apply in. With the apply's own 30 s timeout and 5 retries
// that gap was over two minutes.
const (
	lockMonitorRetries   = 3
	lockMonitorRetryTime = time.Second
	lockRequestTimeout   = 5 * time.Second
)

// lockConn returns conn with the request timeout of the lock's client.
func lockConn(conn Conn) Conn {
	conn.Timeout = min(timeoutOf(conn), lockRequestTimeout)
	return conn
}

// clusterLock is a held apply lock.
type clusterLock struct {
	lock      *consulapi.Lock
	lost      <-chan struct{}
	closeIdle func()
}

// lockWaitFor is how long one blocking query of the lock's watch may wait
// on the server. It stays well below the HTTP timeout of a request (Consul
// adds up to a sixteenth of it as jitter), so that a quiet but healthy lock
// is never mistaken for an unreachable server.
func lockWaitFor(c Conn) time.Duration {
	return timeoutOf(c) / 2
}

// acquireLock takes the apply lock of the cluster or returns a
// *LockedError naming the holder. The lock gets its own Consul client,
// whose blocking queries end before its request timeout.
func acquireLock(ctx context.Context, conn Conn, p RetryPolicy, cluster string, h Holder) (*clusterLock, error) {
	conn = lockConn(conn)
	c, closeIdle, err := newConsulClientWait(conn, lockWaitFor(conn))
	if err != nil {
		return nil, err
	}
	l, err := tryLock(ctx, c, p, cluster, h)
	if err != nil {
		closeIdle()
		return nil, err
	}
	l.closeIdle = closeIdle
	return l, nil
}

func tryLock(ctx context.Context, c *consulapi.Client, p RetryPolicy, cluster string, h Holder) (*clusterLock, error) {
	key := LockKey(cluster)
	value, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	var (
		l    *consulapi.Lock
		lost <-chan struct{}
	)
	// Taking the lock is retried like any request: just after Consul
	// starts it answers 500 ("Missing node registration") to a session
	// create for a few seconds.
	err = consulDo(ctx, p, "kv/"+key, "write", func() error {
		var err error
		l, err = c.LockOpts(&consulapi.LockOptions{
			Key:              key,
			Value:            value,
			SessionName:      "confc apply " + cluster,
			SessionTTL:       lockSessionTTL,
			LockTryOnce:      true,
			LockWaitTime:     lockWait,
			MonitorRetries:   lockMonitorRetries,
			MonitorRetryTime: lockMonitorRetryTime,
			// Without a lock delay a crashed apply's lock is free as soon
			// as its session ends; the journal, not the delay, protects
			// the next run.
			LockDelay: time.Millisecond,
		})
		if err != nil {
			return fmt.Errorf("consul lock %q: %w", key, err)
		}
		lost, err = l.Lock(ctx.Done())
		return err
	})
	if err != nil {
		if errors.Is(err, consulapi.ErrLockConflict) {
			return nil, fmt.Errorf("consul key %q exists but is not a confc lock; remove it", key)
		}
		return nil, fmt.Errorf("cannot take the apply lock: %w", err)
	}
	if lost == nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		info, _ := ReadLock(ctx, c, cluster)
		le := &LockedError{Key: key}
		if info != nil {
			le.Holder = info.Holder
		}
		return nil, le
	}
	return &clusterLock{lock: l, lost: lost}, nil
}

// release gives the lock up; the session is destroyed with it.
func (l *clusterLock) release() {
	_ = l.lock.Unlock()
	_ = l.lock.Destroy()
	if l.closeIdle != nil {
		l.closeIdle()
	}
}

// LockInfo is the state of an apply lock.
type LockInfo struct {
	// Key is the lock's Consul key.
	Key string `json:"key"`
	// Held reports whether a live session holds it.
	Held bool `json:"held"`
	// Session is the holding session's ID.
	Session string `json:"session,omitempty"`
	// Holder is the apply that holds it or, when free, the one that held it
	// last if that one crashed or was released by force (a normal release
	// deletes the key).
	Holder *Holder `json:"holder,omitempty"`
}

// ReadLock reads the apply lock of a cluster. A missing key is a free lock.
func ReadLock(ctx context.Context, c *consulapi.Client, cluster string) (*LockInfo, error) {
	key := LockKey(cluster)
	pair, err := readPair(ctx, c, DefaultRetry, key)
	if err != nil {
		return nil, err
	}
	info := &LockInfo{Key: key}
	if pair == nil {
		return info, nil
	}
	info.Session = pair.Session
	info.Held = pair.Session != ""
	var h Holder
	if json.Unmarshal(pair.Value, &h) == nil && h.PID != 0 {
		info.Holder = &h
	}
	return info, nil
}

// ForceRelease ends the session holding the apply lock, so that a lock
// left by a killed apply is free at once. It returns the lock as it was.
// Releasing the lock of an apply that is still running lets a second apply
// run beside it; the caller must make sure the holder is gone.
func ForceRelease(ctx context.Context, c *consulapi.Client, cluster string) (*LockInfo, error) {
	info, err := ReadLock(ctx, c, cluster)
	if err != nil || !info.Held {
		return info, err
	}
	err = consulDo(ctx, DefaultRetry, "session/destroy/"+info.Session, "write", func() error {
		_, err := c.Session().Destroy(info.Session, (&consulapi.WriteOptions{}).WithContext(ctx))
		return err
	})
	return info, err
}
