package servertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"
)

func TestConsulACLsDenyByDefault(t *testing.T) {
	t.Parallel()
	c := StartConsul(t)

	if !strings.HasPrefix(c.Addr, "http://127.0.0.1:") {
		t.Errorf("consul address %q is not on loopback", c.Addr)
	}

	// Anonymous requests: plain HTTP, because the client library would
	// fill in CONSUL_HTTP_TOKEN from the environment.
	for _, path := range []string{"/v1/kv/anything", "/v1/acl/tokens", "/v1/agent/self"} {
		resp, err := http.Get(c.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous GET %s: status %d (%s), want 403", path, resp.StatusCode, strings.TrimSpace(string(body)))
		}
	}

	// The management token may write and read.
	kv := c.API().KV()
	if _, err := kv.Put(&consulapi.KVPair{Key: "servertest/x", Value: []byte("1")}, nil); err != nil {
		t.Fatalf("put with management token: %v", err)
	}
	pair, _, err := kv.Get("servertest/x", nil)
	if err != nil || pair == nil || string(pair.Value) != "1" {
		t.Fatalf("get with management token: pair %v, error %v", pair, err)
	}

	// A token without policies is denied like the anonymous one.
	tok, _, err := c.API().ACL().TokenCreate(&consulapi.ACLToken{Description: "no rights"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.APIWithToken(tok.SecretID).KV().Put(&consulapi.KVPair{Key: "servertest/y", Value: []byte("1")}, nil)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("write with a token without policies: error %v, want a 403", err)
	}

	// Only one leader, and it is this agent.
	leader, err := c.API().Status().Leader()
	if err != nil || leader == "" {
		t.Errorf("leader %q, error %v", leader, err)
	}
}

func TestVaultOnConsul(t *testing.T) {
	t.Parallel()
	c := StartConsul(t)
	const prefix = "servertest/vault/"
	v := StartVault(t, c, VaultOptions{Prefix: prefix})

	// A new Vault is uninitialized and sealed.
	code, err := v.health()
	if err != nil || code != healthUninit {
		t.Fatalf("health of a new vault: %d, %v; want %d", code, err, healthUninit)
	}
	initialized, err := v.API().Sys().InitStatus()
	if err != nil || initialized {
		t.Fatalf("init status of a new vault: %v, %v; want false", initialized, err)
	}

	res := v.InitAndUnseal(t)
	if res.RootToken == "" || len(res.UnsealKeys) != InitShares {
		t.Fatalf("init gave root token %t and %d keys, want a token and %d keys",
			res.RootToken != "", len(res.UnsealKeys), InitShares)
	}
	if !v.IsActive() {
		t.Fatal("unsealed single vault is not active")
	}

	// KV version 2 mount, write, read.
	client := v.API()
	ctx := context.Background()
	err = client.Sys().MountWithContext(ctx, "secret", &vaultapi.MountInput{
		Type: "kv", Options: map[string]string{"version": "2"},
	})
	if err != nil {
		t.Fatalf("mount kv v2: %v", err)
	}
	canary := Canary("vault-kv")
	putKV(t, client, "secret", "app/config", map[string]any{"password": canary})
	got, err := client.KVv2("secret").Get(ctx, "app/config")
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if got.Data["password"] != canary {
		t.Fatal("value read back differs from the value written")
	}

	// Vault's data is in Consul, under its prefix only, and encrypted.
	keys, _, err := c.API().KV().Keys("", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var logical int
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			t.Errorf("consul key %q is outside vault's prefix %q", k, prefix)
		}
		if strings.HasPrefix(k, prefix+"logical/") {
			logical++
		}
	}
	if logical == 0 {
		t.Errorf("no mount data under %q in consul (%d keys in all)", prefix+"logical/", len(keys))
	}
	dump := DumpConsulKV(t, c)
	AssertNoSecret(t, map[string][]byte{"consul kv": dump}, append([]string{canary, res.RootToken}, res.UnsealKeys...)...)

	// Vault's own Consul token is confined to its prefix.
	_, err = c.APIWithToken(v.ConsulToken).KV().Put(&consulapi.KVPair{Key: "elsewhere/x", Value: []byte("1")}, nil)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("vault's consul token wrote outside its prefix: error %v, want a 403", err)
	}
	if v.ConsulToken == c.Token {
		t.Error("vault uses the consul management token")
	}

	// Restarting comes back sealed with the data intact: storage is Consul,
	// not memory.
	v.Restart(t)
	code, err = v.health()
	if err != nil || code != healthSealed {
		t.Fatalf("health after restart: %d, %v; want %d (sealed)", code, err, healthSealed)
	}
	v.Unseal(t, res.UnsealKeys[:InitThreshold])
	ActiveVault(t, []*Vault{v})
	got, err = v.API().KVv2("secret").Get(ctx, "app/config")
	if err != nil || got.Data["password"] != canary {
		t.Fatalf("value after restart and unseal: error %v, equal %t", err, err == nil && got.Data["password"] == canary)
	}

	// The server ran with HOME in its own folder.
	if _, err := os.Stat(filepath.Join(v.Dir, "home")); err != nil {
		t.Errorf("vault home folder: %v", err)
	}
}

// putKV writes to a KV version 2 mount, retrying while a fresh mount is
// still being upgraded in the background.
func putKV(t *testing.T, client *vaultapi.Client, mount, path string, data map[string]any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := client.KVv2(mount).Put(context.Background(), path, data)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("write %s/%s: %v", mount, path, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestVaultHAFailover(t *testing.T) {
	t.Parallel()
	c := StartConsul(t)
	nodes := StartVaultHA(t, c, 3)

	addrs := map[string]bool{}
	for _, n := range nodes {
		addrs[n.Addr] = true
		addrs[n.ClusterAddr] = true
	}
	if len(addrs) != 6 {
		t.Fatalf("api and cluster addresses are not distinct: %v", addrs)
	}

	res := nodes[0].InitAndUnseal(t)
	for _, n := range nodes[1:] {
		n.Unseal(t, res.UnsealKeys)
		n.RootToken = res.RootToken
	}

	active := ActiveVault(t, nodes)
	standbys := 0
	for _, n := range nodes {
		if code, err := n.health(); err == nil && code == healthStandby {
			standbys++
		}
	}
	if standbys != 2 {
		t.Fatalf("%d standby nodes, want 2", standbys)
	}

	// A standby forwards writes to the active node over the cluster port.
	var standby *Vault
	for _, n := range nodes {
		if n != active {
			standby = n
			break
		}
	}
	ctx := context.Background()
	if err := standby.API().Sys().MountWithContext(ctx, "secret", &vaultapi.MountInput{
		Type: "kv", Options: map[string]string{"version": "2"},
	}); err != nil {
		t.Fatalf("mount through a standby: %v", err)
	}
	canary := Canary("ha")
	putKV(t, standby.API(), "secret", "ha", map[string]any{"v": canary})

	// Stop the active node; another takes over and has the data.
	oldPID := active.PID()
	active.Stop()
	if active.Running() || processAlive(oldPID) {
		t.Fatalf("stopped node (pid %d) still running", oldPID)
	}
	next := ActiveVault(t, nodes)
	if next == active {
		t.Fatal("the stopped node is still reported active")
	}
	got, err := next.API().KVv2("secret").Get(ctx, "ha")
	if err != nil || got.Data["v"] != canary {
		t.Fatalf("read on the new active node: error %v", err)
	}
}

func TestCleanupLeavesNoProcesses(t *testing.T) {
	t.Parallel()
	var pids []int
	t.Run("servers", func(t *testing.T) {
		c := StartConsul(t)
		v := StartVault(t, c, VaultOptions{})
		pids = append(pids, c.PID(), v.PID())
		for _, pid := range pids {
			if !processAlive(pid) {
				t.Fatalf("pid %d not running while the test runs", pid)
			}
		}
	})
	if t.Failed() {
		return
	}
	if len(pids) == 0 {
		t.Skip("servers not available, see the subtest's skip message")
	}
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("process %d outlived its test", pid)
		}
		if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process group %d outlived its test (signal 0: %v)", pid, err)
		}
	}
}

// TestServersDieWithTestBinary runs this test again in a child process
// that starts Consul and then dies by SIGKILL, so that no cleanup runs;
// the kernel must still take Consul down with it.
func TestServersDieWithTestBinary(t *testing.T) {
	if os.Getenv("SERVERTEST_CHILD") == "1" {
		c := StartConsul(t)
		fmt.Printf("consul pid=%d\n", c.PID())
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	if runtime.GOOS != "linux" {
		t.Skip("servers are tied to the test binary's life on linux only")
	}
	ConsulBin(t) // skip here, not in the child, when there is no binary
	t.Parallel()

	cmd := exec.Command(os.Args[0], "-test.run=^TestServersDieWithTestBinary$", "-test.count=1")
	// The child's t.TempDir() then lives in ours and is removed with it.
	cmd.Env = append(os.Environ(), "SERVERTEST_CHILD=1", "TMPDIR="+t.TempDir())
	out, err := cmd.Output()
	m := regexp.MustCompile(`consul pid=(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("child printed no consul pid (exit: %v); output:\n%s", err, out)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(-pid, syscall.SIGKILL)
			t.Fatalf("consul (pid %d) outlived the killed test binary", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processAlive reports whether a process with this PID exists and has not
// ended. A zombie counts as ended: whether its new parent reaps it quickly
// depends on the machine, not on the harness.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: trust the signal
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}
