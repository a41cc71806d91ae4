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

// writeJSONList writes n items between the brackets left and right, one
// per line indented one level deeper than depth, or the bare brackets when
// there are none.
func writeJSONList(w *bufio.Writer, left, right byte, n, depth int, item func(i int)) {
	w.WriteByte(left)
	if n == 0 {
		w.WriteByte(right)
		return
	}
	for i := range n {
		if i > 0 {
			w.WriteByte(',')
		}
		writeJSONIndent(w, depth+1)
		item(i)
	}
	writeJSONIndent(w, depth)
	w.WriteByte(right)
}

// writeJSONIndent starts a new line indented depth levels.
func writeJSONIndent(w *bufio.Writer, depth int) {
	w.WriteByte('\n')
	for range depth {
		w.WriteString("  ")
	}
}

// writeJSONValue writes v nested depth levels deep, as "****" when m
// masks it; m is nil when secrets are shown.
func writeJSONValue(w *bufio.Writer, v dconf.Value, m *Masker, depth int) {
	if m != nil && isScalar(v) && m.MaskedValue(v) {
		writeJSONString(w, Mask)
		return
	}
	switch n := v.(type) {
	case *dconf.Map:
		var entries []*dconf.Entry
		if n != nil {
			entries = n.Entries
		}
		writeJSONList(w, '{', '}', len(entries), depth, func(i int) {
			writeJSONString(w, entries[i].Key.Name)
			w.WriteString(": ")
			writeJSONValue(w, entries[i].Value, m, depth+1)
		})
	case *dconf.Array:
		writeJSONList(w, '[', ']', len(n.Elems), depth, func(i int) {
			writeJSONValue(w, n.Elems[i], m, depth+1)
		})
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
