package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

// The Consul address derived from cluster.conf is verified HTTPS on
// Consul's HTTPS port; an explicit plain address to another machine is
// used as given but draws a warning, one to this machine does not.
func TestConsulAddrDefaultsToHTTPS(t *testing.T) {
	src, err := os.ReadFile("../../testdata/cluster-conf/minimal.conf")
	if err != nil {
		t.Fatal(err)
	}
	file, err := dconf.Parse("minimal.conf", src)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	env := &Env{Stderr: &stderr}
	addr, err := (&ConnFlags{}).consulAddr(env, file)
	if err != nil || !strings.HasPrefix(addr, "https://") || !strings.HasSuffix(addr, ":8501") {
		t.Fatalf("derived address %q, %v; want https://HOST:8501", addr, err)
	}
	if !strings.Contains(stderr.String(), addr) {
		t.Errorf("the derived address is not announced: %q", stderr.String())
	}

	stderr.Reset()
	addr, err = (&ConnFlags{ConsulAddr: "http://10.20.0.21:8500"}).consulAddr(env, file)
	if err != nil || addr != "http://10.20.0.21:8500" {
		t.Fatalf("explicit address: %q, %v", addr, err)
	}
	if !strings.Contains(stderr.String(), "warning") || !strings.Contains(stderr.String(), "plain HTTP") {
		t.Errorf("no warning for plain HTTP to another machine: %q", stderr.String())
	}

	stderr.Reset()
	if _, err := (&ConnFlags{ConsulAddr: "http://127.0.0.1:8500"}).consulAddr(env, file); err != nil || stderr.Len() != 0 {
		t.Errorf("loopback address: %v, stderr %q; want no warning", err, stderr.String())
	}
}
