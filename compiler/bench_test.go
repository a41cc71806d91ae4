package compiler

import (
	"bytes"
	"testing"

	"github.com/confc/confc/internal/testgen"
)

// BenchmarkCompileLarge measures the compile of a 10,000-host cluster.conf,
// parse included, and its JSON encoding. The target is well under a second.
func BenchmarkCompileLarge(b *testing.B) {
	src := testgen.Cluster(10000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		p := compileSource(b, "large.conf", src)
		var buf bytes.Buffer
		if err := EncodeJSON(&buf, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileProduction measures the compile of production.conf.
func BenchmarkCompileProduction(b *testing.B) {
	src := readConf(b, "production.conf")
	b.ReportAllocs()
	for b.Loop() {
		compileSource(b, "production.conf", src)
	}
}
