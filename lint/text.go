package lint

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// TextOptions adjusts the human-readable output.
type TextOptions struct {
	// Color adds ANSI colours. Callers set it only when the output is a
	// terminal and NO_COLOR is unset.
	Color bool
}

// ANSI escapes used when colour is on.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiBlue   = "\x1b[1;34m"
	ansiCyan   = "\x1b[36m"
)

// WriteText writes the findings of results for people:
//
//	file:line:col: severity: message [rule]
//	  28 |     suitable_tags: [ "instance-manager"
//	     |                    ^
//	     = hint: ...
//	     = doc: https://.../docs/rules/RULE-ID.md
//
// with secret values masked and control characters escaped (TerminalSafe),
// followed by a summary line when there is any finding. Nothing is written
// for a clean run.
func WriteText(w io.Writer, results []*Result, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	var errs, warns, infos, files int
	for _, r := range results {
		if len(r.Diagnostics) > 0 {
			files++
		}
		for _, d := range r.Diagnostics {
			sevColor := ansiRed
			switch d.Severity {
			case Error:
				errs++
			case Warning:
				warns++
				sevColor = ansiYellow
			default:
				infos++
				sevColor = ansiBlue
			}
			fmt.Fprintf(bw, "%s: %s: %s %s\n",
				paint(ansiBold, TerminalSafe(d.position())),
				paint(sevColor, d.Severity.String()),
				TerminalSafe(d.Message),
				paint(ansiDim, "["+TerminalSafe(d.Rule)+"]"))
			writeSnippet(bw, r.Masker, d, func(s string) string { return paint(sevColor, s) }, func(s string) string { return paint(ansiCyan, s) })
			if d.Hint != "" {
				fmt.Fprintf(bw, "%s %s\n", paint(ansiCyan, "     = hint:"), TerminalSafe(d.Hint))
			}
			if u := DocURL(d.Rule); u != "" {
				fmt.Fprintf(bw, "%s %s\n", paint(ansiCyan, "     = doc:"), u)
			}
			bw.WriteByte('\n')
		}
	}
	if errs+warns+infos > 0 {
		parts := []string{plural3(errs, "error"), plural3(warns, "warning")}
		if infos > 0 {
			parts = append(parts, plural3(infos, "info"))
		}
		fmt.Fprintf(bw, "%s in %s\n", strings.Join(parts, ", "), plural3(files, "file"))
	}
	return bw.Flush()
}

func plural3(n int, word string) string {
	if n == 1 || word == "info" {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// writeSnippet writes the masked source line of d with a caret under its
// span: "^" at the start column, "~" up to the end of the span on that
// line.
func writeSnippet(w io.Writer, m *Masker, d Diagnostic, caretPaint, gutterPaint func(string) string) {
	if m == nil || !d.Start.IsValid() {
		return
	}
	text, mapCol := m.Line(d.Start.Line)
	if text == "" && d.Start.Column > 1 {
		return
	}
	from := min(mapCol(d.Start.Column), len(text))
	to := from + 1
	switch {
	case d.End.Line == d.Start.Line && d.End.Column > d.Start.Column:
		to = mapCol(d.End.Column)
		// A span ending inside a masked value ends at the mask.
		if to <= from {
			to = from + len(Mask)
		}
	case d.End.Line > d.Start.Line:
		to = len(text)
	}
	to = min(max(to, from+1), max(len(text), from+1))

	// The caret line copies tabs from the source so the caret lines up
	// whatever the tab width; other characters become one space each.
	var pad strings.Builder
	for _, r := range text[:from] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	width := 1
	if to <= len(text) {
		width = max(1, utf8.RuneCountInString(text[from:to]))
	}
	gutter := fmt.Sprintf("%4d |", d.Start.Line)
	fmt.Fprintf(w, "%s %s\n", gutterPaint(gutter), strings.TrimRight(text, " \t"))
	fmt.Fprintf(w, "%s %s%s\n", gutterPaint("     |"), pad.String(), caretPaint("^"+strings.Repeat("~", width-1)))
}
