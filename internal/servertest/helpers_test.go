package servertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Every process wait goroutine and every client connection the harness
	// opens must be gone once the tests' cleanups have run.
	goleak.VerifyTestMain(m)
}

// recordingTB stands in for a test so that the harness's own failure and
// skip paths can be observed. Fatal and Skip stop the calling function
// with a panic that run recovers, as the real ones stop the goroutine.
type recordingTB struct {
	testing.TB
	errors  []string
	fatal   string
	skipped string
}

type stopNow struct{}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	panic(stopNow{})
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	panic(stopNow{})
}

func (r *recordingTB) Skip(args ...any) {
	r.skipped = fmt.Sprint(args...)
	panic(stopNow{})
}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	panic(stopNow{})
}

func (r *recordingTB) run(f func(t testing.TB)) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stopNow); !ok {
				panic(v)
			}
		}
	}()
	f(r)
}

func TestVersionsMatchBuildFiles(t *testing.T) {
	script, err := os.ReadFile("../../scripts/build-servers.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, version, module, scriptVar string
	}{
		{"vault", VaultVersion, "github.com/hashicorp/vault", "VAULT_VERSION"},
		{"consul", ConsulVersion, "github.com/hashicorp/consul", "CONSUL_VERSION"},
	} {
		gomod, err := os.ReadFile(filepath.Join("../../tools/servers", tc.name, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(tc.module) + `\s+v(\S+)`)
		m := re.FindSubmatch(gomod)
		if m == nil {
			t.Errorf("tools/servers/%s/go.mod does not require %s", tc.name, tc.module)
		} else if got := string(m[1]); got != tc.version {
			t.Errorf("tools/servers/%s/go.mod requires %s %s, servertest expects %s", tc.name, tc.module, got, tc.version)
		}

		want := tc.scriptVar + "=" + tc.version + "\n"
		if !strings.Contains(string(script), want) {
			t.Errorf("scripts/build-servers.sh does not set %q", strings.TrimSpace(want))
		}
	}
}

func TestCachePath(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	t.Setenv("HOME", "/home/someone")
	got, err := CachePath("vault", "1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/xdg/confc/servers/vault-1.2.3/vault"; got != want {
		t.Errorf("with XDG_CACHE_HOME: got %q, want %q", got, want)
	}

	t.Setenv("XDG_CACHE_HOME", "")
	got, err = CachePath("consul", "4.5.6")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/home/someone/.cache/confc/servers/consul-4.5.6/consul"; got != want {
		t.Errorf("with HOME only: got %q, want %q", got, want)
	}

	t.Setenv("HOME", "")
	if _, err := CachePath("consul", "4.5.6"); err == nil {
		t.Error("no error without XDG_CACHE_HOME and HOME")
	}
}

func TestLocateBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "server")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cached := filepath.Join(dir, "cache", "confc", "servers", "server-9.9.9", "server")
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, nil, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		what     string
		override string
		cache    string
		want     string // path, or "error: substring"
	}{
		{"override wins over cache", exe, filepath.Join(dir, "cache"), exe},
		{"cache when no override", "", filepath.Join(dir, "cache"), cached},
		{"missing cache entry", "", filepath.Join(dir, "empty"), "error: no binary at"},
		{"missing override", filepath.Join(dir, "nope"), filepath.Join(dir, "cache"), "error: no binary at"},
		{"override not executable", plain, filepath.Join(dir, "cache"), "error: not an executable file"},
		{"override is a folder", dir, filepath.Join(dir, "cache"), "error: not an executable file"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			t.Setenv("SERVERTEST_FAKE_BIN", tc.override)
			t.Setenv("XDG_CACHE_HOME", tc.cache)
			got, err := locateBinary("server", "9.9.9", "SERVERTEST_FAKE_BIN")
			if want, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got (%q, %v), want an error containing %q", got, err, want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got (%q, %v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestMissingBinarySkipsOrFailsInCI(t *testing.T) {
	if testing.Short() {
		t.Skip("findBinary always skips in -short mode")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv(EnvVaultBin, "")

	t.Setenv(EnvCI, "")
	r := &recordingTB{TB: t}
	r.run(func(tb testing.TB) { VaultBin(tb) })
	if r.skipped == "" || r.fatal != "" {
		t.Errorf("outside CI: skipped %q, fatal %q; want a skip only", r.skipped, r.fatal)
	}
	if !strings.Contains(r.skipped, "scripts/build-servers.sh") || !strings.Contains(r.skipped, "VAULT_BIN") {
		t.Errorf("skip message %q does not say how to get the binary", r.skipped)
	}

	t.Setenv(EnvCI, "true")
	r = &recordingTB{TB: t}
	r.run(func(tb testing.TB) { VaultBin(tb) })
	if r.fatal == "" || r.skipped != "" {
		t.Errorf("in CI: skipped %q, fatal %q; want a failure only", r.skipped, r.fatal)
	}
}

func TestAssertNoSecretFindsLeaks(t *testing.T) {
	secret := Canary("probe")
	other := Canary("other")
	jsonBytes := func(prefix string) []byte {
		// encoding/json writes []byte as standard base64.
		b, err := json.Marshal(map[string][]byte{"v": []byte(prefix + secret + "tail")})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		what     string
		haystack []byte
		leaks    bool
	}{
		{"plain text", []byte("log: token=" + secret + " done"), true},
		{"base64 offset 0", jsonBytes(""), true},
		{"base64 offset 1", jsonBytes("x"), true},
		{"base64 offset 2", jsonBytes("xy"), true},
		{"base64 offset 3", jsonBytes("xyz"), true},
		{"clean output", []byte("log: token=" + other + " done " + string(jsonBytes(""))[:10]), false},
		{"empty output", nil, false},
		{"truncated secret", []byte(secret[:len(secret)-1]), false},
	} {
		t.Run(tc.what, func(t *testing.T) {
			r := &recordingTB{TB: t}
			r.run(func(tb testing.TB) {
				AssertNoSecret(tb, map[string][]byte{"stdout": tc.haystack}, secret)
			})
			if r.fatal != "" {
				t.Fatalf("unexpected fatal: %s", r.fatal)
			}
			if got := len(r.errors) > 0; got != tc.leaks {
				t.Errorf("leak reported: %v, want %v (errors %q)", got, tc.leaks, r.errors)
			}
			for _, e := range r.errors {
				if strings.Contains(e, secret) {
					t.Errorf("failure message repeats the secret: %q", e)
				}
				if !strings.Contains(e, "stdout") {
					t.Errorf("failure message %q does not name the output", e)
				}
			}
		})
	}
}

func TestAssertNoSecretChecksEverySecretAndOutput(t *testing.T) {
	a, b := Canary("a"), Canary("b")
	r := &recordingTB{TB: t}
	r.run(func(tb testing.TB) {
		AssertNoSecret(tb, map[string][]byte{
			"stderr":  []byte(b),
			"journal": []byte("nothing"),
			"plan":    []byte(a + b),
		}, a, b)
	})
	// a leaks into plan; b into stderr and plan.
	if len(r.errors) != 3 {
		t.Fatalf("got %d errors, want 3: %q", len(r.errors), r.errors)
	}
}

func TestAssertNoSecretRejectsWeakCanaries(t *testing.T) {
	for _, secrets := range [][]string{nil, {"short"}} {
		r := &recordingTB{TB: t}
		r.run(func(tb testing.TB) {
			AssertNoSecret(tb, map[string][]byte{"x": []byte("short")}, secrets...)
		})
		if r.fatal == "" {
			t.Errorf("secrets %q: accepted, want a fatal error", secrets)
		}
	}
}

func TestCanaryIsUnique(t *testing.T) {
	a, b := Canary("x"), Canary("x")
	if a == b {
		t.Errorf("two canaries are equal: %q", a)
	}
	if !strings.HasPrefix(a, "canary-x-") || len(a) < minCanaryLen {
		t.Errorf("canary %q lacks its label or is too short", a)
	}
}

func TestFreePorts(t *testing.T) {
	ports, err := freePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p <= 0 || p > 65535 || seen[p] {
			t.Errorf("bad or repeated port %d in %v", p, ports)
		}
		seen[p] = true
	}
	if len(ports) != 5 {
		t.Errorf("got %d ports, want 5", len(ports))
	}
}

func TestTail(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"", 3, ""},
	} {
		if got := tail(tc.in, tc.n); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
