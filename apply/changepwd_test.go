package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/confc/confc/internal/servertest"
)

// works checks that pass both unseals a restarted Vault and logs in.
func (c *cluster) works(t *testing.T, label, pass string) {
	t.Helper()
	c.vaults[0].Restart(t)
	res, err := Unseal(context.Background(), c.secOptions(pass, label+" unseal"))
	c.keepErr(label+" unseal", err)
	if err != nil || len(res.Unsealed) != 1 {
		t.Fatalf("%s: unseal after restart: %+v, %v", label, res, err)
	}
	servertest.ActiveVault(t, c.vaults)
	if err := c.loginWith(t, pass); err != nil {
		t.Fatalf("%s: login: %v", label, err)
	}
}

func (c *cluster) stagingExists(t *testing.T) bool {
	t.Helper()
	p, _, err := c.consul.API().KV().Get(UnsealKeysNextKey(c.plan.Cluster.Name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p != nil
}

// change runs a passphrase change in-process.
func (c *cluster) change(label, old, next string, after func(string) error) (*ChangeResult, error) {
	o := ChangeOptions{SecurityOptions: c.secOptions(old, label), NewPassphrase: next, AfterStep: after}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := ChangePassphrase(ctx, o)
	c.keepErr(label, err)
	return res, err
}

// TestChangePassphraseInterrupted stops a passphrase change after each of
// its steps in turn. After every stop the passphrase the state machine
// promises (the old one before the switch, the new one from the switch on)
// unseals a restarted Vault and logs in; then a re-run with the same two
// passphrases completes, after which only the new passphrase works and no
// staging bundle is left.
func TestChangePassphraseInterrupted(t *testing.T) {
	c := newSecurityCluster(t, "")
	used := []string{c.pass}
	for k, step := range ChangeSteps {
		old, next := c.pass, servertest.Canary(fmt.Sprintf("passphrase-%d", k+1))
		used = append(used, next)
		label := "stopped after " + step
		_, err := c.change(label, old, next, func(s string) error {
			if s == step {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("%s: %v", label, err)
		}
		if info, err := ReadLock(context.Background(), c.consul.API(), c.plan.Cluster.Name); err != nil || info.Held {
			t.Fatalf("%s: lock %+v, %v; want released", label, info, err)
		}
		switched := k >= 2 // the switch is the third step
		survivor, other := old, next
		if switched {
			survivor, other = next, old
		}
		c.works(t, label, survivor)
		if err := c.loginWith(t, other); err == nil {
			t.Errorf("%s: the other passphrase logs in too", label)
		}
		// apply with the passphrase Vault no longer takes is refused with
		// the usual message, not mistaken for an unfinished first run.
		if switched {
			c.pass = old
			_, err, _ := c.apply(t, label+" apply with old", nil)
			wantLoginError(t, label+": apply with the old passphrase", err)
		} else {
			c.pass = old
			c.mustApply(t, label+" apply with old")
		}

		res, err := c.change(label+", re-run", old, next, nil)
		if err != nil {
			t.Fatalf("%s: re-run: %v", label, err)
		}
		done := step == ChangeStepCleanup
		if res.Resumed != (switched && !done) || res.AlreadyDone != done {
			t.Errorf("%s: re-run %+v, want resumed=%v already_done=%v", label, res, switched && !done, done)
		}
		if c.stagingExists(t) {
			t.Errorf("%s: the staging bundle is left after the re-run", label)
		}
		c.pass = next
		c.works(t, label+", after re-run", next)
		if err := c.loginWith(t, old); err == nil {
			t.Errorf("%s: the old passphrase still logs in after the re-run", label)
		}
		_, err = Unseal(context.Background(), c.secOptions(old, label+" unseal old"))
		if err != nil && !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s: unseal with the old passphrase: %v", label, err)
		}
		if sum := c.mustApply(t, label+" apply with new"); sum.Changed() {
			t.Errorf("%s: apply after the change changed things: %s", label, sum)
		}
	}
	c.assertNoLeak(t, append(used, c.bundle(t).Keys...)...)
}

// TestChangePassphraseRefusals: a wrong current passphrase writes nothing;
// a short new one and an unchanged one are refused before any server is
// contacted.
func TestChangePassphraseRefusals(t *testing.T) {
	c := newSecurityCluster(t, "")
	before := servertest.DumpConsulKV(t, c.consul)
	_, err := c.change("wrong current", "wrong-passphrase", servertest.Canary("new"), nil)
	wantLoginError(t, "changepwd with a wrong current passphrase", err)
	if !bytes.Equal(before, servertest.DumpConsulKV(t, c.consul)) {
		t.Error("a refused change wrote to consul")
	}
	if err := c.loginWith(t, c.pass); err != nil {
		t.Errorf("the passphrase stopped working after a refused change: %v", err)
	}
	for _, tc := range []struct{ what, next, want string }{
		{"short", "short", "at least 8 characters"},
		{"same", c.pass, "the new passphrase is the current one"},
	} {
		o := ChangeOptions{SecurityOptions: c.secOptions(c.pass, tc.what), NewPassphrase: tc.next}
		o.Conn.VaultAddrs = []string{"http://127.0.0.1:1"}
		if _, err := ChangePassphrase(context.Background(), o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s new passphrase: %v, want %q", tc.what, err, tc.want)
		}
	}
	c.assertNoLeak(t)
}

// TestKillDuringChangePassphrase kills a "confc security changepwd"
// process with SIGKILL as soon as its staging bundle appears in Consul:
// the cluster still takes the old or the new passphrase for unseal and
// login, and a re-run (after freeing the dead process's lock) completes.
func TestKillDuringChangePassphrase(t *testing.T) {
	c := newSecurityCluster(t, "")
	old, next := c.pass, servertest.Canary("new-passphrase")
	conf, _ := filepath.Abs(minimalConf)
	changepwd := func(label string) *exec.Cmd {
		input, _ := json.Marshal(Input{ClusterPassphrase: old, NewClusterPassphrase: next})
		cmd := exec.Command(confcBinary(t), "security", "changepwd", "-c", conf, "--input-json")
		cmd.Stdin = bytes.NewReader(input)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
			"CONSUL_HTTP_TOKEN=" + c.consul.Token, "CONSUL_HTTP_ADDR=" + c.consul.Addr,
			"VAULT_ADDR=" + strings.Join(c.vaultAddrs(), ","),
		}
		return cmd
	}

	// Watch the staging key with a blocking query so that the kill lands
	// right after the stage step, while the switch may be in flight.
	api := c.consul.API()
	key := UnsealKeysNextKey(c.plan.Cluster.Name)
	_, meta, err := api.KV().Get(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := changepwd("killed")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	index := meta.LastIndex
	for {
		p, m, err := api.KV().Get(key, &consulapi.QueryOptions{WaitIndex: index, WaitTime: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		index = m.LastIndex
		if p != nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("no staging bundle appeared within a minute:\n%s\n%s", stdout.Bytes(), stderr.Bytes())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	c.outputs["killed stdout"], c.outputs["killed stderr"] = stdout.Bytes(), stderr.Bytes()
	if cmd.ProcessState.Success() {
		t.Log("the change finished before the kill landed")
	}

	// Whichever passphrase logs in must also unseal.
	survivor := old
	if c.loginWith(t, old) != nil {
		survivor = next
	}
	t.Logf("after the kill the %s passphrase works (staging bundle left: %v)",
		map[bool]string{true: "old", false: "new"}[survivor == old], c.stagingExists(t))
	c.works(t, "after the kill", survivor)

	if _, err := ForceRelease(context.Background(), api, c.plan.Cluster.Name); err != nil {
		t.Fatal(err)
	}
	rerun := changepwd("re-run")
	out, err := rerun.CombinedOutput()
	c.outputs["re-run output"] = out
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "cluster passphrase changed") && !strings.Contains(string(out), "nothing to change") {
		t.Errorf("re-run output %q", out)
	}
	if c.stagingExists(t) {
		t.Error("the staging bundle is left after the re-run")
	}
	c.pass = next
	c.works(t, "after the re-run", next)
	if c.loginWith(t, old) == nil {
		t.Error("the old passphrase still logs in")
	}
	c.assertNoLeak(t, append([]string{old, next}, c.bundle(t).Keys...)...)
}

// TestChangePassphraseResumeRace resumes an interrupted change while a
// second run finishes the same change between the first one's login and its
// lock: the first run must see under the lock that nothing is left to do.
func TestChangePassphraseResumeRace(t *testing.T) {
	c := newSecurityCluster(t, "")
	old, next := c.pass, servertest.Canary("passphrase-new")
	_, err := c.change("interrupted", old, next, func(s string) error {
		if s == ChangeStepSwitch {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("interrupted change: %v", err)
	}
	var resB *ChangeResult
	var errB error
	res, err := c.change("A", old, next, func(s string) error {
		if s == ChangeStepLogin {
			resB, errB = c.change("B", old, next, nil)
		}
		return nil
	})
	if errB != nil || resB == nil || !resB.Resumed {
		t.Fatalf("run B: %+v, %v; want it to resume and finish the change", resB, errB)
	}
	if err != nil || res == nil || !res.AlreadyDone || res.Resumed {
		t.Fatalf("run A: %+v, %v; want it to find the change already done", res, err)
	}
	pair, _, err := c.consul.API().KV().Get(UnsealKeysKey(c.plan.Cluster.Name), nil)
	if err != nil || pair == nil || !opensWith(pair.Value, next) {
		t.Fatalf("the bundle does not open with the new passphrase: %v", err)
	}
	if staged, _, _ := c.consul.API().KV().Get(UnsealKeysNextKey(c.plan.Cluster.Name), nil); staged != nil {
		t.Error("the staging bundle is still there")
	}
	c.assertNoLeak(t, next)
}
