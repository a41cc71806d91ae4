// Package prompttest provides a scripted prompt.Terminal for tests.
package prompttest

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/confc/confc/internal/prompt"
)

// Read is one line read from a Terminal.
type Read struct {
	// Line is what was returned.
	Line string
	// Hidden says the line was read without echo.
	Hidden bool
}

// Terminal is a prompt.Terminal that plays a fixed list of lines and
// records what was written and how each line was read. Like a real
// terminal with echo off, it never shows hidden lines; unlike a real one,
// it does not show echoed lines either, so Output holds only what the
// program wrote.
type Terminal struct {
	mu    sync.Mutex
	lines []string
	out   bytes.Buffer
	reads []Read
}

// New returns a terminal that answers reads with lines, in order, and
// then reports that the input ended.
func New(lines ...string) *Terminal { return &Terminal{lines: lines} }

// Write records program output.
func (t *Terminal) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.Write(p)
}

// ReadLine returns the next scripted line as an echoed read.
func (t *Terminal) ReadLine() (string, error) { return t.next(false) }

// ReadHidden returns the next scripted line as a hidden read.
func (t *Terminal) ReadHidden() (string, error) { return t.next(true) }

func (t *Terminal) next(hidden bool) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return "", prompt.ErrInputEnded
	}
	l := t.lines[0]
	t.lines = t.lines[1:]
	t.reads = append(t.reads, Read{Line: l, Hidden: hidden})
	// A real hidden read ends with a new line written by the reader.
	if hidden {
		t.out.WriteString("\n")
	}
	return l, nil
}

// Output returns everything written so far.
func (t *Terminal) Output() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.String()
}

// Reads returns the reads made so far.
func (t *Terminal) Reads() []Read {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Read(nil), t.reads...)
}

// Left returns the number of scripted lines not read.
func (t *Terminal) Left() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.lines)
}

// HiddenFor reports whether line was read, and whether every read that
// returned it was hidden.
func (t *Terminal) HiddenFor(line string) (read, hidden bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	hidden = true
	for _, r := range t.reads {
		if r.Line == line {
			read = true
			hidden = hidden && r.Hidden
		}
	}
	return read, read && hidden
}

// String describes the terminal's state for failure messages, without the
// lines read (they may be secrets).
func (t *Terminal) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fmt.Sprintf("%d reads, %d lines left", len(t.reads), len(t.lines))
}
