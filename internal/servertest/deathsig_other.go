//go:build !linux

package servertest

import "syscall"

// setDeathSignal does nothing where the kernel cannot signal a child when
// its parent dies.
//
// TODO: servers outlive a test binary that dies without running its
// cleanups on systems other than Linux.
func setDeathSignal(attr *syscall.SysProcAttr) {}
