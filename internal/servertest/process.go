package servertest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long a server may take to shut down after SIGTERM before
// it is killed. Vault steps down and releases its HA lock in this time.
const stopGrace = 10 * time.Second

// logTailLines is how many lines of a server log are attached to a failed
// test; enough to show a startup error without burying the test's output.
const logTailLines = 40

// errAddrInUse reports that a server could not bind a port that was free a
// moment earlier, so a start with fresh ports is worth one more try.
var errAddrInUse = errors.New("address already in use")

// process is one server process, the leader of its own process group so
// that anything it spawns is stopped with it.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string

	done    chan struct{} // closed once the process has been reaped
	waitErr error         // valid after done is closed

	stopOnce sync.Once
}

// startProcess runs bin with args in dir, appending its output to logPath.
// env is the complete environment: nothing is inherited, so that settings
// such as VAULT_TOKEN or CONSUL_HTTP_TOKEN of the developer's shell cannot
// change how the server behaves.
func startProcess(name, dir, logPath string, env []string, bin string, args ...string) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log of %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// pid returns the process ID, which is also its process group ID.
func (p *process) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after stopGrace,
// and returns once the process has been reaped. Calling it again is a no-op.
func (p *process) stop() {
	p.stopOnce.Do(func() {
		p.signalGroup(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			p.signalGroup(syscall.SIGKILL)
			<-p.done
		}
		// Children that ignored SIGTERM must not outlive their leader.
		p.signalGroup(syscall.SIGKILL)
	})
}

// kill ends the process group at once with SIGKILL, like a crash or power
// loss would, and returns once the process has been reaped.
func (p *process) kill() {
	p.stopOnce.Do(func() {
		p.signalGroup(syscall.SIGKILL)
		<-p.done
	})
}

func (p *process) signalGroup(sig syscall.Signal) {
	// A negative PID addresses the whole process group. ESRCH only means
	// the group is already gone.
	_ = syscall.Kill(-p.pid(), sig)
}

// exitError describes why a process ended before it became ready, using
// its log to tell a port clash (worth a retry) from other failures.
func (p *process) exitError() error {
	<-p.done
	log, _ := os.ReadFile(p.logPath)
	if bytes.Contains(log, []byte("address already in use")) {
		return fmt.Errorf("%s exited (%v): %w", p.name, p.waitErr, errAddrInUse)
	}
	return fmt.Errorf("%s exited before it was ready (%v); log %q", p.name, p.waitErr, p.logPath)
}

// waitFor calls ready every interval until it reports true, the process
// exits, or timeout passes. The last error from ready is part of the
// timeout message because it usually says what the server is waiting for.
func (p *process) waitFor(what string, timeout time.Duration, ready func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ok, err := ready()
		if ok {
			return nil
		}
		lastErr = err
		if p.exited() {
			return p.exitError()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not reached after %v (last error: %v)", p.name, what, timeout, lastErr)
		}
		select {
		case <-p.done:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// attachLog logs the end of the file at path when t has failed, so that a
// server's own account of a problem appears next to the failed assertion.
// Register it before the cleanup that stops the process, so that it runs
// after it and includes the shutdown messages.
func attachLog(t testing.TB, label, path string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Logf("%s log %q unreadable: %v", label, path, err)
			return
		}
		t.Logf("last lines of %s log %q:\n%s", label, path, tail(string(data), logTailLines))
	})
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePorts returns n distinct loopback ports that were free for both TCP
// and UDP (Consul's gossip uses both) a moment ago.
//
// The ports are released before the server binds them, so another process
// may take one in between. Starts therefore retry once with new ports when
// a server reports "address already in use".
func freePorts(n int) ([]int, error) {
	var closers []func() error
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	var ports []int
	for attempts := 0; len(ports) < n; attempts++ {
		if attempts > 10*n {
			return nil, errors.New("cannot find free loopback ports")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen on loopback: %w", err)
		}
		closers = append(closers, l.Close)
		port := l.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			// Keep the TCP listener open so this port is not offered again.
			continue
		}
		closers = append(closers, pc.Close)
		ports = append(ports, port)
	}
	return ports, nil
}

// baseEnv is the environment every server starts with: a PATH, and a HOME
// inside the test's folder so that nothing (such as the Vault CLI's token
// file) is written to the developer's home.
func baseEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
	}
}
