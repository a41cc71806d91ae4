// Package servertest starts real Vault and Consul servers on loopback for
// integration tests, so that confc's apply engine is tested against the
// software it will meet in production rather than against mocks.
//
// The server binaries are built once by scripts/build-servers.sh and cached
// outside the repository; see docs/testing.md. When a binary is missing the
// calling test is skipped, or fails when the CI environment variable is set,
// so that a CI run can never pass by skipping its integration tests.
//
// Every process is started in its own process group inside t.TempDir() and is
// stopped in t.Cleanup; its log is attached to the test output when the test
// fails. The package is meant to be imported from _test.go files only.
package servertest
