package servertest

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// consulStartTimeout bounds the wait for a leader and working ACLs; a
// single server with raft_multiplier 1 usually needs a few seconds, but the
// test machine may be busy compiling.
const consulStartTimeout = 90 * time.Second

// Consul is a running single-server Consul agent with ACLs enabled and
// default_policy "deny". The zero value is not usable; call StartConsul.
type Consul struct {
	// Addr is the HTTP API address, "http://127.0.0.1:PORT".
	Addr string
	// HostPort is Addr without the scheme, as Vault's storage stanza and
	// consulapi.Config.Address want it.
	HostPort string
	// Token is the initial management token, which may do anything.
	Token string
	// Dir is the agent's folder: configuration, data and log.
	Dir string
	// LogPath is the file the agent's output goes to.
	LogPath string

	proc    *process
	clients clientSet
}

// StartConsul starts a Consul server agent in t.TempDir() and returns once
// it has elected itself leader and accepts its management token. The agent
// is stopped in t.Cleanup.
//
// It listens on loopback only, on ports chosen at random: HTTP, server RPC
// and LAN gossip. DNS, HTTPS, gRPC and WAN gossip are switched off.
func StartConsul(t testing.TB) *Consul {
	t.Helper()
	bin := ConsulBin(t)
	dir := t.TempDir()
	c := &Consul{Dir: dir, Token: newUUID(), LogPath: filepath.Join(dir, "consul.log")}
	attachLog(t, "consul", c.LogPath)
	t.Cleanup(c.Stop)

	err := c.start(bin, 0)
	if errors.Is(err, errAddrInUse) {
		t.Logf("consul: a port was taken after it was chosen, retrying with new ports: %v", err)
		err = c.start(bin, 1)
	}
	if err != nil {
		t.Fatalf("start consul: %v", err)
	}
	return c
}

// start makes one attempt at starting the agent, with fresh ports and a
// fresh data folder so that no Raft state from a failed try is reused.
func (c *Consul) start(bin string, attempt int) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	httpPort, serverPort, serfPort := ports[0], ports[1], ports[2]
	c.HostPort = fmt.Sprintf("127.0.0.1:%d", httpPort)
	c.Addr = "http://" + c.HostPort

	dataDir := filepath.Join(c.Dir, fmt.Sprintf("data-%d", attempt))
	home := filepath.Join(c.Dir, "home")
	for _, d := range []string{dataDir, home} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}

	// JSON rather than HCL: it is easy to generate without quoting bugs.
	config := map[string]any{
		"datacenter":           "dc1",
		"node_name":            "servertest",
		"data_dir":             dataDir,
		"server":               true,
		"bootstrap_expect":     1,
		"bind_addr":            "127.0.0.1",
		"advertise_addr":       "127.0.0.1",
		"client_addr":          "127.0.0.1",
		"disable_update_check": true,
		"log_level":            "INFO",
		"ui_config":            map[string]any{"enabled": false},
		// Leader election in seconds rather than tens of seconds.
		"performance": map[string]any{"raft_multiplier": 1},
		"ports": map[string]any{
			"http":     httpPort,
			"server":   serverPort,
			"serf_lan": serfPort,
			"serf_wan": -1,
			"dns":      -1,
			"https":    -1,
			"grpc":     -1,
			"grpc_tls": -1,
		},
		"acl": map[string]any{
			"enabled":                  true,
			"default_policy":           "deny",
			"enable_token_persistence": false,
			"tokens": map[string]any{
				"initial_management": c.Token,
				// The agent's own catalog updates would otherwise be
				// denied and fill the log with warnings.
				"agent": c.Token,
			},
		},
	}
	configPath := filepath.Join(c.Dir, "consul.json")
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(configPath, data, 0o600); err != nil {
		return err
	}

	p, err := startProcess("consul", c.Dir, c.LogPath, baseEnv(home), bin,
		"agent", "-config-file="+configPath)
	if err != nil {
		return err
	}
	c.proc = p

	api := c.API()
	err = p.waitFor("leader election", consulStartTimeout, func() (bool, error) {
		leader, err := api.Status().Leader()
		return err == nil && leader != "", err
	})
	if err == nil {
		// The management token is written through Raft after the election,
		// so it may be rejected for a moment.
		err = p.waitFor("working ACLs", consulStartTimeout, func() (bool, error) {
			_, _, err := api.ACL().TokenReadSelf(nil)
			return err == nil, err
		})
	}
	if err != nil {
		p.stop()
		return err
	}
	return nil
}

// API returns a client for the agent that authenticates with the
// management token.
func (c *Consul) API() *consulapi.Client {
	return c.APIWithToken(c.Token)
}

// APIWithToken returns a client for the agent that authenticates with
// token. An empty token is replaced by CONSUL_HTTP_TOKEN from the
// environment by the client library; use plain HTTP for anonymous requests.
func (c *Consul) APIWithToken(token string) *consulapi.Client {
	hc := c.clients.newHTTPClient()
	client, err := consulapi.NewClient(&consulapi.Config{
		Address:    c.HostPort,
		Scheme:     "http",
		Token:      token,
		HttpClient: hc,
	})
	if err != nil {
		// NewClient fails only on TLS settings, which are never set here.
		panic(fmt.Sprintf("servertest: consul client: %v", err))
	}
	return client
}

// PID returns the agent's process ID.
func (c *Consul) PID() int { return c.proc.pid() }

// Stop shuts the agent down (SIGTERM, then SIGKILL after a grace period)
// and waits for it to exit. It is called by t.Cleanup; calling it earlier
// is allowed.
func (c *Consul) Stop() {
	if c.proc != nil {
		c.proc.stop()
	}
	c.clients.closeIdle()
}

// clientSet remembers the HTTP clients handed out for a server, so that
// their idle keep-alive connections (and the goroutines serving them) can
// be closed when the server stops and leak checks stay quiet.
type clientSet struct {
	mu      sync.Mutex
	clients []*http.Client
}

func (s *clientSet) newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// No client timeout: blocking queries (locks, watches) legitimately
	// wait for minutes.
	hc := &http.Client{Transport: tr}
	s.mu.Lock()
	s.clients = append(s.clients, hc)
	s.mu.Unlock()
	return hc
}

func (s *clientSet) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hc := range s.clients {
		hc.CloseIdleConnections()
	}
}

// newUUID returns a random version 4 UUID, the form Consul requires for
// token secrets.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails: it crashes the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
