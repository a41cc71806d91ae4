package lint

import (
	"encoding/json"
	"io"
)

// JSONDiagnostic is the JSON form of a Diagnostic, as written by
// [WriteJSON]. Lines and columns are 1-based, columns count bytes, offsets
// are 0-based byte offsets; the end is the position just after the span.
type JSONDiagnostic struct {
	File      string        `json:"file"`
	Line      int           `json:"line"`
	Column    int           `json:"column"`
	Offset    int           `json:"offset"`
	EndLine   int           `json:"end_line"`
	EndColumn int           `json:"end_column"`
	EndOffset int           `json:"end_offset"`
	Severity  string        `json:"severity"`
	Rule      string        `json:"rule"`
	Message   string        `json:"message"`
	Hint      string        `json:"hint,omitempty"`
	Related   []JSONRelated `json:"related,omitempty"`
}

// JSONRelated is a related position in [JSONDiagnostic].
type JSONRelated struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// ToJSON converts d to its JSON form. A zero End becomes the start.
func ToJSON(d Diagnostic) JSONDiagnostic {
	end := d.End
	if !end.IsValid() {
		end = d.Start
	}
	j := JSONDiagnostic{
		File:      d.File,
		Line:      d.Start.Line,
		Column:    d.Start.Column,
		Offset:    d.Start.Offset,
		EndLine:   end.Line,
		EndColumn: end.Column,
		EndOffset: end.Offset,
		Severity:  d.Severity.String(),
		Rule:      d.Rule,
		Message:   d.Message,
		Hint:      d.Hint,
	}
	for _, p := range d.Related {
		j.Related = append(j.Related, JSONRelated{Line: p.Line, Column: p.Column, Offset: p.Offset})
	}
	return j
}

// WriteJSON writes the findings of every result as one JSON array of
// [JSONDiagnostic] objects, "[]" when there is none.
func WriteJSON(w io.Writer, results []*Result) error {
	out := []JSONDiagnostic{}
	for _, r := range results {
		for _, d := range r.Diagnostics {
			out = append(out, ToJSON(d))
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
