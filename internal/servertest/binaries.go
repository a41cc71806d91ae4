package servertest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Server releases the harness expects. They must match the modules under
// tools/servers/ and scripts/build-servers.sh, which decide what gets built;
// a test in this package compares them.
const (
	// VaultVersion is the Vault release built by scripts/build-servers.sh.
	VaultVersion = "1.12.0"
	// ConsulVersion is the Consul release built by scripts/build-servers.sh.
	ConsulVersion = "1.14.4"
)

// Environment variables that steer where binaries are found.
const (
	// EnvVaultBin names a Vault binary to use instead of the cached build.
	EnvVaultBin = "VAULT_BIN"
	// EnvConsulBin names a Consul binary to use instead of the cached build.
	EnvConsulBin = "CONSUL_BIN"
	// EnvCI, when set to any non-empty value, turns a missing binary from a
	// skipped test into a failed one.
	EnvCI = "CI"
)

// CachePath returns where scripts/build-servers.sh caches the binary of
// server name at version: ${XDG_CACHE_HOME:-$HOME/.cache}/confc/servers/
// name-version/name. It does not check that the file exists.
func CachePath(name, version string) (string, error) {
	// os.UserCacheDir is not used: on macOS it points somewhere other than
	// the folder the shell script writes to.
	root := os.Getenv("XDG_CACHE_HOME")
	if root == "" {
		home := os.Getenv("HOME")
		if home == "" {
			return "", errors.New("neither XDG_CACHE_HOME nor HOME is set")
		}
		root = filepath.Join(home, ".cache")
	}
	return filepath.Join(root, "confc", "servers", name+"-"+version, name), nil
}

// VaultBin returns the path of the Vault binary, from VAULT_BIN or the
// build cache. When there is none it skips t, or fails it if CI is set.
func VaultBin(t testing.TB) string {
	t.Helper()
	return findBinary(t, "vault", VaultVersion, EnvVaultBin)
}

// ConsulBin returns the path of the Consul binary, from CONSUL_BIN or the
// build cache. When there is none it skips t, or fails it if CI is set.
func ConsulBin(t testing.TB) string {
	t.Helper()
	return findBinary(t, "consul", ConsulVersion, EnvConsulBin)
}

func findBinary(t testing.TB, name, version, envVar string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping: the %s server is not started in -short mode", name)
	}
	path, err := locateBinary(name, version, envVar)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s %s server not available: %v; run scripts/build-servers.sh or set %s",
		name, version, err, envVar)
	if os.Getenv(EnvCI) != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// locateBinary applies the lookup order without touching a testing.TB, so
// that it can be tested on its own.
func locateBinary(name, version, envVar string) (string, error) {
	path := os.Getenv(envVar)
	if path == "" {
		p, err := CachePath(name, version)
		if err != nil {
			return "", fmt.Errorf("cannot find the build cache: %w", err)
		}
		path = p
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no binary at %q", path)
	}
	if err != nil {
		return "", fmt.Errorf("cannot use %q: %w", path, err)
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%q is not an executable file", path)
	}
	return path, nil
}
