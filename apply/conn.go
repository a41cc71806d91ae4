package apply

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/go-cleanhttp"
	vaultapi "github.com/hashicorp/vault/api"
)

// Conn says how to reach the servers.
type Conn struct {
	// VaultAddrs are the Vault servers, as URLs. Requests go to the first
	// one that answers; every one of them is unsealed when sealed.
	VaultAddrs []string
	// VaultCACert is a PEM file of the CA that signed Vault's certificate;
	// empty means the system roots. Certificates are always verified.
	VaultCACert string
	// ConsulAddr is the Consul HTTP API, as a URL or host:port.
	ConsulAddr string
	// ConsulCACert is a PEM file of the CA of Consul's certificate, for an
	// https address.
	ConsulCACert string
	// ConsulToken is the operator's Consul ACL token.
	ConsulToken string
	// Timeout bounds one HTTP request; zero means 30 seconds.
	Timeout time.Duration
}

// vaultConn is a Vault client that moves to the next listed server when
// the current one cannot be reached, so an apply follows an HA cluster
// whose active node goes away (standbys forward requests to the new active
// node).
type vaultConn struct {
	mu     sync.Mutex
	addrs  []string
	cur    int
	client *vaultapi.Client
	retry  RetryPolicy
}

func newVaultConn(c Conn, p RetryPolicy) (*vaultConn, error) {
	if len(c.VaultAddrs) == 0 {
		return nil, fmt.Errorf("no vault address")
	}
	client, err := newVaultClient(c.VaultAddrs[0], c)
	if err != nil {
		return nil, err
	}
	return &vaultConn{addrs: c.VaultAddrs, client: client, retry: p}, nil
}

// newVaultClient makes a client for one server that ignores the VAULT_*
// variables of the environment except through Conn, never retries on its
// own (the engine's retry does) and verifies TLS.
//
// The configuration is built here rather than from vaultapi.DefaultConfig,
// because that one reads the environment: VAULT_SKIP_VERIFY=true there turns
// certificate checks off, and a later ConfigureTLS with Insecure false
// cannot turn them back on (it only ever sets the flag).
func newVaultClient(addr string, c Conn) (*vaultapi.Client, error) {
	hc := cleanhttp.DefaultPooledClient()
	tr, ok := hc.Transport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("vault client: unexpected HTTP transport %T", hc.Transport)
	}
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	hc.Timeout = timeoutOf(c)
	// The Vault client follows redirects (a standby pointing at the active
	// node) itself and resends the body; the HTTP client must not.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg := &vaultapi.Config{
		Address:    addr,
		HttpClient: hc,
		Timeout:    timeoutOf(c),
		MaxRetries: 0,
	}
	if err := cfg.ConfigureTLS(&vaultapi.TLSConfig{CACert: c.VaultCACert}); err != nil {
		return nil, fmt.Errorf("vault TLS: %w", err)
	}
	if tr.TLSClientConfig.InsecureSkipVerify {
		// Nothing above asks for it; refuse rather than trust a library
		// default that might change.
		return nil, fmt.Errorf("vault TLS: certificate verification is off")
	}
	client, err := vaultapi.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	client.ClearToken()
	client.ClearNamespace()
	return client, nil
}

func timeoutOf(c Conn) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 30 * time.Second
}

// next moves to the next listed server.
func (v *vaultConn) next() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.addrs) < 2 {
		return
	}
	v.cur = (v.cur + 1) % len(v.addrs)
	_ = v.client.SetAddress(v.addrs[v.cur])
}

// addr returns the server requests currently go to.
func (v *vaultConn) addr() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.addrs[v.cur]
}

// do runs fn with the client, retrying as the policy allows and moving to
// another server after a connection failure.
func (v *vaultConn) do(ctx context.Context, path, capability string, fn func(*vaultapi.Client) error) error {
	req := request{service: "vault", path: path, capability: capability}
	return retry(ctx, v.retry, req, v.next, func() error { return fn(v.client) })
}

func (v *vaultConn) read(ctx context.Context, path string) (*vaultapi.Secret, error) {
	var s *vaultapi.Secret
	err := v.do(ctx, path, "read", func(c *vaultapi.Client) error {
		var err error
		s, err = c.Logical().ReadWithContext(ctx, path)
		return err
	})
	return s, err
}

func (v *vaultConn) list(ctx context.Context, path string) (*vaultapi.Secret, error) {
	var s *vaultapi.Secret
	err := v.do(ctx, path, "list", func(c *vaultapi.Client) error {
		var err error
		s, err = c.Logical().ListWithContext(ctx, path)
		return err
	})
	return s, err
}

// write sends a write. capability is what a policy must grant for it:
// "create" for a new object, "update" for an existing one.
func (v *vaultConn) write(ctx context.Context, path, capability string, data map[string]any) (*vaultapi.Secret, error) {
	var s *vaultapi.Secret
	err := v.do(ctx, path, capability, func(c *vaultapi.Client) error {
		var err error
		s, err = c.Logical().WriteWithContext(ctx, path, data)
		return err
	})
	return s, err
}

// create sends a write that makes an object and must not run twice; see
// retryCreate. landed gets the client of the server the next attempt goes
// to.
func (v *vaultConn) create(ctx context.Context, path string, data map[string]any, landed func(*vaultapi.Client) (bool, error)) error {
	req := request{service: "vault", path: path, capability: "create"}
	return retryCreate(ctx, v.retry, req, v.next,
		func() error {
			_, err := v.client.Logical().WriteWithContext(ctx, path, data)
			return err
		},
		func() (bool, error) { return landed(v.client) })
}

// newConsulClient makes a Consul client from Conn, with TLS verified for an
// https address. closeIdle drops its idle connections when the caller is
// done.
func newConsulClient(c Conn) (client *consulapi.Client, closeIdle func(), err error) {
	return newConsulClientWait(c, 0)
}

// newConsulClientWait is newConsulClient with a wait time for blocking
// queries; zero leaves Consul's default of five minutes, for clients that
// never block.
func newConsulClientWait(c Conn, wait time.Duration) (client *consulapi.Client, closeIdle func(), err error) {
	cfg := consulapi.DefaultNonPooledConfig()
	addr := c.ConsulAddr
	switch {
	case strings.HasPrefix(addr, "https://"):
		cfg.Scheme = "https"
		addr = strings.TrimPrefix(addr, "https://")
	case strings.HasPrefix(addr, "http://"):
		cfg.Scheme = "http"
		addr = strings.TrimPrefix(addr, "http://")
	}
	if addr != "" {
		cfg.Address = strings.TrimSuffix(addr, "/")
	}
	cfg.Token = c.ConsulToken
	cfg.TokenFile = ""
	cfg.TLSConfig = consulapi.TLSConfig{CAFile: c.ConsulCACert}
	cfg.WaitTime = wait
	tr := cleanhttp.DefaultPooledTransport()
	hc, err := consulapi.NewHttpClient(tr, cfg.TLSConfig)
	if err != nil {
		return nil, nil, fmt.Errorf("consul TLS: %w", err)
	}
	hc.Timeout = timeoutOf(c)
	cfg.HttpClient = hc
	client, err = consulapi.NewClient(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("consul client: %w", err)
	}
	return client, tr.CloseIdleConnections, nil
}

// consulDo runs one Consul request with retries.
func consulDo(ctx context.Context, p RetryPolicy, path, capability string, fn func() error) error {
	return retry(ctx, p, request{service: "consul", path: path, capability: capability}, nil, fn)
}

// closeIdle drops the idle connections of the Vault client.
func (v *vaultConn) closeIdle() {
	if t, ok := v.client.CloneConfig().HttpClient.Transport.(*http.Transport); ok {
		t.CloseIdleConnections()
	}
}

// NewConsulClient returns a Consul client for c, for commands that only
// talk to Consul (the lock commands).
func NewConsulClient(c Conn) (*consulapi.Client, error) {
	client, _, err := newConsulClient(c)
	return client, err
}

// PlainConsulWarning returns a warning when addr would send Consul requests,
// the operator's token among them, without TLS to a host other than this
// machine, and "" otherwise. An address without a scheme is plain HTTP too,
// as the Consul client defaults to it.
func PlainConsulWarning(addr string) string {
	rest, ok := strings.CutPrefix(addr, "http://")
	if !ok {
		if strings.Contains(addr, "://") {
			return ""
		}
		rest = addr
	}
	host := strings.TrimSuffix(rest, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("consul address %q is plain HTTP to another machine: the Consul token and the encrypted unseal keys cross the network unprotected; use https:// (Consul's HTTPS port is 8501) with --consul-cacert", addr)
}
