package servertest

import "syscall"

// setDeathSignal makes the kernel kill a server when the test binary dies
// without running its cleanups (a -timeout panic, SIGKILL). The signal is
// tied to the OS thread that started the server, which the Go runtime
// keeps alive unless a goroutine exits while locked to it; tests do not do
// that around server starts.
func setDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
