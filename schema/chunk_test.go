package schema

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"github.com/google/go-cmp/cmp"

	"github.com/confc/confc/dconf"
)

// noChunks turns chunking off: every array is given to CUE whole, which is
// what Validate did for every array before chunks existed and the reference
// the chunked results must equal.
const noChunks = math.MaxInt

// hostsConf writes one machine group whose hosts list has n entries, one per
// line at column 7, with the entries at the indexes of bad replaced by their
// values written as is.
func hostsConf(n int, bad map[int]string) string {
	var b strings.Builder
	b.WriteString("machines: {\n  big: {\n    hosts: [\n")
	for i := range n {
		if s, ok := bad[i]; ok {
			fmt.Fprintf(&b, "      %s\n", s)
			continue
		}
		fmt.Fprintf(&b, "      \"10.0.%d.%d\"\n", i/250, i%250+1)
	}
	b.WriteString("    ]\n    suitable_tags: [ instance-manager ]\n  }\n}\n")
	return b.String()
}

func TestLongHostsList(t *testing.T) {
	bad := map[int]string{3: `"10.0.0.x"`, 250: `"not-an-ip"`, 499: `7`}
	src := hostsConf(500, bad)
	f := parse(t, src)

	// Host i is on line 4+i (three lines open the group), at column 7.
	want := []string{
		`7:7 [schema] "10.0.0.x" is not an IP address`,
		`254:7 [schema] "not-an-ip" is not an IP address`,
		`503:7 [schema] 7 is not an IP address`,
	}
	vs := Validate(f)
	var got []string
	for _, v := range vs {
		got = append(got, brief(v))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	for i, idx := range []int{3, 250, 499} {
		if i >= len(vs) {
			break
		}
		wantPath := dconf.Path{{Key: "machines"}, {Key: "big"}, {Key: "hosts"}, {Index: idx, IsIndex: true}}
		if diff := cmp.Diff(wantPath, vs[i].Path); diff != "" {
			t.Errorf("path of violation %d (-want +got):\n%s", i, diff)
		}
		if w := vs[i].Pos.Offset + len(bad[idx]); vs[i].End.Offset != w {
			t.Errorf("violation %d ends at offset %d, want %d", i, vs[i].End.Offset, w)
		}
	}

	// Everything, including the end positions, equals what CUE reports
	// for the list given whole.
	if diff := cmp.Diff(validate(f, noChunks), vs); diff != "" {
		t.Errorf("chunked violations differ from whole-list ones (-whole +chunked):\n%s", diff)
	}
}

// repeat writes n elements made by elem, one per line.
func repeat(n int, elem func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(elem(i))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestChunkedMatchesWhole(t *testing.T) {
	tests := []struct {
		what string
		src  string
		// want is the number of violations; the chunked and whole results
		// must be equal, and not trivially so.
		want int
	}{
		{
			what: "suitable tags with an unknown component, a repeat and a number",
			src: "machines: { a: { suitable_tags: [\n" + repeat(70, func(i int) string {
				switch i {
				case 10:
					return "route"
				case 40:
					return "vault"
				case 69:
					return "5"
				}
				return "kv-store"
			}) + "] } }\n",
			// route, 5, and every kv-store after the first is a repeat.
			want: 2 + 66,
		},
		{
			what: "TLS hosts with nested mistakes, a secret of the wrong type and a nested long list",
			src: "chef: { continuum: { cluster_name: c, base_domain: c.example, router: { ssl: { tlshosts: [\n" + repeat(70, func(i int) string {
				switch i {
				case 2:
					return "{ server_names: [1] }"
				case 30:
					return "{ private_key: 12 }"
				case 50:
					return "{ server_names: [\n" + repeat(70, func(j int) string {
						if j == 66 {
							return "{ x: 1 }"
						}
						return fmt.Sprintf("h%d.example", j)
					}) + "] }"
				case 60:
					return "{ foo: bar }"
				case 65:
					return "just-a-string"
				}
				return fmt.Sprintf("{ server_names: [h%d.example], certificate_chain: c }", i)
			}) + "] } } } }\n",
			want: 5,
		},
		{
			what: "basic users with a password of the wrong type",
			src: "chef: { continuum: { cluster_name: c, base_domain: c.example, auth_server: { identity: { basic: { users: [\n" + repeat(70, func(i int) string {
				if i == 68 {
					return "{ name: u, password: 5 }"
				}
				return fmt.Sprintf("{ name: u%d }", i)
			}) + "] } } } } }\n",
			want: 1,
		},
		{
			what: "long lists in several sections beside other mistakes",
			src: "components: { kv-store: 2 }\n" + hostsConf(130, map[int]string{0: "x", 64: "y", 65: "{ a: 1 }", 129: "[1]"}) +
				"chef: { continuum: { cluster_name: c, base_domain: c.example, instance_manager: { container_dns_ip: [\n" +
				repeat(100, func(i int) string {
					if i == 99 {
						return "1.2.3"
					}
					return fmt.Sprintf("10.9.0.%d", i+1)
				}) + "] }, ssh: { custom_keys: [\n" + repeat(80, func(i int) string {
				if i == 7 {
					return "{}"
				}
				return "k"
			}) + "] } } }\n",
			want: 1 + 4 + 1 + 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			f := parse(t, tt.src)
			whole := validate(f, noChunks)
			if len(whole) != tt.want {
				var got []string
				for _, v := range whole {
					got = append(got, brief(v))
				}
				t.Fatalf("whole lists give %d violations, want %d:\n%s", len(whole), tt.want, strings.Join(got, "\n"))
			}
			// The default size, and a small one that splits every list
			// into several chunks and cuts through the nested lists.
			for _, size := range []int{chunkSize, 5} {
				if diff := cmp.Diff(whole, validate(f, size)); diff != "" {
					t.Errorf("chunks of %d differ from whole lists (-whole +chunked):\n%s", size, diff)
				}
			}
		})
	}
}

func TestPlainList(t *testing.T) {
	c := load()
	if c.err != nil {
		t.Fatal(c.err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.ctx.CompileString(`
import ("list", "net")
plain:       [...net.IP]
structs:     [...{x?: int, y?: [...string]}]
minItems:    list.MinItems(1) & [...string]
unique:      [...string] & list.UniqueItems()
prefix:      [int, ...string]
disjunction: [...string] | [...int]
withDefault: *["a"] | [...=~"^a"]
notAList:    string
`)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"plain": true, "structs": true,
		"minItems": false, "unique": false, "prefix": false,
		"disjunction": false, "withDefault": false, "notAList": false,
	} {
		n := c.expand(c.build(s.LookupPath(cue.ParsePath(name)), 1))
		v := &validator{c: c}
		if got := v.plainList(n); got != want {
			t.Errorf("plainList(%s) = %v, want %v", name, got, want)
		}
	}

	// Every list of cluster.cue that a long array may be checked against.
	for _, p := range []string{
		"machines.g.hosts",
		"machines.g.suitable_tags",
		"chef.continuum.router.ssl.tlshosts",
		"chef.continuum.auth_server.identity.basic.users",
		"chef.continuum.cluster.subnets",
	} {
		var dp dconf.Path
		for _, k := range strings.Split(p, ".") {
			dp = append(dp, dconf.PathElem{Key: k})
		}
		n := c.lookupLocked(dp)
		if n == nil {
			t.Fatalf("the schema has no %s", p)
		}
		if v := (&validator{c: c}); !v.plainList(c.expand(n)) {
			t.Errorf("%s is not a plain list", p)
		}
	}
}

func TestChunkPath(t *testing.T) {
	array := dconf.Path{{Key: "chef"}, {Key: "a b"}, {Index: 4, IsIndex: true}, {Key: "list"}}
	index := []int{70, 72}
	tests := []struct {
		rest, want []string
	}{
		{[]string{"1", "server_names", "0"}, []string{`"chef"`, `"a b"`, "4", `"list"`, "72", "server_names", "0"}},
		{[]string{"0"}, []string{`"chef"`, `"a b"`, "4", `"list"`, "70"}},
		// Not an element of the chunk: the array itself.
		{nil, []string{`"chef"`, `"a b"`, "4", `"list"`}},
		{[]string{"2"}, []string{`"chef"`, `"a b"`, "4", `"list"`}},
		{[]string{"x"}, []string{`"chef"`, `"a b"`, "4", `"list"`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, chunkPath(array, index, tt.rest)); diff != "" {
			t.Errorf("chunkPath(%q) (-want +got):\n%s", tt.rest, diff)
		}
	}
}
