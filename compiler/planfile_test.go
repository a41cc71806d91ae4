package compiler

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanFileRoundTrip(t *testing.T) {
	p := compileSource(t, "production.conf", readConf(t, "production.conf"))
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("plan file mode = %v, want 0644", st.Mode().Perm())
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Fatalf("plan changed on a round trip (-wrote +read):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestDecodeJSONRejects(t *testing.T) {
	p := compileSource(t, "minimal.conf", readConf(t, "minimal.conf"))
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	if _, err := DecodeJSON(strings.NewReader(good)); err != nil {
		t.Fatalf("good plan rejected: %v", err)
	}
	first := p.Steps[0].ID
	tests := []struct {
		what, from, to, want string
	}{
		{"newer format", `"format_version": 1`, `"format_version": 2`, "format version 2 is not supported"},
		{"no format", `"format_version": 1,`, ``, "no format_version"},
		{"unknown field", `"refreshed": false`, `"refreshed": false, "extra": 1`, "unknown field"},
		{"unknown kind", `"kind": "vault.mount"`, `"kind": "vault.unmount"`, "unknown kind"},
		{"forward dependency", `"depends_on": []`, `"depends_on": ["consul.acl.token:components"]`, "does not come before it"},
		{"duplicate id", `"id": "vault.mount:pki"`, `"id": "` + first + `"`, "duplicate step id"},
		{"not json", `{`, `[`, "not a plan file"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			if !strings.Contains(good, tt.from) {
				t.Fatalf("plan has no %q", tt.from)
			}
			_, err := DecodeJSON(strings.NewReader(strings.Replace(good, tt.from, tt.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWriteFileKeepsOldPlanOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A directory in the way of the rename makes the write fail late.
	bad := filepath.Join(dir, "sub")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	p := compileSource(t, "minimal.conf", readConf(t, "minimal.conf"))
	if err := WriteFile(bad, p); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("other file changed: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
