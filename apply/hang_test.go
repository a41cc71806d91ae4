package apply

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// A Vault server that accepts connections but never answers is left for
// the next listed server once the request timeout runs out.
func TestHungVaultFailsOver(t *testing.T) {
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Never accepted: the kernel completes the handshake and the request
	// waits forever.
	defer hung.Close()
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"policy":"path \"x\" {}"}}`))
	}))
	defer good.Close()
	v, err := newVaultConn(Conn{VaultAddrs: []string{"http://" + hung.Addr().String(), good.URL}, Timeout: 500 * time.Millisecond}, DefaultRetry)
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.read(context.Background(), "sys/policies/acl/x")
	if err != nil || s == nil {
		t.Fatalf("read with the first server hung: %v", err)
	}
	if v.addr() != good.URL {
		t.Errorf("requests go to %s, want %s", v.addr(), good.URL)
	}
}
