package servertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"
)

const (
	// vaultStartTimeout bounds the wait for Vault's HTTP listener.
	vaultStartTimeout = 60 * time.Second
	// vaultReadyTimeout bounds the wait for an unsealed Vault to become
	// active or standby, and for a standby to take over.
	vaultReadyTimeout = 60 * time.Second

	// DefaultVaultPrefix is the Consul key prefix Vault stores its data
	// under unless VaultOptions says otherwise.
	DefaultVaultPrefix = "vault/"
)

// Status codes of GET /v1/sys/health (without query parameters) that the
// harness cares about.
const (
	healthActive  = http.StatusOK                 // unsealed, active
	healthStandby = http.StatusTooManyRequests    // unsealed, standby
	healthUninit  = http.StatusNotImplemented     // not initialized
	healthSealed  = http.StatusServiceUnavailable // sealed
)

// VaultOptions adjusts StartVault. The zero value is what most tests want.
type VaultOptions struct {
	// Prefix is the Consul key prefix for Vault's data; it must end in "/".
	// Empty means DefaultVaultPrefix.
	Prefix string
	// ConsulToken is the Consul ACL token Vault uses. Empty means a new
	// token whose policy allows only what Vault's storage needs: writing
	// under Prefix, creating sessions, registering the "vault" service.
	ConsulToken string
}

// Vault is a running Vault server whose storage is Consul. It starts
// uninitialized and sealed. The zero value is not usable; call StartVault.
//
// The listener is plain HTTP on loopback: confc's TLS handling for Vault is
// exercised with certificates from Vault's PKI engine, not through the
// harness.
type Vault struct {
	// Addr is the API address, "http://127.0.0.1:PORT".
	Addr string
	// ClusterAddr is the address other nodes of an HA cluster use to reach
	// this one, "https://127.0.0.1:PORT".
	ClusterAddr string
	// Prefix is the Consul key prefix Vault stores its data under.
	Prefix string
	// ConsulToken is the Consul ACL token Vault's storage uses.
	ConsulToken string
	// Dir is the server's folder: configuration, HOME and log.
	Dir string
	// LogPath is the file the server's output goes to.
	LogPath string

	// RootToken and UnsealKeys are set by InitAndUnseal; empty before.
	RootToken  string
	UnsealKeys []string

	bin        string
	configPath string
	home       string
	proc       *process
	clients    clientSet
}

// InitResult is what initializing Vault yields.
type InitResult struct {
	// RootToken is the initial root token.
	RootToken string
	// UnsealKeys are the key shares, base64-encoded; InitThreshold of them
	// unseal the server.
	UnsealKeys []string
}

// Key shares made by InitAndUnseal. A threshold below the share count
// proves that unsealing uses a quorum, not every key.
const (
	InitShares    = 3
	InitThreshold = 2
)

// StartVault starts Vault 1.12 (not in dev mode) with storage "consul" on c
// and returns once its API answers. The server is left uninitialized and
// sealed, the state confc's apply meets on a new cluster. It is stopped in
// t.Cleanup.
func StartVault(t testing.TB, c *Consul, opts VaultOptions) *Vault {
	t.Helper()
	bin := VaultBin(t)
	prefix, token := vaultStorageAccess(t, c, opts)
	return startVaultNode(t, bin, c, prefix, token, "vault")
}

// StartVaultHA starts n Vault servers that share one Consul storage prefix
// and so form a high-availability cluster: once unsealed, one is active and
// the others are standbys that forward requests to it. Each node has its
// own api_addr and cluster_addr. Like StartVault, the nodes are
// uninitialized; initialize one with InitAndUnseal, then Unseal the others
// with its keys.
func StartVaultHA(t testing.TB, c *Consul, n int) []*Vault {
	t.Helper()
	if n < 1 {
		t.Fatalf("StartVaultHA: need at least one node, got %d", n)
	}
	bin := VaultBin(t)
	prefix, token := vaultStorageAccess(t, c, VaultOptions{})
	nodes := make([]*Vault, n)
	for i := range nodes {
		nodes[i] = startVaultNode(t, bin, c, prefix, token, fmt.Sprintf("vault-%d", i))
	}
	return nodes
}

// vaultStorageAccess settles the prefix and Consul token a Vault uses,
// creating a least-privilege token unless opts supplies one.
func vaultStorageAccess(t testing.TB, c *Consul, opts VaultOptions) (prefix, token string) {
	t.Helper()
	prefix = opts.Prefix
	if prefix == "" {
		prefix = DefaultVaultPrefix
	}
	if !strings.HasSuffix(prefix, "/") {
		t.Fatalf("vault storage prefix %q must end in %q", prefix, "/")
	}
	if opts.ConsulToken != "" {
		return prefix, opts.ConsulToken
	}
	return prefix, CreateVaultConsulToken(t, c, prefix)
}

// VaultConsulRules returns the Consul ACL rules a Vault server needs to
// use prefix as storage: write its keys, hold sessions for its HA lock,
// and register itself as the "vault" service with health checks.
func VaultConsulRules(prefix string) string {
	return fmt.Sprintf(`key_prefix %q {
  policy = "write"
}
session_prefix "" {
  policy = "write"
}
service "vault" {
  policy = "write"
}
node_prefix "" {
  policy = "read"
}
agent_prefix "" {
  policy = "read"
}
`, prefix)
}

// CreateVaultConsulToken creates, with c's management token, a policy
// with VaultConsulRules(prefix) and a token holding only that policy, and
// returns the token's secret.
func CreateVaultConsulToken(t testing.TB, c *Consul, prefix string) string {
	t.Helper()
	acl := c.API().ACL()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	policy, _, err := acl.PolicyCreate(&consulapi.ACLPolicy{
		Name:        "vault-storage-" + hex.EncodeToString(suffix),
		Description: fmt.Sprintf("Vault storage under %q", prefix),
		Rules:       VaultConsulRules(prefix),
	}, nil)
	if err != nil {
		t.Fatalf("create consul policy for vault: %v", err)
	}
	token, _, err := acl.TokenCreate(&consulapi.ACLToken{
		Description: "vault storage",
		Policies:    []*consulapi.ACLTokenPolicyLink{{ID: policy.ID}},
	}, nil)
	if err != nil {
		t.Fatalf("create consul token for vault: %v", err)
	}
	return token.SecretID
}

func startVaultNode(t testing.TB, bin string, c *Consul, prefix, token, name string) *Vault {
	t.Helper()
	dir := t.TempDir()
	v := &Vault{
		Prefix:      prefix,
		ConsulToken: token,
		Dir:         dir,
		LogPath:     filepath.Join(dir, name+".log"),
		bin:         bin,
		configPath:  filepath.Join(dir, name+".hcl"),
		home:        filepath.Join(dir, "home"),
	}
	if err := os.MkdirAll(v.home, 0o700); err != nil {
		t.Fatal(err)
	}
	attachLog(t, name, v.LogPath)
	t.Cleanup(v.Stop)

	err := v.start(c, true)
	if errors.Is(err, errAddrInUse) {
		t.Logf("%s: a port was taken after it was chosen, retrying with new ports: %v", name, err)
		err = v.start(c, true)
	}
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	return v
}

// start writes the configuration (with new ports when newPorts is set) and
// starts the server, waiting until its API answers.
func (v *Vault) start(c *Consul, newPorts bool) error {
	if newPorts {
		ports, err := freePorts(2)
		if err != nil {
			return err
		}
		v.Addr = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		v.ClusterAddr = fmt.Sprintf("https://127.0.0.1:%d", ports[1])
		config := fmt.Sprintf(`storage "consul" {
  address = %q
  scheme  = "http"
  path    = %q
  token   = %q
}

listener "tcp" {
  address         = %q
  cluster_address = %q
  tls_disable     = true
}

api_addr      = %q
cluster_addr  = %q
disable_mlock = true
ui            = false
log_level     = "info"
`, c.HostPort, v.Prefix, v.ConsulToken,
			strings.TrimPrefix(v.Addr, "http://"), strings.TrimPrefix(v.ClusterAddr, "https://"),
			v.Addr, v.ClusterAddr)
		if err := os.WriteFile(v.configPath, []byte(config), 0o600); err != nil {
			return err
		}
	}

	p, err := startProcess(filepath.Base(strings.TrimSuffix(v.LogPath, ".log")), v.Dir, v.LogPath,
		append(baseEnv(v.home), vaultGodebug), v.bin, "server", "-config="+v.configPath)
	if err != nil {
		return err
	}
	v.proc = p
	err = p.waitFor("a listening API", vaultStartTimeout, func() (bool, error) {
		_, err := v.health()
		return err == nil, err
	})
	if err != nil {
		p.stop()
		return err
	}
	return nil
}

// Restart stops the server and starts it again with the same
// configuration and ports, as a machine reboot would; Vault comes back
// sealed. It fails t if the server does not come back.
func (v *Vault) Restart(t testing.TB) {
	t.Helper()
	v.Stop()
	v.proc = nil
	// The Consul address is already in the configuration file.
	if err := v.start(nil, false); err != nil {
		t.Fatalf("restart vault: %v", err)
	}
}

// health returns the status code of GET /v1/sys/health, which encodes the
// server's state (see the health* constants).
func (v *Vault) health() (int, error) {
	resp, err := probeClient.Get(v.Addr + "/v1/sys/health")
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// probeClient polls server state. Without keep-alive it holds no idle
// connections, so it needs no cleanup and leaves no goroutines behind.
var probeClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true},
	Timeout:   5 * time.Second,
}

// IsActive reports whether the server is unsealed and the active node of
// its cluster.
func (v *Vault) IsActive() bool {
	if !v.Running() {
		return false
	}
	code, err := v.health()
	return err == nil && code == healthActive
}

// API returns a client for this server, authenticated with RootToken when
// InitAndUnseal has run and unauthenticated otherwise. Whatever VAULT_*
// variables the environment holds, the client talks to this server only.
func (v *Vault) API() *vaultapi.Client {
	return v.APIWithToken(v.RootToken)
}

// APIWithToken returns a client for this server that authenticates with
// token; an empty token means none. The client does not retry failed
// requests, so that a test sees the first error a server returns.
func (v *Vault) APIWithToken(token string) *vaultapi.Client {
	cfg := vaultapi.DefaultConfig()
	cfg.Address = v.Addr
	cfg.HttpClient = v.clients.newHTTPClient()
	cfg.MaxRetries = 0
	client, err := vaultapi.NewClient(cfg)
	if err != nil {
		panic(fmt.Sprintf("servertest: vault client: %v", err))
	}
	// NewClient picks up VAULT_TOKEN and VAULT_NAMESPACE from the
	// environment; neither belongs to this server.
	client.ClearNamespace()
	if token == "" {
		client.ClearToken()
	} else {
		client.SetToken(token)
	}
	return client
}

// InitAndUnseal initializes the server with InitShares key shares and a
// threshold of InitThreshold, unseals it, and waits until it is the active
// node. It records the root token and keys on v and returns them.
//
// It is meant for tests of the harness and for tests that need a ready
// Vault as a fixture; confc's own initialization is what apply tests use.
func (v *Vault) InitAndUnseal(t testing.TB) InitResult {
	t.Helper()
	resp, err := v.API().Sys().InitWithContext(context.Background(), &vaultapi.InitRequest{
		SecretShares:    InitShares,
		SecretThreshold: InitThreshold,
	})
	if err != nil {
		t.Fatalf("init vault: %v", err)
	}
	v.RootToken = resp.RootToken
	v.UnsealKeys = resp.KeysB64
	v.Unseal(t, resp.KeysB64)
	// A node enters standby first and becomes active once it holds the HA
	// lock; being the first node unsealed, this one will get it.
	err = v.proc.waitFor("active state", vaultReadyTimeout, func() (bool, error) {
		code, err := v.health()
		return err == nil && code == healthActive, err
	})
	if err != nil {
		t.Fatalf("vault at %s: %v", v.Addr, err)
	}
	return InitResult{RootToken: resp.RootToken, UnsealKeys: resp.KeysB64}
}

// Unseal submits keys until the server is unsealed, then waits until it is
// active or standby. Keys from another node of the same HA cluster work.
// Every node is a standby for a moment after unsealing, even when it is the
// only one; use ActiveVault to wait for an active node.
func (v *Vault) Unseal(t testing.TB, keys []string) {
	t.Helper()
	sys := v.APIWithToken("").Sys()
	unsealed := false
	for _, k := range keys {
		st, err := sys.Unseal(k)
		if err != nil {
			t.Fatalf("unseal vault at %s: %v", v.Addr, err)
		}
		if !st.Sealed {
			unsealed = true
			break
		}
	}
	if !unsealed {
		t.Fatalf("vault at %s still sealed after %d keys", v.Addr, len(keys))
	}
	err := v.proc.waitFor("active or standby state", vaultReadyTimeout, func() (bool, error) {
		code, err := v.health()
		return err == nil && (code == healthActive || code == healthStandby), err
	})
	if err != nil {
		t.Fatalf("vault at %s: %v", v.Addr, err)
	}
}

// ActiveVault waits until exactly one running node in nodes is active and
// returns it, failing t after a minute. Stopped nodes are ignored, so it
// also serves to wait for a standby to take over.
func ActiveVault(t testing.TB, nodes []*Vault) *Vault {
	t.Helper()
	deadline := time.Now().Add(vaultReadyTimeout)
	for {
		var active []*Vault
		for _, n := range nodes {
			if n.IsActive() {
				active = append(active, n)
			}
		}
		if len(active) == 1 {
			return active[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no single active vault node after %v (%d active)", vaultReadyTimeout, len(active))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// PID returns the server's process ID.
func (v *Vault) PID() int { return v.proc.pid() }

// Running reports whether the server process is still alive.
func (v *Vault) Running() bool { return v.proc != nil && !v.proc.exited() }

// Stop shuts the server down by PID: SIGTERM, which lets an active node
// release its HA lock, then SIGKILL after a grace period. It waits for the
// process to exit. It is called by t.Cleanup; calling it earlier is
// allowed.
func (v *Vault) Stop() {
	if v.proc != nil {
		v.proc.stop()
	}
	v.clients.closeIdle()
}

// Kill ends the server with SIGKILL, as a crash would: an active node
// keeps its HA lock until the Consul session expires.
func (v *Vault) Kill() {
	if v.proc != nil {
		v.proc.kill()
	}
	v.clients.closeIdle()
}

// vaultGodebug lets Vault 1.12 start when built with a recent Go: a
// dependency parses bundled CA certificates with negative serial numbers
// at start-up, which Go rejects by default since 1.23. The binaries from
// scripts/build-servers.sh already default to it (see the godebug line in
// tools/servers/vault/go.mod); the variable covers a VAULT_BIN built some
// other way.
const vaultGodebug = "GODEBUG=x509negativeserial=1"
