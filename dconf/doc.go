// Package dconf reads Dconf, the relaxed configuration syntax of cluster.conf.
//
// Parse turns a file into a syntax tree (see File) in which every key, value
// and comment carries its start and end position: file name, line, column
// and byte offset. Columns count bytes, as in go/token. This comment is the
// reference for the syntax confc accepts. Where the original format left a
// question open, the choice made here is stated, and it always leans towards
// refusing input rather than guessing at it.
//
// # Files and entries
//
// A file is UTF-8 text holding the entries of one map, the root. Braces
// around the whole file are not accepted. A byte-order mark at the very start
// is skipped; offsets and first-line columns still count its three bytes, so
// that every offset points at the true byte in the file. Invalid UTF-8 is an
// error. Lines may end in LF or CRLF; a carriage return that is not part of
// a CRLF is an error, since terminals would show it as a line break.
//
// An entry is a key, a separator and a value:
//
//	key: value
//	key = value
//	key value
//
// Blanks (spaces and tabs) around ":" and "=" are optional, except that a
// separator directly followed by ":" or "=" (key ::1) is refused as
// ambiguous: write key: ::1 or quote the value. A map, array or
// block string may follow its key directly: "provisioner {". The value must
// begin on the key's line. After a value there may be one "," or ";"; what
// follows must be a line break, a comment, the closing bracket or the end of
// the file, unless a "," or ";" was written, in which case the next entry may
// follow on the same line. So "a: 1, b: 2" is two entries and "a: 1 b: 2" is
// an error.
//
// A key may appear only once in a map; a repeated key is an error naming
// both places. The same key in different maps is fine.
//
// # Comments
//
// "#" starts a comment that runs to the end of the line, anywhere outside a
// quoted or block string: on its own line, after a value, between array
// elements. It does so even inside a word: "a: b#c" is the value "b" followed
// by a comment. "//" is not a comment: no Dconf file in use relies on it, and
// bare words such as http://host/path must stay whole.
//
// # Keys
//
// A key is a bare word or a quoted string (see below). A key is always a
// string, whatever it looks like: 1234 and true as keys are the strings
// "1234" and "true". A bare key is any run of printable characters other
// than blanks and
//
//	( ) [ ] { } " ' , ; # : =
//
// and the typographic quotes U+201C U+201D U+2018 U+2019. So "-", "_", "$",
// "." and "/" are ordinary key characters ($keyname, component-database,
// a.b). A dot in a key is only a character; it does not nest maps. A quote
// directly after a bare key, as in identity": {, is an error.
//
// # Values
//
// A value is a string, an integer, a float, a boolean, a date-time, a map or
// an array.
//
// A bare word is a run of printable characters other than blanks and
//
//	( ) [ ] { } " ' , ; #
//
// and the typographic quotes. Unlike keys, bare words may contain ":" and
// "=", so generic, ldaps://ldap.example.test, a=b, fe80::1 and
// runtime.apigee-edge-micro-1.1.0 are all bare words. A quote, parenthesis,
// "[" or "{" directly inside a bare word is an error: quote such values. A
// bare word is an integer, float, boolean or date-time only when the whole
// word has that form; anything else is a string, never a silently different
// value:
//
//   - integer: an optional "-" and decimal digits, such as 3 or -42. It must
//     fit in 64 bits; a larger one is an error.
//   - float: an optional "-", digits, ".", digits, such as 100.0 or -2.5.
//   - There are no exponents (1e3), unit suffixes (10k, 256MB), hexadecimal
//     (0x10) or "+" signs (+5): such words are strings. A number with a
//     leading zero followed by more digits (007, 0755) is a string too, so a
//     file mode or zero-padded code keeps its digits.
//   - boolean: exactly true or false. Case matters, and yes, no, on, off,
//     TRUE and null are plain strings.
//   - date-time: RFC 3339, a date, "T", a time with optional fractional
//     seconds, and "Z" or an offset: 2026-12-03T17:00:00Z,
//     2026-12-03T18:00:00.5+01:00. A word that starts with a date and "T"
//     but is no valid date-time is an error rather than a string. A date
//     alone (2026-12-03) is a string.
//
// So 1.4.0-rc2, 10.0.0.1, 10.0.0.0/24, ::1 and http://x.y/z?q=1 are strings.
// A word ends at "]" or "}", so [1] is an array holding the integer 1.
//
// # Quoted strings
//
// A double-quoted string "..." knows the escapes \t \n \r \" \\ and \uXXXX
// (exactly four hex digits naming a Unicode character, not a surrogate).
// Any other backslash sequence, \x41 included, is an error naming it. A
// single-quoted string '...' is raw: a backslash is just a backslash, and
// it cannot hold a "'". Both must close on the line where they open; a line
// break before the closing quote is an error pointing at the opening quote.
// Control characters other than tab are not allowed inside quotes.
// Typographic quotes do not delimit strings; used as quotes they are an
// error that says so.
//
// # Block strings
//
// A block string holds text spanning lines, such as a PEM certificate or a
// shell script. It opens with "(" and closes at the first ")" that stands at
// the very start of a line (column 1) and is followed on that line by
// nothing but blanks, an optional "," or ";" and an optional comment. A ")"
// that is indented, or followed by other text, is part of the content, so
// shell subshells inside a script need no escaping. Inside a block nothing
// is special: "#", quotes and backslashes are content.
//
//	certificate_chain: (-----BEGIN CERTIFICATE-----
//	MIIB...
//	-----END CERTIFICATE-----
//	)
//
// The value is the text between "(" and the line break before the closing
// ")", that line break included. Content may start right after "("; when
// "(" ends its line instead, that first line break is dropped, so a block
// written as above and one starting on the next line read the same. CRLF
// line ends in the content become LF, so a file behaves the same whatever
// its line ends. A block that never closes is an error pointing at its "(".
//
// # Maps and arrays
//
// A map is "{", entries, "}"; an array is "[", values, "]". Entries and
// elements are separated by line breaks, by "," or both; a trailing "," is
// allowed and empty maps and arrays are fine. A "," belongs to the value
// before it and must be on that value's line. A leading "," or two commas in
// a row is an error. Arrays may mix value types. Maps and arrays nest up to
// MaxDepth levels. An unclosed map or array is reported at its opening
// bracket.
//
// # Templates
//
// cluster.conf is often made from an ERB template, cluster.conf.erb. An ERB
// tag ("<%", "<%=", ...) outside quoted and block strings, comments
// included, means the template was not rendered; it gets its own error
// saying to run erb first. Inside quoted and block strings "<%" is ordinary
// text.
//
// # Errors
//
// Parse stops at the first syntax error, so one mistake does not produce a
// cascade of confusing ones; repeated keys are the exception, as each is
// reported. The error is an ErrorList of *Error values, each with a position
// and a lower-case message, printed as file:line:col: message.
package dconf
