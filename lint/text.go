package lint

import (
	"bufio"
	"bytes"
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

// Limits that keep the text output proportional to the number of findings
// rather than to the length of the lines they sit on: a one-line file of
// 150 KB with thousands of findings would otherwise print the whole line,
// and a caret line as long, for every one of them.
const (
	// SnippetWidth is the most display columns of a source line a snippet
	// shows; a longer line is cut around the finding, with "…" where it
	// was cut.
	SnippetWidth = 120
	// snippetLead is how many columns of a cut line are kept before the
	// finding, so that the key in front of a value stays visible.
	snippetLead = 40
	// MaxSnippets is how many findings of one file get a source snippet;
	// the rest are listed with their message, hint and doc link only.
	MaxSnippets = 100
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
// followed by a summary line when there is any finding:
//
//	1 error, 0 warnings in 3 files (1 with findings)
//
// Nothing at all is written for a clean run. A snippet shows at most
// SnippetWidth columns of its line, and only the first MaxSnippets findings
// of a file have one; a note says where snippets stop.
func WriteText(w io.Writer, results []*Result, opts TextOptions) error {
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	var errs, warns, infos, withFindings int
	for _, r := range results {
		if len(r.Diagnostics) > 0 {
			withFindings++
		}
		lines := lineCache{m: r.Masker}
		for i, d := range r.Diagnostics {
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
			if i == MaxSnippets {
				fmt.Fprintf(bw, "%s %s\n\n", paint(ansiCyan, "note:"),
					TerminalSafe(fmt.Sprintf("%s has %d findings; the %d after the first %d are listed without source lines", r.Name, len(r.Diagnostics), len(r.Diagnostics)-MaxSnippets, MaxSnippets)))
			}
			fmt.Fprintf(bw, "%s: %s: %s %s\n",
				paint(ansiBold, TerminalSafe(d.position())),
				paint(sevColor, d.Severity.String()),
				TerminalSafe(d.Message),
				paint(ansiDim, "["+TerminalSafe(d.Rule)+"]"))
			if i < MaxSnippets {
				writeSnippet(bw, &lines, d, func(s string) string { return paint(sevColor, s) }, func(s string) string { return paint(ansiCyan, s) })
			}
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
		fmt.Fprintf(bw, "%s in %s", strings.Join(parts, ", "), plural3(len(results), "file"))
		if withFindings != len(results) {
			fmt.Fprintf(bw, " (%d with findings)", withFindings)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

func plural3(n int, word string) string {
	if n == 1 || word == "info" {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// lineCache keeps the last masked line of a file: findings come sorted, so
// the findings on one long line reuse it instead of masking it again each.
type lineCache struct {
	m      *Masker
	n      int
	text   string
	mapCol func(int) int
}

func (c *lineCache) line(n int) (string, func(int) int) {
	if c.mapCol == nil || c.n != n {
		c.n = n
		c.text, c.mapCol = c.m.Line(n)
	}
	return c.text, c.mapCol
}

// ellipsis marks where a snippet line was cut.
const ellipsis = "…"

// writeSnippet writes the masked source line of d with a caret under its
// span: "^" at the start column, "~" up to the end of the span on that
// line. A line wider than SnippetWidth is cut to a window around the start
// of the span, and the caret stays inside that window.
//
// When a mask covers the start column (a syntax error found inside text
// that is masked because it follows a secret key), the caret is put at the
// real column anyway, padded past the mask, and the line says "(masked)"
// so the reader knows why nothing is shown above the caret.
func writeSnippet(w io.Writer, lines *lineCache, d Diagnostic, caretPaint, gutterPaint func(string) string) {
	if lines.m == nil || !d.Start.IsValid() {
		return
	}
	text, mapCol := lines.line(d.Start.Line)
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

	// Columns past the mask: the caret of a finding inside masked text
	// would otherwise point at the mask's first character.
	hidden := 0
	if d.Start.Offset >= 0 && lines.m.Masked(d.Start.Offset) {
		if start, _, ok := lines.m.lineBounds(d.Start.Line); ok && d.Start.Offset >= start {
			if start == 0 && bytes.HasPrefix(lines.m.src, []byte("\uFEFF")) {
				start = min(3, d.Start.Offset) // Line leaves the byte-order mark out
			}
			hidden = max(0, utf8.RuneCount(lines.m.src[start:d.Start.Offset])-utf8.RuneCountInString(text[:from]))
			to = from + 1
		}
	}

	// Cut a long line to a window of SnippetWidth columns around the
	// caret. Columns are counted in runes; escapes and masks are already
	// in text, so a cut never exposes what they hide.
	winStart, winEnd := 0, len(text)
	if utf8.RuneCountInString(text) > SnippetWidth {
		winStart = from
		for n := 0; n < snippetLead && winStart > 0; n++ {
			_, size := utf8.DecodeLastRuneInString(text[:winStart])
			winStart -= size
		}
		winEnd = winStart
		for n := 0; n < SnippetWidth && winEnd < len(text); n++ {
			_, size := utf8.DecodeRuneInString(text[winEnd:])
			winEnd += size
		}
		if winEnd == len(text) {
			// Near the end: show the full width ending at the line end.
			winStart = winEnd
			for n := 0; n < SnippetWidth && winStart > 0; n++ {
				_, size := utf8.DecodeLastRuneInString(text[:winStart])
				winStart -= size
			}
		}
	}
	shown := text[winStart:winEnd]
	if winEnd < len(text) {
		shown += ellipsis
	} else {
		shown = strings.TrimRight(shown, " \t")
	}
	var pad strings.Builder
	if winStart > 0 {
		shown = ellipsis + shown
		pad.WriteByte(' ')
	}
	// The caret line copies tabs from the source so the caret lines up
	// whatever the tab width; other characters become one space each.
	for _, r := range text[winStart:from] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	to = min(to, winEnd)
	width := 1
	if to <= len(text) && to > from {
		width = max(1, utf8.RuneCountInString(text[from:to]))
	}
	note := ""
	if hidden > 0 {
		// Past the window, padding would run off the snippet; the column
		// is named instead.
		if utf8.RuneCountInString(pad.String())+hidden < SnippetWidth {
			pad.WriteString(strings.Repeat(" ", hidden))
			note = " (masked)"
		} else {
			note = fmt.Sprintf(" (masked; the finding is at column %d)", d.Start.Column)
		}
	}
	gutter := fmt.Sprintf("%4d |", d.Start.Line)
	fmt.Fprintf(w, "%s %s\n", gutterPaint(gutter), shown)
	fmt.Fprintf(w, "%s %s%s%s\n", gutterPaint("     |"), pad.String(), caretPaint("^"+strings.Repeat("~", width-1)), note)
}
