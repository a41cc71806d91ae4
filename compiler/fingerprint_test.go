package compiler

import (
	"errors"
	"strings"
	"testing"
)

func TestFingerprint(t *testing.T) {
	base := string(readConf(t, "production.conf"))
	fp := Fingerprint(parse(t, "production.conf", []byte(base)))
	if !strings.HasPrefix(fp, "sha256:") || len(fp) != len("sha256:")+64 {
		t.Fatalf("fingerprint %q is not sha256:<64 hex>", fp)
	}

	tests := []struct {
		what     string
		from, to string
		same     bool
	}{
		{"comment added", "# control plane", "# control plane, reviewed", true},
		{"comment line inserted", "provisioner {", "# new comment\nprovisioner {", true},
		{"indentation", "          api-server: 3", "api-server: 3", true},
		{"separator", "api-server: 3", "api-server = 3", true},
		{"quoting", `"cluster_name": "prod-east"`, `cluster_name: prod-east`, true},
		{"count changed", "api-server: 3", "api-server: 2", false},
		{"string changed", `"bucket": "prod-east-packages"`, `"bucket": "prod-east-packages2"`, false},
		{"int became string", `"http_port": 80`, `"http_port": "80"`, false},
		{"array reordered", `hosts: ['10.40.1.11', '10.40.1.12', '10.40.1.13']`, `hosts: ['10.40.1.12', '10.40.1.11', '10.40.1.13']`, false},
		{"key renamed", `"vxlan_enabled": true`, `"vxlan_enable": true`, false},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			if !strings.Contains(base, tt.from) {
				t.Fatalf("production.conf has no %q", tt.from)
			}
			edited := parse(t, "production.conf", []byte(strings.Replace(base, tt.from, tt.to, 1)))
			got := Fingerprint(edited)
			if (got == fp) != tt.same {
				t.Errorf("fingerprint same = %v, want %v", got == fp, tt.same)
			}
		})
	}
}

func TestFingerprintIgnoresMapOrder(t *testing.T) {
	f := parse(t, "production.conf", readConf(t, "production.conf"))
	fp := Fingerprint(f)
	reverseMaps(f.Root)
	if got := Fingerprint(f); got != fp {
		t.Fatalf("fingerprint changed with map order: %s vs %s", got, fp)
	}
}

func TestCheckFresh(t *testing.T) {
	src := string(readConf(t, "production.conf"))
	p := compileSource(t, "production.conf", []byte(src))

	if err := CheckFresh(p, parse(t, "production.conf", []byte(src))); err != nil {
		t.Fatalf("same file: %v", err)
	}
	commented := "# reviewed by ops\n" + src
	if err := CheckFresh(p, parse(t, "production.conf", []byte(commented))); err != nil {
		t.Fatalf("comment-only change: %v", err)
	}

	changed := strings.Replace(src, "api-server: 3", "api-server: 5", 1)
	err := CheckFresh(p, parse(t, "production.conf", []byte(changed)))
	if !errors.Is(err, ErrStale) {
		t.Fatalf("changed file: err = %v, want ErrStale", err)
	}
	for _, want := range []string{`"production.conf" changed`, "confc plan"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	f := parse(t, "production.conf", []byte(src))
	err = checkFresh(p, f, p.Input.SchemaVersion, "v9.9.9")
	if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), `confc "v9.9.9"`) {
		t.Errorf("other confc version: err = %v", err)
	}
	err = checkFresh(p, f, "other-schema", p.Input.ConfcVersion)
	if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), `schema "other-schema"`) {
		t.Errorf("other schema version: err = %v", err)
	}
}
