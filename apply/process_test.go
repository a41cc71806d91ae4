package apply

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/confc/confc/compiler"
	"github.com/confc/confc/internal/servertest"
	"github.com/confc/confc/internal/testbin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Remove()
	// The engine must leave no goroutine behind (lock renewal, progress
	// bar, idle HTTP connections).
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// confcBinary builds cmd/confc once per test run, for the tests that need
// a real process to kill or to race.
func confcBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping: builds confc")
	}
	return testbin.Confc(t)
}

// proc is a confc process.
type proc struct {
	cmd    *exec.Cmd
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	start  time.Time
	wall   time.Duration
}

// command prepares "confc ARGS" against the cluster, with the passphrase
// and answers on stdin and the Consul token in the environment.
func (c *cluster) command(t *testing.T, args ...string) *proc {
	t.Helper()
	bin := confcBinary(t)
	input, err := json.Marshal(Input{ClusterPassphrase: c.pass, Prompts: c.answers})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(input)
	home := t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"CONSUL_HTTP_TOKEN=" + c.consul.Token,
		"CONSUL_HTTP_ADDR=" + c.consul.Addr,
		"VAULT_ADDR=" + strings.Join(c.vaultAddrs(), ","),
	}
	p := &proc{cmd: cmd, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	return p
}

func (c *cluster) applyArgs(extra ...string) []string {
	conf, _ := filepath.Abs(productionConf)
	return append([]string{"apply", "-c", conf, "--input-json"}, extra...)
}

// run runs the process to its end and keeps its output for the canary
// search.
func (c *cluster) run(t *testing.T, label string, p *proc) int {
	t.Helper()
	p.cmd.Stdout = p.stdout
	p.start = time.Now()
	err := p.cmd.Run()
	p.wall = time.Since(p.start)
	c.outputs[label+" stdout"] = p.stdout.Bytes()
	c.outputs[label+" stderr"] = p.stderr.Bytes()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	return 0
}

// TestKillDuringApply kills a confc process with SIGKILL once it has
// finished k steps, shows the lock still held by the dead process, frees
// it with "confc lock release --force", and applies again: the new run
// resumes, converges, and no generated secret changes.
func TestKillDuringApply(t *testing.T) {
	c := newCluster(t, 1)
	const k = 60
	p := c.command(t, c.applyArgs("--json")...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	sc := bufio.NewScanner(io.TeeReader(out, &seen))
	killed := false
	for sc.Scan() {
		var e Event
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Type == EventStep && e.Index == k {
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	_, _ = io.Copy(io.Discard, out)
	_ = p.cmd.Wait()
	c.outputs["killed stdout"] = seen.Bytes()
	c.outputs["killed stderr"] = p.stderr.Bytes()
	if !killed {
		t.Fatalf("the apply ended before step %d:\n%s\n%s", k, seen.Bytes(), p.stderr.Bytes())
	}

	user := c.userClient(t)
	before := map[string]string{}
	for _, s := range c.plan.Steps[:k] {
		if s.Kind == compiler.KindVaultKVGenerate {
			sec, err := user.Logical().Read(s.Target)
			if err != nil || sec == nil {
				t.Fatalf("read %s: %v", s.Target, err)
			}
			before[s.ID] = canonicalJSON(sec.Data["data"])
		}
	}

	conf, _ := filepath.Abs(productionConf)
	st := c.command(t, "lock", "status", "-c", conf)
	if code := c.run(t, "lock status", st); code != 0 || !strings.Contains(st.stdout.String(), "is held by") ||
		!strings.Contains(st.stdout.String(), fmt.Sprintf("(pid %d)", p.cmd.Process.Pid)) {
		t.Errorf("lock status: exit %d, %q; want held by pid %d", code, st.stdout, p.cmd.Process.Pid)
	}
	// The dead process's lock makes a new apply fail fast.
	blocked := c.command(t, c.applyArgs()...)
	if code := c.run(t, "blocked apply", blocked); code != 1 || !strings.Contains(blocked.stderr.String(), "another apply holds the lock") {
		t.Errorf("apply under the dead lock: exit %d, stderr %q", code, blocked.stderr)
	}
	rel := c.command(t, "lock", "release", "--force", "-c", conf)
	if code := c.run(t, "lock release", rel); code != 0 || !strings.Contains(rel.stdout.String(), "released lock") {
		t.Errorf("lock release: exit %d, %q %q", code, rel.stdout, rel.stderr)
	}

	again := c.command(t, c.applyArgs("--json")...)
	if code := c.run(t, "resumed apply", again); code != 0 {
		t.Fatalf("resumed apply: exit %d\n%s", code, again.stderr)
	}
	events := parseEvents(t, again.stdout.Bytes())
	done := events[len(events)-1]
	if done.Type != EventDone || done.Summary == nil || !done.Summary.Resumed || done.Summary.Skipped < k || done.Summary.Failed != 0 || !done.Summary.Complete {
		t.Errorf("resumed apply ended with %+v; want a resumed run skipping at least %d steps", done, k)
	}

	root := c.rootClient(t)
	c.checkLayout(t, root)
	for id, want := range before {
		sec, err := root.Logical().Read(c.plan.Step(id).Target)
		if err != nil || sec == nil {
			t.Fatal(err)
		}
		if canonicalJSON(sec.Data["data"]) != want {
			t.Errorf("%s changed value across the kill", id)
		}
	}
	secrets := append([]string{c.componentToken(t).SecretID}, c.bundle(t).Keys...)
	for _, v := range c.generatedSecrets(t, root) {
		secrets = append(secrets, v)
	}
	c.assertNoLeak(t, secrets...)
}

// TestConcurrentApplies starts two applies at the same time: one runs, the
// other exits non-zero within two seconds and names the holder.
func TestConcurrentApplies(t *testing.T) {
	c := newCluster(t, 1)
	confcBinary(t) // build before the clock starts
	procs := []*proc{c.command(t, c.applyArgs()...), c.command(t, c.applyArgs()...)}
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.cmd.Stdout = p.stdout
			p.start = time.Now()
			err := p.cmd.Run()
			p.wall = time.Since(p.start)
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				codes[i] = ee.ExitCode()
			} else if err != nil {
				codes[i] = -1
			}
		}()
	}
	wg.Wait()
	for i, p := range procs {
		c.outputs[fmt.Sprintf("apply %d stdout", i)] = p.stdout.Bytes()
		c.outputs[fmt.Sprintf("apply %d stderr", i)] = p.stderr.Bytes()
	}
	win, lose := 0, 1
	if codes[0] != 0 {
		win, lose = 1, 0
	}
	if codes[win] != 0 || codes[lose] != 1 {
		t.Fatalf("exit codes %v, want one 0 and one 1\n0: %s\n1: %s", codes, procs[0].stderr, procs[1].stderr)
	}
	msg := procs[lose].stderr.String()
	holder := fmt.Sprintf("(pid %d)", procs[win].cmd.Process.Pid)
	if !strings.Contains(msg, "another apply holds the lock") || !strings.Contains(msg, holder) {
		t.Errorf("loser's message %q does not name the holder %s", msg, holder)
	}
	if procs[lose].wall > 2*time.Second {
		t.Errorf("the second apply took %v to give up, want under 2s", procs[lose].wall)
	}
	t.Logf("winner %v, loser gave up after %v", procs[win].wall, procs[lose].wall)
	c.assertNoLeak(t)
}

// TestHAFailover applies to three Vault servers and stops the active one
// part way: the apply follows the new active node and completes, or stops
// with a resumable error and completes when run again.
func TestHAFailover(t *testing.T) {
	c := newCluster(t, 3)
	var stopped *servertest.Vault
	sum, err, _ := c.apply(t, "apply with failover", func(o *Options) {
		o.AfterStep = func(ran int, _ *compiler.Step) error {
			if ran == 30 {
				stopped = servertest.ActiveVault(t, c.vaults)
				stopped.Stop()
			}
			return nil
		}
	})
	if stopped == nil {
		t.Fatalf("the apply stopped before step 30: %v", err)
	}
	if err != nil {
		var re *ResumableError
		if !errors.As(err, &re) {
			t.Fatalf("apply with failover: %v; want success or a resumable error", err)
		}
		t.Logf("apply stopped with a resumable error: %v", err)
		sum = c.mustApply(t, "apply after failover")
		if !sum.Resumed {
			t.Errorf("apply after failover did not resume: %s", sum)
		}
	} else {
		t.Logf("apply followed the new active node: %s", sum)
	}
	active := servertest.ActiveVault(t, c.vaults)
	if active == stopped {
		t.Fatal("the stopped node is active")
	}
	c.checkLayout(t, c.rootClient(t))
	sum = c.mustApply(t, "apply on the new active node")
	if sum.Changed() {
		t.Errorf("apply after failover changed things: %s", sum)
	}
	c.assertNoLeak(t)
}
