package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/confc/confc/internal/servertest"
)

// TestDevServersScript runs the README's recipe: scripts/dev-servers.sh
// start, confc apply of minimal.conf against the servers it started, then
// stop, after which neither server process may be left. It skips when the
// server binaries are missing (and fails under CI, like the other server
// tests).
func TestDevServersScript(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	vaultBin, consulBin := servertest.VaultBin(t), servertest.ConsulBin(t)
	script, err := filepath.Abs("../../scripts/dev-servers.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dev")
	env := append(os.Environ(),
		"VAULT_BIN="+vaultBin, "CONSUL_BIN="+consulBin,
		"CONFC_DEV_DIR="+dir, "CONFC_DEV_PORT="+strconv.Itoa(freePortRun(t, 5)))
	sh := func(arg string) (string, error) {
		cmd := exec.Command("bash", script, arg)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			err = fmt.Errorf("%s: %w\n%s", arg, err, stderr.String())
		}
		return string(out), err
	}
	pids := func() []int {
		var out []int
		for _, name := range []string{"consul", "vault"} {
			b, err := os.ReadFile(filepath.Join(dir, name+".pid"))
			if err != nil {
				t.Fatalf("no PID file for %s: %v", name, err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, pid)
		}
		return out
	}

	out, err := sh("start")
	started := err == nil
	t.Cleanup(func() {
		if started {
			_, _ = sh("stop")
		}
	})
	if err != nil {
		// A half-started pair must not outlive the test.
		_, _ = sh("stop")
		t.Fatal(err)
	}
	running := pids()

	// The only line on stdout is the export line the README evals.
	line, ok := strings.CutPrefix(strings.TrimSpace(out), "export ")
	if !ok || strings.Contains(line, "\n") {
		t.Fatalf("start printed %q, want one export line", out)
	}
	vars := map[string]string{}
	for _, f := range strings.Fields(line) {
		k, v, _ := strings.Cut(f, "=")
		vars[k] = v
	}
	for _, k := range []string{"VAULT_ADDR", "CONSUL_HTTP_ADDR", "CONSUL_HTTP_TOKEN"} {
		if vars[k] == "" {
			t.Fatalf("start did not set %s: %q", k, out)
		}
		if k != "CONSUL_HTTP_TOKEN" && !strings.HasPrefix(vars[k], "http://127.0.0.1:") {
			t.Errorf("%s=%q is not on loopback", k, vars[k])
		}
		t.Setenv(k, vars[k])
	}

	// A second start keeps the running servers and prints the same line.
	again, err := sh("start")
	if err != nil || again != out {
		t.Errorf("second start: %q, %v; want %q", again, err, out)
	}

	conf, err := filepath.Abs("../../testdata/cluster-conf/minimal.conf")
	if err != nil {
		t.Fatal(err)
	}
	pass := servertest.Canary("passphrase")
	var stdout, stderr bytes.Buffer
	in := strings.NewReader(fmt.Sprintf(`{"clusterPassphrase": %q}`, pass))
	if code := run([]string{"apply", "-c", conf, "--input-json"}, in, &stdout, &stderr); code != 0 {
		t.Fatalf("apply exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String()+stderr.String(), "apply complete:") {
		t.Errorf("no summary in apply output:\n%s\n%s", stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), pass) {
		t.Error("apply output holds the passphrase")
	}

	if _, err := sh("stop"); err != nil {
		t.Fatal(err)
	}
	started = false
	for _, pid := range running {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still runs after stop", pid)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("state folder left after stop: %v", err)
	}
}

// freePortRun returns the first of n consecutive loopback ports that are
// free at the time of the call.
func freePortRun(t *testing.T, n int) int {
	t.Helper()
	for range 50 {
		base := 20000 + rand.IntN(30000)
		ok := true
		for i := range n {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+i))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no run of free ports")
	return 0
}
