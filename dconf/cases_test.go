package dconf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dump writes v in a compact form that shows each value's type, for
// comparing parse results with expectations.
func dump(v Value) string {
	var b strings.Builder
	dumpTo(&b, v)
	return b.String()
}

func dumpTo(b *strings.Builder, v Value) {
	switch n := v.(type) {
	case *Map:
		b.WriteByte('{')
		for i, e := range n.Entries {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(e.Key.Name))
			b.WriteByte('=')
			dumpTo(b, e.Value)
		}
		b.WriteByte('}')
	case *Array:
		b.WriteByte('[')
		for i, el := range n.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			dumpTo(b, el)
		}
		b.WriteByte(']')
	case *String:
		b.WriteString(strconv.Quote(n.Value))
	case *Int:
		fmt.Fprintf(b, "int:%d", n.Value)
	case *Float:
		fmt.Fprintf(b, "float:%g", n.Value)
	case *Bool:
		fmt.Fprintf(b, "bool:%t", n.Value)
	case *DateTime:
		fmt.Fprintf(b, "time:%s", n.Value.UTC().Format(time.RFC3339Nano))
	default:
		fmt.Fprintf(b, "?%T", v)
	}
}

// parseCases are inputs that must parse, with the tree they must give.
var parseCases = []struct {
	what string
	src  string
	want string
}{
	{"empty file", "", `{}`},
	{"only comments and blank lines", "# a\n\n  # b\n", `{}`},
	{"colon separator", "a: b", `{"a"="b"}`},
	{"colon without space", "a:b", `{"a"="b"}`},
	{"equals separator", "a = b", `{"a"="b"}`},
	{"equals without spaces", "a=b", `{"a"="b"}`},
	{"space separator", "a b", `{"a"="b"}`},
	{"tab separator", "a\tb", `{"a"="b"}`},
	{"space before colon", "a : b", `{"a"="b"}`},
	{"comma after value", "a: 1,\nb: 2,", `{"a"=int:1, "b"=int:2}`},
	{"semicolon after value", "a: 1;\nb: 2;", `{"a"=int:1, "b"=int:2}`},
	{"two entries on a line with comma", "a: 1, b: 2", `{"a"=int:1, "b"=int:2}`},
	{"two entries on a line with semicolon", "a: 1; b: 2", `{"a"=int:1, "b"=int:2}`},
	{"map after key without separator", "provisioner {\n  type: generic\n}", `{"provisioner"={"type"="generic"}}`},
	{"map right after key", "p{type: generic}", `{"p"={"type"="generic"}}`},
	{"array after key without separator", "sources [ a, b ]", `{"sources"=["a", "b"]}`},
	{"block after key without separator", "build (\necho hi\n)\n", `{"build"="echo hi\n"}`},
	{"comment after value", "a: b # note\nc: d", `{"a"="b", "c"="d"}`},
	{"comment right after value", "a: b#note", `{"a"="b"}`},
	{"comment after comma", "a: b, # note\n", `{"a"="b"}`},
	{"double slash is not a comment", "a: //x", `{"a"="//x"}`},
	{"url value", "uri: http://x.y/z?q=1", `{"uri"="http://x.y/z?q=1"}`},
	{"ldaps url", "uri: ldaps://x.y", `{"uri"="ldaps://x.y"}`},
	{"value with equals", "a: a=b", `{"a"="a=b"}`},
	{"value with colon", "a: host:4222", `{"a"="host:4222"}`},
	{"dotted value", "pkg: runtime.apigee-edge-micro-1.1.0", `{"pkg"="runtime.apigee-edge-micro-1.1.0"}`},
	{"dollar key", "$keyname: v", `{"$keyname"="v"}`},
	{"dotted key", "a.b: v", `{"a.b"="v"}`},
	{"key with dash and underscore", "component-database_x: 1", `{"component-database_x"=int:1}`},
	{"slash in key", "a/b: 1", `{"a/b"=int:1}`},
	{"digit key is a string", "1234: x", `{"1234"="x"}`},
	{"true key is a string", "true: x", `{"true"="x"}`},
	{"double-quoted key", `"instance-manager": 1`, `{"instance-manager"=int:1}`},
	{"single-quoted key", `'a b': 1`, `{"a b"=int:1}`},
	{"empty quoted key", `"": 1`, `{""=int:1}`},
	{"quoted key with escape", `"a\tb": 1`, `{"a\tb"=int:1}`},
	{"double-quoted escapes", `a: "t\tn\nr\rq\"b\\"`, `{"a"="t\tn\nr\rq\"b\\"}`},
	{"unicode escape", `a: "\u00e9\u20AC"`, `{"a"="é€"}`},
	{"single-quoted is raw", `a: 'x\ny'`, `{"a"="x\\ny"}`},
	{"double quote in single quotes", `a: 'say "hi"'`, `{"a"="say \"hi\""}`},
	{"single quote in double quotes", `a: "it's"`, `{"a"="it's"}`},
	{"hash inside quotes", `a: "#1"`, `{"a"="#1"}`},
	{"erb inside quotes is text", `a: "<%= x %>"`, `{"a"="<%= x %>"}`},
	{"smart quotes inside quotes", "a: \"\u201Chi\u201D\"", "{\"a\"=\"\u201Chi\u201D\"}"},
	{"utf-8 bare word", "a: café", `{"a"="café"}`},
	{"byte-order mark", "\uFEFFa: 1", `{"a"=int:1}`},
	{"integer", "a: 42", `{"a"=int:42}`},
	{"negative integer", "a: -42", `{"a"=int:-42}`},
	{"zero", "a: 0", `{"a"=int:0}`},
	{"largest integer", "a: 9223372036854775807", `{"a"=int:9223372036854775807}`},
	{"smallest integer", "a: -9223372036854775808", `{"a"=int:-9223372036854775808}`},
	{"float", "weight: 100.0", `{"weight"=float:100}`},
	{"negative float", "a: -2.5", `{"a"=float:-2.5}`},
	{"zero float", "a: 0.25", `{"a"=float:0.25}`},
	{"true", "a: true", `{"a"=bool:true}`},
	{"false", "a: false", `{"a"=bool:false}`},
	{"booleans are case-sensitive", "a: [TRUE, True, yes, no, on, off, null]", `{"a"=["TRUE", "True", "yes", "no", "on", "off", "null"]}`},
	{"date-time", "a: 2026-12-03T17:00:00Z", `{"a"=time:2026-12-03T17:00:00Z}`},
	{"date-time with offset", "a: 2026-12-03T18:00:00+01:00", `{"a"=time:2026-12-03T17:00:00Z}`},
	{"date-time with fraction", "a: 2026-12-03T17:00:00.25Z", `{"a"=time:2026-12-03T17:00:00.25Z}`},
	{"date alone is a string", "a: 2026-12-03", `{"a"="2026-12-03"}`},
	{"version is a string", "a: 1.4.0-rc2", `{"a"="1.4.0-rc2"}`},
	{"exponent-like is a string", "a: [4e2Qx7, 12e, 1e3, 1.5e3]", `{"a"=["4e2Qx7", "12e", "1e3", "1.5e3"]}`},
	{"units are strings", "a: [10k, 10kbb, 256MB, 1GiB]", `{"a"=["10k", "10kbb", "256MB", "1GiB"]}`},
	{"ipv6 is a string", "a: [::1, fe80::1, 2001:db8::1]", `{"a"=["::1", "fe80::1", "2001:db8::1"]}`},
	{"ipv4 is a string", "a: 10.0.0.1", `{"a"="10.0.0.1"}`},
	{"cidr is a string", "a: 10.0.0.0/24", `{"a"="10.0.0.0/24"}`},
	{"leading zeros make a string", "a: [007, 0755, -01, 00.5]", `{"a"=["007", "0755", "-01", "00.5"]}`},
	{"plus sign makes a string", "a: +5", `{"a"="+5"}`},
	{"hex is a string", "a: 0x10", `{"a"="0x10"}`},
	{"float forms that are strings", "a: [1., .5, -.5, 1.2.3, -]", `{"a"=["1.", ".5", "-.5", "1.2.3", "-"]}`},
	{"integer before closing bracket", "a: [1]", `{"a"=[int:1]}`},
	{"integer before closing brace", "a: {b: 1}", `{"a"={"b"=int:1}}`},
	{"nested arrays without spaces", "a: [[1,2],[3]]", `{"a"=[[int:1, int:2], [int:3]]}`},
	{"array separated by newlines", "a: [\n  x\n  y\n]", `{"a"=["x", "y"]}`},
	{"array with commas and newlines", "a: [\n  x,\n  y,\n]", `{"a"=["x", "y"]}`},
	{"array trailing comma", "a: [1, 2,]", `{"a"=[int:1, int:2]}`},
	{"empty array", "a: []", `{"a"=[]}`},
	{"empty array with newline", "a: [\n]", `{"a"=[]}`},
	{"comments between elements", "a: [\n  # one\n  x # after\n  # \"y\"\n  z\n]", `{"a"=["x", "z"]}`},
	{"mixed array", "a: [1, x, \"y\", 'z', 1.5, true, {b: 1}, [2]]", `{"a"=[int:1, "x", "y", "z", float:1.5, bool:true, {"b"=int:1}, [int:2]]}`},
	{"single-quoted hosts", "hosts: ['10.0.0.1', '10.0.0.2']", `{"hosts"=["10.0.0.1", "10.0.0.2"]}`},
	{"empty map", "a: {}", `{"a"={}}`},
	{"map trailing comma", "a: { b: 1, }", `{"a"={"b"=int:1}}`},
	{"map entries on lines", "a: {\n  b: 1\n  c: 2\n}", `{"a"={"b"=int:1, "c"=int:2}}`},
	{"same key in different maps", "a: {x: 1}\nb: {x: 2}", `{"a"={"x"=int:1}, "b"={"x"=int:2}}`},
	{"array of maps", "a: [\n  { b: 1 },\n  { b: 2 }\n]", `{"a"=[{"b"=int:1}, {"b"=int:2}]}`},
	{"block string", "a: (\nline1\n  )\nline2\n)\n", `{"a"="line1\n  )\nline2\n"}`},
	{"block content on the open line", "a: (abc\ndef\n)", `{"a"="abc\ndef\n"}`},
	{"block closed at end of file", "a: (\nx\n)", `{"a"="x\n"}`},
	{"empty block", "a: (\n)", `{"a"=""}`},
	{"block keeps hashes and quotes", "a: (\n# not a comment \"x\" 'y' <%= z %>\n)", "{\"a\"=\"# not a comment \\\"x\\\" 'y' <%= z %>\\n\"}"},
	{"block closer with comma", "a: [\n(\nx\n),\n(\ny\n)\n]", `{"a"=["x\n", "y\n"]}`},
	{"block closer with comment", "a: (\nx\n) # done\nb: 1", `{"a"="x\n", "b"=int:1}`},
	{"block closer with blanks", "a: (\nx\n)  \nb: 1", `{"a"="x\n", "b"=int:1}`},
	{"block line starting with paren is content", "a: (\n)x\n)\n", `{"a"=")x\n"}`},
	{"block with crlf", "a: (\r\nx\r\ny\r\n)\r\nb: 1\r\n", `{"a"="x\ny\n", "b"=int:1}`},
	{"block keeps leading blank line after the first", "a: (\n\nx\n)", `{"a"="\nx\n"}`},
	{"crlf file", "a: 1\r\nb: [\r\n  x\r\n]\r\n# c\r\n", `{"a"=int:1, "b"=["x"]}`},
	{"tabs as indentation", "a: {\n\tb:\t1\n}", `{"a"={"b"=int:1}}`},
	{"no final newline", "a: 1", `{"a"=int:1}`},
	{"values aligned right", "  component-database: 3\n          api-server: 3", `{"component-database"=int:3, "api-server"=int:3}`},
}

// errorCases are inputs that must fail, with the position and message of the
// first error.
var errorCases = []struct {
	what    string
	src     string
	line    int
	col     int
	message string
}{
	{"two values on a line", "a: 1 b: 2", 1, 6, `unexpected "b" after value: separate entries with a line break or ","`},
	{"two array elements without comma", "a: [1 2]", 1, 7, `unexpected "2" after value: separate elements with a line break or ","`},
	{"key without value", "a", 1, 1, `missing value for key "a"`},
	{"key with separator and no value", "a:\n", 1, 1, `missing value for key "a": a value must start on the same line as its key`},
	{"value on next line", "a:\n  1", 1, 1, `missing value for key "a": a value must start on the same line as its key`},
	{"key then comment", "a: # c\n", 1, 1, `missing value for key "a": a value must start on the same line as its key`},
	{"leading comma in array", "a: [, 1]", 1, 5, `missing value before ","`},
	{"double comma in array", "a: [1,, 2]", 1, 7, `missing value before ","`},
	{"comma on its own line", "a: [\n  x\n  , y\n]", 3, 3, `missing value before ","`},
	{"leading comma in map", "a: {, b: 1}", 1, 5, `unexpected ",": expected a key`},
	{"comma at top level", ", a: 1", 1, 1, `unexpected ",": expected a key`},
	{"braces around file", "{ a: 1 }", 1, 1, `expected a key, found "{": the file is a map already, so do not wrap it in braces`},
	{"unclosed array at end", "a: [1,\n2\n", 1, 4, `unclosed array: "[" opened here has no matching "]"`},
	{"unclosed map at end", "a: {\n b: 1\n", 1, 4, `unclosed map: "{" opened here has no matching "}"`},
	{"array closed by brace", "m: {\n  a: [ x\n}\n", 2, 6, `unclosed array: "[" opened here has no matching "]" (found "}" at 3:1)`},
	{"map closed by bracket", "a: [ { b: 1 ]", 1, 6, `unclosed map: "{" opened here has no matching "}" (found "]" at 1:13)`},
	{"stray closing brace", "a: 1\n}", 2, 1, `unexpected "}": no map or array is open`},
	{"stray closer after value", "a: 1 }", 1, 6, `unexpected "}": no map or array is open`},
	{"duplicate key", "a: 1\nb: 2\na: 3", 3, 1, `duplicate key "a": first defined at test.conf:1:1`},
	{"duplicate nested key", "m: {\n  x: 1\n  'x': 2\n}", 3, 3, `duplicate key "x": first defined at test.conf:2:3`},
	{"unknown escape", `a: "x\qy"`, 1, 6, `unknown escape "\q" in string: only \t \n \r \" \\ and \uXXXX are allowed`},
	{"lone carriage return", "a: 1\rb: 2\n", 1, 5, `carriage return without a line feed: lines must end in LF or CRLF`},
	{"lone carriage return in comment", "a: 1 # x\r\x1b[2J\nb: 2\r\n", 1, 9, `carriage return without a line feed: lines must end in LF or CRLF`},
	{"carriage return ending a comment", "a: 1\n# y\r", 2, 4, `carriage return without a line feed: lines must end in LF or CRLF`},
	{"carriage return before a CRLF", "a: 1 # x\r\r\n", 1, 9, `carriage return without a line feed: lines must end in LF or CRLF`},
	{"carriage return at end", "a: 1\r", 1, 5, `carriage return without a line feed: lines must end in LF or CRLF`},
	{"hex escape", `a: "\x41"`, 1, 5, `unknown escape "\x" in string: only \t \n \r \" \\ and \uXXXX are allowed`},
	{"short unicode escape", `a: "\u12"`, 1, 5, `invalid escape "\\u12\"": \u must be followed by four hex digits`},
	{"surrogate escape", `a: "\ud800"`, 1, 5, `invalid escape "\\ud800": not a Unicode character`},
	{"unterminated double-quoted string", "a: \"abc\nb: 1", 1, 4, `unterminated string: the "\"" opened here is not closed on the same line`},
	{"unterminated single-quoted string", "a: 'abc", 1, 4, `unterminated string: the "'" opened here is not closed on the same line`},
	{"unterminated string with crlf", "a: \"abc\r\n", 1, 4, `unterminated string: the "\"" opened here is not closed on the same line`},
	{"unterminated key", "\"a: 1", 1, 1, `unterminated string: the "\"" opened here is not closed on the same line`},
	{"control character in string", "a: \"x\x01\"", 1, 6, `control character U+0001 in string: write it as an escape in a double-quoted string`},
	{"unclosed block", "a: (\nx\n  )\n", 1, 4, `unclosed block string: "(" opened here has no ")" alone at the start of a line`},
	{"block closer followed by text", "a: (\nx\n) y\n", 1, 4, `unclosed block string: "(" opened here has no ")" alone at the start of a line`},
	{"block on one line", "a: (x)", 1, 4, `unclosed block string: "(" opened here has no ")" alone at the start of a line`},
	{"quote in bare word", `a: ab"c"`, 1, 6, `"\"" may not appear in a bare word: quote the whole value`},
	{"paren in bare word", "a: f(x)", 1, 5, `"(" may not appear in a bare word: quote the whole value`},
	{"bracket in bare word", "a: b[1]", 1, 5, `"[" may not appear in a bare word: quote the whole value`},
	{"smart quote in bare word", "a: ab\u201D", 1, 6, `"”" may not appear in a bare word: quote the whole value`},
	{"smart quotes as delimiters", "a: \u201Chello\u201D", 1, 4, `smart quote "“" cannot quote a string: use " or '`},
	{"smart quote key", "\u2018a\u2019: 1", 1, 1, `smart quote "‘" cannot quote a key: use " or '`},
	{"quote after bare key", "identity\": {}", 1, 9, `"\"" may not appear in a bare key: quote the whole key`},
	{"stray block closer", "a: [1, )]", 1, 8, `unexpected ")": a block string ends with ")" alone at the start of a line, and no block string is open here`},
	{"stray block closer after value", "a: 1 )", 1, 6, `unexpected ")": a block string ends with ")" alone at the start of a line, and no block string is open here`},
	{"closer after key", "a)", 1, 2, `unexpected ")" after key "a": expected ":", "=" or a space`},
	{"ambiguous separator", "a ::1", 1, 3, `ambiguous value after ":": put a space after the separator or quote the value`},
	{"integer overflow", "a: 9223372036854775808", 1, 4, `integer out of range: it must lie between -9223372036854775808 and 9223372036854775807, or be quoted to make it a string`},
	{"negative integer overflow", "a: -9223372036854775809", 1, 4, `integer out of range: it must lie between -9223372036854775808 and 9223372036854775807, or be quoted to make it a string`},
	{"bad date-time", "a: 2026-13-03T17:00:00Z", 1, 4, `invalid date-time: write it as in 2026-12-03T17:00:00Z or 2026-12-03T18:00:00+01:00, or quote it`},
	{"date-time without zone", "a: 2026-12-03T17:00:00", 1, 4, `invalid date-time: write it as in 2026-12-03T17:00:00Z or 2026-12-03T18:00:00+01:00, or quote it`},
	{"erb at key position", "m: {\n  <%= hosts %>\n}", 2, 3, `unrendered ERB tag "<%=": render the .erb template with erb before confc reads it`},
	{"erb as value", "hosts: <% x %>", 1, 8, `unrendered ERB tag "<%": render the .erb template with erb before confc reads it`},
	{"erb inside bare word", "a: x<%=y", 1, 5, `unrendered ERB tag "<%=": render the .erb template with erb before confc reads it`},
	{"erb after value", "a: x <%= y %>", 1, 6, `unrendered ERB tag "<%=": render the .erb template with erb before confc reads it`},
	{"erb in comment", "# host <%= h %>\na: 1", 1, 8, `unrendered ERB tag "<%=": render the .erb template with erb before confc reads it`},
	{"invalid utf-8", "a: \xff", 1, 4, `invalid UTF-8 encoding: the file must be UTF-8 text`},
	{"no-break space", "a:\u00a0b", 1, 3, `unexpected character U+00A0 outside quotes`},
	{"nul byte", "a: b\x00", 1, 5, `unexpected character U+0000 outside quotes`},
	{"nul byte at key", "\x00", 1, 1, `unexpected character U+0000 outside quotes`},
}
