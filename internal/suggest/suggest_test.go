package suggest

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		what string
		a, b string
		want int
	}{
		{"equal", "router", "router", 0},
		{"one deletion", "route", "router", 1},
		{"one substitution", "vault", "vaulx", 1},
		{"transposition is two edits", "kv-stroe", "kv-store", 2},
		{"empty against word", "", "vault", 5},
		{"word against empty", "vault", "", 5},
		{"a multi-byte rune is one edit", "kv-störe", "kv-store", 1},
		{"unrelated", "abc", "xyz", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Distance(%q, %q) = %d, want %d", tt.what, tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("%s: Distance(%q, %q) = %d, want %d (not symmetric)", tt.what, tt.b, tt.a, got, tt.want)
		}
	}
}
