package apply

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Helpers that read the loosely typed data Vault returns: numbers arrive as
// json.Number, lists as []any, and some lists as comma-separated strings.

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func asBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, _ := strconv.ParseBool(x)
		return b
	}
	return false
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			f, _ := x.Float64()
			return int64(f)
		}
		return n
	case float64:
		return int64(x)
	case int:
		return int64(x)
	case int64:
		return x
	case string:
		if d, err := time.ParseDuration(x); err == nil {
			return int64(d / time.Second)
		}
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, asString(e))
		}
		return out
	case []string:
		return x
	case string:
		if x == "" {
			return []string{}
		}
		parts := strings.Split(x, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	case nil:
		return []string{}
	}
	return []string{asString(v)}
}

// sameSet reports whether a and b hold the same strings, ignoring order
// and duplicates.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// seconds parses a plan duration ("72h") into seconds.
func seconds(d string) (int64, error) {
	if d == "" {
		return 0, nil
	}
	dur, err := time.ParseDuration(d)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q in the plan: %w", d, err)
	}
	return int64(dur / time.Second), nil
}

// canonicalJSON encodes a value so that equal values compare equal
// whatever their Go types: a json.Number and the float it came from, an
// []any and an []string.
func canonicalJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if raw, ok := v.(json.RawMessage); ok {
		var x any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if d.Decode(&x) == nil {
			v = x
		}
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return strings.TrimRight(buf.String(), "\n")
}

// decodeValue turns a plan field's JSON value into what is written to
// Vault.
func decodeValue(raw json.RawMessage) (any, error) {
	var x any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("invalid value in the plan: %w", err)
	}
	return x, nil
}
