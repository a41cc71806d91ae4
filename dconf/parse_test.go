package dconf

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseExamples(t *testing.T) {
	files, err := filepath.Glob("../testdata/cluster-conf/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files: %v", err)
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(name, src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Root.Entries) == 0 {
			t.Errorf("%s: no entries", name)
		}
	}
}
