package lint

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/confc/confc/dconf"
)

// ExportJSON writes the data of f as JSON: maps as objects with keys in
// file order, arrays, strings, numbers and booleans; date-times as their
// source text. Secret values, as the [Masker] sees them, are written as
// "****" unless showSecrets is set, so the output is safe to log.
func ExportJSON(w io.Writer, f *dconf.File, showSecrets bool) error {
	var m *Masker
	if !showSecrets {
		m = NewMasker(f.Src, f)
	}
	bw := bufio.NewWriter(w)
	writeJSONValue(bw, f.Root, m, 0)
	bw.WriteByte('\n')
	return bw.Flush()
}

func writeJSONValue(w *bufio.Writer, v dconf.Value, m *Masker, depth int) {
	indent := func(d int) {
		w.WriteByte('\n')
		for range d {
			w.WriteString("  ")
		}
	}
	if m != nil && isScalar(v) && m.MaskedValue(v) {
		writeJSONString(w, Mask)
		return
	}
	switch n := v.(type) {
	case *dconf.Map:
		if n == nil || len(n.Entries) == 0 {
			w.WriteString("{}")
			return
		}
		w.WriteByte('{')
		for i, e := range n.Entries {
			if i > 0 {
				w.WriteByte(',')
			}
			indent(depth + 1)
			writeJSONString(w, e.Key.Name)
			w.WriteString(": ")
			writeJSONValue(w, e.Value, m, depth+1)
		}
		indent(depth)
		w.WriteByte('}')
	case *dconf.Array:
		if len(n.Elems) == 0 {
			w.WriteString("[]")
			return
		}
		w.WriteByte('[')
		for i, el := range n.Elems {
			if i > 0 {
				w.WriteByte(',')
			}
			indent(depth + 1)
			writeJSONValue(w, el, m, depth+1)
		}
		indent(depth)
		w.WriteByte(']')
	case *dconf.String:
		writeJSONString(w, n.Value)
	case *dconf.Int:
		w.WriteString(strconv.FormatInt(n.Value, 10))
	case *dconf.Float:
		if math.IsInf(n.Value, 0) || math.IsNaN(n.Value) {
			writeJSONString(w, n.Raw)
			return
		}
		w.WriteString(strconv.FormatFloat(n.Value, 'g', -1, 64))
	case *dconf.Bool:
		w.WriteString(strconv.FormatBool(n.Value))
	case *dconf.DateTime:
		writeJSONString(w, n.Raw)
	default:
		w.WriteString("null")
	}
}

func writeJSONString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s) // marshalling a string cannot fail
	w.Write(b)
}
