package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/testgen"
)

func BenchmarkValidateProduction(b *testing.B) {
	name := filepath.Join("..", "testdata", "cluster-conf", "production.conf")
	src, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	f, err := dconf.Parse(name, src)
	if err != nil {
		b.Fatal(err)
	}
	Validate(f) // compile the schema outside the timed loop
	b.ResetTimer()
	for b.Loop() {
		if vs := Validate(f); len(vs) != 0 {
			b.Fatalf("unexpected violations: %v", vs)
		}
	}
}

// largeConf writes a cluster.conf with the given number of instance-manager
// hosts, spread over groups of 500, plus the control plane of production.conf.
func largeConf(hosts int) []byte {
	var b strings.Builder
	b.WriteString("provisioner { type: generic }\nmachines: {\n")
	b.WriteString("  central: { hosts: [\"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\"], suitable_tags: [vault, kv-store, router, api-server] }\n")
	for g := 0; g*500 < hosts; g++ {
		fmt.Fprintf(&b, "  im%d: {\n    hosts: [\n", g)
		for i := g * 500; i < min(hosts, (g+1)*500); i++ {
			if i%2 == 0 {
				fmt.Fprintf(&b, "      \"10.%d.%d.%d\"\n", 1+i/65536, (i/256)%256, i%256)
			} else {
				fmt.Fprintf(&b, "      \"fd00::%x\"\n", i)
			}
		}
		b.WriteString("    ]\n    suitable_tags: [ instance-manager ]\n  }\n")
	}
	fmt.Fprintf(&b, "}\ncomponents: { vault: 3, kv-store: 3, router: 3, api-server: 3, instance-manager: %d }\n", hosts)
	b.WriteString("chef: { continuum: { cluster_name: big, base_domain: big.example.test } }\n")
	return []byte(b.String())
}

func TestLargeConfIsValid(t *testing.T) {
	f, err := dconf.Parse("large.conf", largeConf(1200))
	if err != nil {
		t.Fatal(err)
	}
	if vs := Validate(f); len(vs) != 0 {
		t.Fatalf("unexpected violations: %v", vs)
	}
	// A bad address deep in the list is still found, at its line.
	src := strings.Replace(string(largeConf(1200)), "\"10.1.3.232\"", "\"10.1.3.x\"", 1)
	f, err = dconf.Parse("large.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	vs := Validate(f)
	if len(vs) != 1 || vs[0].Message != `"10.1.3.x" is not an IP address` {
		t.Fatalf("violations = %v, want one bad address", vs)
	}
	line := strings.Count(src[:strings.Index(src, "\"10.1.3.x\"")], "\n") + 1
	if vs[0].Pos.Line != line || vs[0].Pos.Column != 7 {
		t.Errorf("bad address at %s, want line %d column 7", vs[0].Pos, line)
	}
}

func BenchmarkValidateLarge(b *testing.B) {
	f, err := dconf.Parse("large.conf", largeConf(10000))
	if err != nil {
		b.Fatal(err)
	}
	Validate(f)
	b.ResetTimer()
	for b.Loop() {
		if vs := Validate(f); len(vs) != 0 {
			b.Fatalf("unexpected violations: %v", vs[0])
		}
	}
}

// BenchmarkValidateHosts measures Validate on generated clusters whose
// machine groups hold long hosts lists, the case that shows whether the cost
// grows with the file size or faster.
func BenchmarkValidateHosts(b *testing.B) {
	for _, n := range []int{10000, 30000, 100000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			f, err := dconf.Parse("generated.conf", testgen.Cluster(n))
			if err != nil {
				b.Fatal(err)
			}
			load() // compile the schema outside the timed loop
			b.ResetTimer()
			for b.Loop() {
				if vs := Validate(f); len(vs) != 0 {
					b.Fatalf("unexpected violations: %v", vs[0])
				}
			}
		})
	}
}

// BenchmarkCompileSchema measures what the first Validate of a process pays
// once: compiling the embedded schema and walking it into the settings tree.
func BenchmarkCompileSchema(b *testing.B) {
	for b.Loop() {
		if c := compile(); c.err != nil {
			b.Fatal(c.err)
		}
	}
}
