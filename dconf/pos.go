package dconf

import (
	"bytes"
	"sort"
)

// lineStarts returns the offset of the first byte of every line in src. Only
// "\n" ends a line; a "\r" before it stays part of the line's bytes.
func lineStarts(src []byte) []int {
	lines := make([]int, 1, 1+bytes.Count(src, []byte{'\n'}))
	for i, c := range src {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func (f *File) lineTable() []int {
	if f.lines != nil {
		return f.lines
	}
	return lineStarts(f.Src)
}

// PosAt returns the position of the byte at offset off in f.Src. An offset
// past the end gives the position just after the last byte. Column counts
// bytes from the start of the line, so a byte-order mark at the start of the
// file counts in the columns of the first line, as it does in the offsets.
func (f *File) PosAt(off int) Pos {
	return f.posAt(off)
}

func (f *File) posAt(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(f.Src) {
		off = len(f.Src)
	}
	lines := f.lineTable()
	i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	return Pos{Filename: f.Name, Offset: off, Line: i + 1, Column: off - lines[i] + 1}
}

// LineText returns the text of line (1-based) without its line break, or ""
// when the file has no such line. The linter uses it to print the source
// line under a finding.
func (f *File) LineText(line int) string {
	lines := f.lineTable()
	if line < 1 || line > len(lines) {
		return ""
	}
	start := lines[line-1]
	end := len(f.Src)
	if line < len(lines) {
		end = lines[line] - 1
	}
	if end > start && f.Src[end-1] == '\r' {
		end--
	}
	return string(f.Src[start:end])
}
