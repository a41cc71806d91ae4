// Package prompt asks the operator, on a terminal, for what confc must not
// find in cluster.conf: the cluster passphrase, the config passphrase of
// cluster.sec and the answers to the secret prompts.
//
// Everything goes through the Terminal interface, so that the whole flow
// runs in tests on scripted input; OSTerminal is the real one. Nothing an
// operator types is ever written back to the terminal or anywhere else by
// this package: the caller decides where an answer goes.
package prompt

import (
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Terminal is an interactive terminal: text written to it is shown to the
// operator, and lines are read from it with or without echo.
type Terminal interface {
	io.Writer
	// ReadLine reads one line, shown as it is typed, without its line
	// end.
	ReadLine() (string, error)
	// ReadHidden reads one line without showing it, without its line
	// end.
	ReadHidden() (string, error)
}

// ErrInputEnded means the terminal closed (or the operator typed the
// end-of-file key) before an answer was complete.
var ErrInputEnded = errors.New("input ended before an answer was given")

// OSTerminal is a Terminal on a terminal device: lines are read from In,
// and prompts are written to Out (normally stderr, so that stdout keeps
// only the command's output).
type OSTerminal struct {
	In  *os.File
	Out io.Writer
}

// NewOSTerminal returns a terminal reading from in and writing to out, and
// false when in is not a terminal.
func NewOSTerminal(in io.Reader, out io.Writer) (*OSTerminal, bool) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return &OSTerminal{In: f, Out: out}, true
}

// Write shows p to the operator.
func (t *OSTerminal) Write(p []byte) (int, error) { return t.Out.Write(p) }

// ReadLine reads an echoed line. It reads one byte at a time, so that no
// typed-ahead input is held in a buffer when the next read turns echo off.
func (t *OSTerminal) ReadLine() (string, error) {
	var sb strings.Builder
	b := make([]byte, 1)
	for {
		n, err := t.In.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimSuffix(sb.String(), "\r"), nil
			}
			sb.WriteByte(b[0])
			continue
		}
		if err == io.EOF || (err == nil && n == 0) {
			if sb.Len() > 0 {
				return strings.TrimSuffix(sb.String(), "\r"), nil
			}
			return "", ErrInputEnded
		}
		if err != nil {
			return "", err
		}
	}
}

// ReadHidden reads a line with echo off. The terminal's state is restored
// afterwards, and also when the process is interrupted while waiting (see
// restoreOnSignal), so that an interrupted prompt never leaves the
// operator's shell without echo.
func (t *OSTerminal) ReadHidden() (string, error) {
	fd := int(t.In.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	stop := restoreOnSignal(fd, state, t.Out)
	b, err := term.ReadPassword(fd)
	stop()
	// The Enter key the operator typed was not echoed either.
	_, _ = io.WriteString(t.Out, "\n")
	if err == io.EOF && len(b) == 0 {
		return "", ErrInputEnded
	}
	if err != nil && err != io.EOF {
		return "", err
	}
	return string(b), nil
}
