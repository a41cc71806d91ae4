package secfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	// The real cost makes every encryption take about a second; the
	// format and the file handling do not depend on it.
	workFactor = 10
	os.Exit(m.Run())
}

const (
	canaryAnswer = "canary-answer-7d1f3b"
	canaryPass   = "canary-config-pass-92ac"
)

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), Name)
	want := map[string]string{"ldap_search_password": canaryAnswer, "google_client_id": "id-1", "pem": "line1\nline2\n"}
	if err := Write(path, want, canaryPass); err != nil {
		t.Fatal(err)
	}
	c, err := Read(path, canaryPass)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != Version {
		t.Errorf("version %d, want %d", c.Version, Version)
	}
	if diff := cmp.Diff(want, c.Prompts); diff != "" {
		t.Errorf("prompts differ (-want +got):\n%s", diff)
	}

	// The file is an armored age file: neither the answers nor the
	// passphrase are in it.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
		t.Errorf("file does not start with the age armor header: %.40q", raw)
	}
	for _, canary := range []string{canaryAnswer, canaryPass, "ldap_search_password"} {
		if bytes.Contains(raw, []byte(canary)) {
			t.Errorf("the file holds %q in clear", canary)
		}
	}
}

func TestFileMode0600(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, Name)
	// An existing file with loose permissions is replaced by a 0600 one.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, map[string]string{"a": canaryAnswer}, canaryPass); err != nil {
		t.Fatal(err)
	}
	mode, err := Mode(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode != 0o600 {
		t.Errorf("mode %v, want 0600", mode)
	}
}

func TestWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), Name)
	if err := Write(path, map[string]string{"a": canaryAnswer}, canaryPass); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path, "another-passphrase")
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("error %v, want ErrWrongPassphrase", err)
	}
	if !strings.Contains(err.Error(), "cluster.sec: wrong config passphrase") {
		t.Errorf("message %q does not name the file and the cause", err)
	}
	if strings.Contains(err.Error(), canaryAnswer) || strings.Contains(err.Error(), "another-passphrase") {
		t.Errorf("message %q leaks a secret", err)
	}
	// An empty passphrase is a wrong one, not a crash.
	if _, err := Read(path, ""); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("empty passphrase: error %v, want ErrWrongPassphrase", err)
	}
}

func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		what string
		data func(t *testing.T) []byte
		want string
	}{
		{"not age", func(*testing.T) []byte { return []byte("hello\n") }, "not a valid answers file"},
		{"empty", func(*testing.T) []byte { return nil }, "not a valid answers file"},
		{"truncated", func(t *testing.T) []byte {
			b, err := Encrypt(map[string]string{"a": canaryAnswer}, canaryPass)
			if err != nil {
				t.Fatal(err)
			}
			return b[:len(b)/2]
		}, "not a valid answers file"},
		{"not JSON inside", func(t *testing.T) []byte { return encryptRaw(t, "["+canaryAnswer) }, "not a JSON object"},
		{"future version", func(t *testing.T) []byte { return encryptRaw(t, `{"version":2,"prompts":{}}`) }, "unsupported answers file version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.what, " ", "-"))
			if err := os.WriteFile(path, tt.data(t), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Read(path, canaryPass)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), canaryAnswer) {
				t.Errorf("message %q leaks the contents", err)
			}
		})
	}
}

// encryptRaw encrypts arbitrary plaintext the way Encrypt does.
func encryptRaw(t *testing.T, plain string) []byte {
	t.Helper()
	data, err := encryptBytes([]byte(plain), canaryPass)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestShortPassphraseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), Name)
	err := Write(path, map[string]string{"a": "b"}, "short")
	if err == nil || !strings.Contains(err.Error(), "at least 8 characters") {
		t.Fatalf("error %v, want a length refusal", err)
	}
	if Exists(path) {
		t.Error("a file was written despite the refusal")
	}
}

func TestAtomicWriteReadersSeeWholeFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, Name)
	if err := Write(path, map[string]string{"n": "0"}, canaryPass); err != nil {
		t.Fatal(err)
	}
	const writes = 30
	var wg sync.WaitGroup
	done := make(chan struct{})
	var readErr error
	reads := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			// Every read must decrypt: a torn or missing file fails.
			if _, err := Read(path, canaryPass); err != nil {
				readErr = err
				return
			}
			reads++
		}
	}()
	for i := 1; i <= writes; i++ {
		if err := Write(path, map[string]string{"n": strings.Repeat("x", i*100)}, canaryPass); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if readErr != nil {
		t.Fatalf("a reader saw a broken file after %d good reads: %v", reads, readErr)
	}
	if reads == 0 {
		t.Fatal("the reader never ran")
	}
	c, err := Read(path, canaryPass)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Prompts["n"]); got != writes*100 {
		t.Errorf("last write not kept: length %d, want %d", got, writes*100)
	}
	assertNoTempFiles(t, dir)
}

func TestFailedWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, Name)
	if err := Write(path, map[string]string{"a": "old"}, canaryPass); err != nil {
		t.Fatal(err)
	}
	// A directory where the file should be makes the rename fail after
	// the temporary file was written.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "child"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(blocked, map[string]string{"a": "new"}, canaryPass); err == nil {
		t.Fatal("writing over a non-empty directory succeeded")
	}
	assertNoTempFiles(t, dir)
	c, err := Read(path, canaryPass)
	if err != nil {
		t.Fatal(err)
	}
	if c.Prompts["a"] != "old" {
		t.Errorf("old file changed: %q", c.Prompts["a"])
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestPathFor(t *testing.T) {
	if got, want := PathFor(filepath.Join("deploy", "prod", "cluster.conf")), filepath.Join("deploy", "prod", "cluster.sec"); got != want {
		t.Errorf("PathFor = %q, want %q", got, want)
	}
	if got := PathFor("cluster.conf"); got != "cluster.sec" {
		t.Errorf("PathFor(cluster.conf) = %q, want cluster.sec", got)
	}
}
