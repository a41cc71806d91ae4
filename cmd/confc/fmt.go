package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/lint"
)

// Exit codes of "confc fmt".
const (
	fmtExitClean       = 0 // every file is formatted, or was rewritten
	fmtExitUnformatted = 1 // --check found a file that formatting would change
	fmtExitFailed      = 3 // a file could not be read, parsed or written
)

// stdinName is the file argument that stands for standard input.
const stdinName = "-"

// FmtCmd rewrites cluster.conf files in the canonical Dconf layout.
type FmtCmd struct {
	Files []string `arg:"" name:"file" help:"Files to format; \"-\" reads standard input and writes the result to standard output."`
	Check bool     `help:"Change nothing; list the files that are not formatted and exit 1 if there is one."`
	Diff  bool     `help:"Change nothing; print a unified diff of what formatting would change, secret values masked."`
}

// Help is the long description shown by "confc fmt --help".
func (FmtCmd) Help() string {
	return `Rewrites each file in the canonical Dconf layout: two-space indentation,
"key: value" entries, right-aligned keys where the file already aligns
them (as in the components section), and no commas at line ends. Values,
quoting, block strings and comments are kept exactly; formatting never
changes what the file means. Files are replaced atomically and keep their
mode. When any file cannot be read or parsed, no file is written.

Exit status:
  0  every file is formatted (or has been rewritten)
  1  with --check: at least one file is not formatted
  2  usage error
  3  a file could not be read, parsed or written

Examples:
  confc fmt cluster.conf
  confc fmt --check --diff cluster.conf
  confc fmt - < cluster.conf > formatted.conf`
}

// fmtInput is one file to format.
type fmtInput struct {
	name string // as given on the command line
	src  []byte
	file *dconf.File
}

// Run formats every file, or checks or diffs them.
func (c *FmtCmd) Run(env *Env) error {
	inputs, ok := c.read(env)
	if !ok {
		return exitWith(fmtExitFailed, nil)
	}

	code := fmtExitClean
	for _, in := range inputs {
		out := dconf.Format(in.file)
		changed := !bytes.Equal(out, in.src)
		switch {
		case c.Check || c.Diff:
			if !changed {
				continue
			}
			if c.Check {
				code = fmtExitUnformatted
			}
			if c.Diff {
				if err := writeMaskedDiff(env.Stdout, in, out); err != nil {
					return fmt.Errorf("writing the diff: %w", err)
				}
			} else {
				fmt.Fprintln(env.Stdout, in.name)
			}
		case in.name == stdinName:
			if _, err := env.Stdout.Write(out); err != nil {
				return fmt.Errorf("writing standard output: %w", err)
			}
		case changed:
			if err := replaceFile(in.name, out); err != nil {
				fmt.Fprintf(env.Stderr, "confc: cannot write %q: %v\n", in.name, err)
				code = fmtExitFailed
				continue
			}
		}
	}
	if code == fmtExitClean {
		return nil
	}
	return exitWith(code, nil)
}

// read reads and parses every input. It reports each failure on stderr and
// returns ok false when there was one, so that nothing gets written unless
// every file is sound.
func (c *FmtCmd) read(env *Env) (inputs []*fmtInput, ok bool) {
	ok = true
	var failed []*lint.Result
	seenStdin := false
	for _, name := range c.Files {
		var src []byte
		var err error
		if name == stdinName {
			if seenStdin {
				fmt.Fprintln(env.Stderr, "confc: \"-\" (standard input) may be given only once")
				ok = false
				continue
			}
			seenStdin = true
			src, err = io.ReadAll(env.Stdin)
		} else {
			src, err = os.ReadFile(name)
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "confc: cannot read %q: %v\n", name, unwrapPathError(err))
			ok = false
			continue
		}
		f, err := dconf.Parse(name, src)
		if err != nil {
			// lint renders the syntax error with its masked source line,
			// exactly as "confc lint" shows it.
			failed = append(failed, lint.Source(name, src))
			ok = false
			continue
		}
		inputs = append(inputs, &fmtInput{name: name, src: src, file: f})
	}
	if len(failed) > 0 {
		if err := lint.WriteText(env.Stderr, failed, lint.TextOptions{}); err != nil {
			fmt.Fprintf(env.Stderr, "confc: %v\n", err)
		}
	}
	return inputs, ok
}

// writeMaskedDiff writes a unified diff from in to its formatted text out.
// Lint output rules apply: the diff is meant for logs and review, so every
// line passes through the same masker as lint's source snippets, and a
// secret shows as "****" on both sides.
func writeMaskedDiff(w io.Writer, in *fmtInput, out []byte) error {
	formatted, err := dconf.Parse(in.name, out)
	if err != nil {
		// Format's output always parses; the tests hold it to that.
		return fmt.Errorf("formatted text of %q does not parse: %w", in.name, err)
	}
	before := lint.NewMasker(in.src, in.file)
	after := lint.NewMasker(out, formatted)

	old := string(in.src)
	u, err := udiff.ToUnifiedDiff("a/"+in.name, "b/"+in.name, old, udiff.Lines(old, string(out)), udiff.DefaultContextLines)
	if err != nil {
		return fmt.Errorf("comparing %q with its formatted text: %w", in.name, err)
	}
	for _, h := range u.Hunks {
		oldLine, newLine := h.FromLine, h.ToLine
		for i := range h.Lines {
			l := &h.Lines[i]
			var text string
			switch l.Kind {
			case udiff.Delete:
				text, _ = before.Line(oldLine)
				oldLine++
			case udiff.Insert:
				text, _ = after.Line(newLine)
				newLine++
			default:
				text, _ = before.Line(oldLine)
				oldLine++
				newLine++
			}
			l.Content = text + lineEnd(l.Content)
		}
	}
	_, err = io.WriteString(w, u.String())
	return err
}

// lineEnd returns the line break that ends line: "\r\n", "\n" or none.
func lineEnd(line string) string {
	switch {
	case strings.HasSuffix(line, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(line, "\n"):
		return "\n"
	}
	return ""
}

// replaceFile writes data to the file name through a temporary file in the
// same directory and a rename, so that a reader sees the old content or
// the new one and never a half-written file. The new file gets the old
// one's permission bits. A symbolic link is followed, and the file it
// points to is replaced.
func replaceFile(name string, data []byte) (err error) {
	target, err := filepath.EvalSymlinks(name)
	if err != nil {
		return unwrapPathError(err)
	}
	info, err := os.Stat(target)
	if err != nil {
		return unwrapPathError(err)
	}
	if !info.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".confc-fmt-*")
	if err != nil {
		return unwrapPathError(err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return unwrapPathError(err)
	}
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		return unwrapPathError(err)
	}
	if err = tmp.Sync(); err != nil {
		return unwrapPathError(err)
	}
	if err = tmp.Close(); err != nil {
		return unwrapPathError(err)
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return unwrapPathError(err)
	}
	return nil
}
