package apply

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tlsServer starts an HTTPS server with a self-signed certificate that
// answers like an unsealed Vault and a Consul leader query, and returns its
// URL and a PEM file of its certificate.
func tlsServer(t *testing.T) (url, caFile string) {
	t.Helper()
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/v1/status/leader") {
			_, _ = w.Write([]byte(`"127.0.0.1:8300"`))
			return
		}
		_, _ = w.Write([]byte(`{"type":"shamir","initialized":true,"sealed":false,"t":1,"n":1}`))
	}))
	t.Cleanup(s.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return s.URL, caFile
}

// The environment variables that turn TLS checks off in HashiCorp's own
// tools must not weaken confc: a server whose certificate is not trusted is
// refused, and the same server is accepted once its CA is given.
func TestTLSVerifiedDespiteEnvironment(t *testing.T) {
	url, ca := tlsServer(t)
	t.Setenv("VAULT_SKIP_VERIFY", "true")
	t.Setenv("CONSUL_HTTP_SSL_VERIFY", "false")

	v, err := newVaultClient(url, Conn{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Sys().SealStatus(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("vault with an untrusted certificate: got %v, want a certificate error", err)
	}
	v, err = newVaultClient(url, Conn{VaultCACert: ca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Sys().SealStatus(); err != nil {
		t.Errorf("vault with its CA given: %v", err)
	}

	c, closeIdle, err := newConsulClient(Conn{ConsulAddr: url})
	if err != nil {
		t.Fatal(err)
	}
	defer closeIdle()
	if _, err := c.Status().Leader(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("consul with an untrusted certificate: got %v, want a certificate error", err)
	}
	c2, closeIdle2, err := newConsulClient(Conn{ConsulAddr: url, ConsulCACert: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer closeIdle2()
	if _, err := c2.Status().Leader(); err != nil {
		t.Errorf("consul with its CA given: %v", err)
	}
}

func TestPlainConsulWarning(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{
		{"http://10.40.1.11:8500", true},
		{"10.40.1.11:8500", true},
		{"http://consul.example:8500/", true},
		{"https://10.40.1.11:8501", false},
		{"http://127.0.0.1:8500", false},
		{"http://localhost:8500", false},
		{"http://[::1]:8500", false},
		{"127.0.0.2:8500", false},
	} {
		got := PlainConsulWarning(c.addr)
		if (got != "") != c.warn {
			t.Errorf("%q: warning %q, want one: %v", c.addr, got, c.warn)
		}
		if got != "" && !strings.Contains(got, c.addr) {
			t.Errorf("%q: the warning does not name the address: %s", c.addr, got)
		}
	}
}

// A certificate that does not verify is final at once, with a message that
// says what to give, rather than retried as a connection failure.
func TestUntrustedCertificateIsFinal(t *testing.T) {
	url, _ := tlsServer(t)
	v, err := newVaultClient(url, Conn{})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	err = retry(context.Background(), DefaultRetry, request{service: "vault", path: "sys/seal-status", capability: "read"}, nil, func() error {
		calls++
		_, err := v.Sys().SealStatus()
		return err
	})
	if calls != 1 {
		t.Errorf("%d attempts, want 1", calls)
	}
	if err == nil || !strings.Contains(err.Error(), "not trusted") || !strings.Contains(err.Error(), "--vault-cacert") {
		t.Errorf("error %v; want one saying the certificate is not trusted and naming --vault-cacert", err)
	}
}
