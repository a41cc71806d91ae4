//go:build unix

package prompt

import (
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// restoreOnSignal watches for an interrupt or termination while echo is
// off. If one comes, it restores the terminal and delivers the signal again
// with its default action, so that the process ends as interrupted but the
// shell gets its echo back. The returned function stops watching.
func restoreOnSignal(fd int, state *term.State, out io.Writer) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case sig := <-ch:
			_ = term.Restore(fd, state)
			_, _ = io.WriteString(out, "\n")
			signal.Reset(sig)
			if s, ok := sig.(syscall.Signal); ok {
				_ = syscall.Kill(os.Getpid(), s)
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		<-finished
	}
}
