package testgen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
)

func TestClusterParsesWithEveryHost(t *testing.T) {
	for _, n := range []int{7, 100, 10000} {
		src := Cluster(n)
		f, err := dconf.Parse("gen.conf", src)
		if err != nil {
			t.Fatalf("Cluster(%d) does not parse: %v", n, err)
		}
		machines := f.Root.Get("machines").Value.(*dconf.Map)
		total := 0
		seen := map[string]bool{}
		for _, g := range machines.Entries {
			hosts := g.Value.(*dconf.Map).Get("hosts").Value.(*dconf.Array)
			for _, h := range hosts.Elems {
				s := h.(*dconf.String).Value
				if seen[s] {
					t.Errorf("Cluster(%d): host %q listed twice", n, s)
				}
				seen[s] = true
				total++
			}
		}
		if total != n {
			t.Errorf("Cluster(%d) has %d hosts", n, total)
		}
		if c := machines.Get("central").Value.(*dconf.Map).Get("hosts").Value.(*dconf.Array); len(c.Elems) != 3 {
			t.Errorf("Cluster(%d): central has %d hosts, want 3", n, len(c.Elems))
		}
	}
}

func TestClusterSmallRequestsGetMinimum(t *testing.T) {
	if !bytes.Equal(Cluster(0), Cluster(7)) {
		t.Error("Cluster(0) differs from Cluster(7)")
	}
	if !strings.Contains(string(Cluster(1)), "instance-manager: 1\n") {
		t.Error("Cluster(1) has no instance manager")
	}
}

func TestClusterIsDeterministic(t *testing.T) {
	if !bytes.Equal(Cluster(500), Cluster(500)) {
		t.Error("two calls with the same argument differ")
	}
}
