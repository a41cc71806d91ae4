package dconf

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParseProduction(b *testing.B) {
	src := readFile(b, "../testdata/cluster-conf/production.conf")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("production.conf", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLarge(b *testing.B) {
	src := largeConf(10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("large.conf", src); err != nil {
			b.Fatal(err)
		}
	}
}

// largeConf writes a cluster.conf with three central hosts and hosts
// instance-manager hosts spread over groups of 100.
func largeConf(hosts int) []byte {
	var b strings.Builder
	b.WriteString("provisioner { type: generic }\n\nmachines: {\n")
	b.WriteString("  central: {\n    hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3']\n")
	b.WriteString("    suitable_tags: [ \"router\", \"vault\", \"kv-store\" ]\n  }\n")
	for g := 0; g*100 < hosts; g++ {
		fmt.Fprintf(&b, "  instance_manager_%d: {\n    # group %d\n    hosts: [\n", g, g)
		for h := g * 100; h < hosts && h < (g+1)*100; h++ {
			fmt.Fprintf(&b, "      \"10.%d.%d.%d\"\n", 1+h/65536, h/256%256, h%256)
		}
		b.WriteString("    ]\n    suitable_tags: [ \"instance-manager\" ]\n  }\n")
	}
	fmt.Fprintf(&b, "}\n\ncomponents: {\n  router: 3\n  vault: 3\n  kv-store: 3\n  instance-manager: %d\n}\n", hosts)
	return []byte(b.String())
}

// TestLargeConf keeps the benchmark input honest: it must parse and hold
// every host.
func TestLargeConf(t *testing.T) {
	f, err := Parse("large.conf", largeConf(250))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range f.Root.Get("machines").Value.(*Map).Entries {
		n += len(e.Value.(*Map).Get("hosts").Value.(*Array).Elems)
	}
	if n != 253 {
		t.Errorf("%d hosts, want 253", n)
	}
}
