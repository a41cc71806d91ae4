//go:build !unix

package prompt

import (
	"io"

	"golang.org/x/term"
)

// restoreOnSignal does nothing where signals cannot be re-delivered; the
// terminal state is still restored when the read returns.
//
// TODO: an interrupt while echo is off leaves the console without echo on
// systems other than Unix.
func restoreOnSignal(fd int, state *term.State, out io.Writer) (stop func()) {
	return func() {}
}
