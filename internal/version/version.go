// Package version tells which build of confc is running.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is the release of confc. Release builds set it with
// -ldflags "-X github.com/confc/confc/internal/version.Version=v1.2.3";
// otherwise it is "dev".
var Version = "dev"

// Commit returns the VCS revision the binary was built from, with "+dirty"
// when the work tree had changes, or "unknown" when the build carries none
// (go run and go test builds do not).
func Commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// GoVersion returns the Go release that built the binary.
func GoVersion() string { return runtime.Version() }
