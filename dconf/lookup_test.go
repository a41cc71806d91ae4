package dconf

import "testing"

// TestLookupIndexOnMap checks that a path parsed from dotted text, where
// digits read as an index, finds a map key made of the same digits, and
// that an index never matches a key written otherwise.
func TestLookupIndexOnMap(t *testing.T) {
	f, err := Parse("t.conf", []byte("m: { \"0\": a, \"00\": b }\nl: [ x, y ]\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		p    Path
		want string // "" for no value
	}{
		{Path{{Key: "m"}, {Index: 0, IsIndex: true}}, "a"},
		{Path{{Key: "m"}, {Key: "00"}}, "b"},
		{Path{{Key: "m"}, {Index: 1, IsIndex: true}}, ""},
		{Path{{Key: "m"}, {Index: -1, IsIndex: true}}, ""},
		{Path{{Key: "l"}, {Index: 1, IsIndex: true}}, "y"},
		{Path{{Key: "l"}, {Key: "1"}}, ""},
	}
	for _, c := range cases {
		got := ""
		if s, ok := Lookup(f.Root, c.p).(*String); ok {
			got = s.Value
		}
		if got != c.want {
			t.Errorf("Lookup(%s) = %q, want %q", c.p, got, c.want)
		}
	}
}
