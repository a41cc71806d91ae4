package schema

import (
	"fmt"
	"github.com/confc/confc/internal/suggest"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/confc/confc/dconf"
)

// Severities of a Violation.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Rule IDs this package reports. Rules named in the schema with @rule are
// reported as written there; these are the ones Go code names too.
const (
	RuleSchema           = "schema"
	RuleUnknownSection   = "unknown-section"
	RuleUnknownComponent = "unknown-component"
	RuleKVStoreOdd       = "kv-store-odd"
)

// Violation is one way in which a file breaks the schema.
//
// Pos and End delimit the offending key or value in the checked file (never
// in a schema file): the value for a value that breaks a constraint, the key
// for a key the schema does not allow, and the key of the enclosing map for a
// missing required field (the start of the file when the map is the root).
type Violation struct {
	Pos, End dconf.Pos
	// Path is the setting the violation is about.
	Path dconf.Path
	// Rule is the stable rule ID, such as "schema" or "kv-store-odd".
	Rule string
	// Severity is "error" or "warning".
	Severity string
	// Message says what is wrong, in lower case without a final period. It
	// never contains the value of a secret setting.
	Message string
	// Hint optionally says how to fix it, such as `did you mean "router"?`.
	Hint string
}

// Validate checks f against the schema and returns its violations, sorted by
// position. It returns nil for a file that conforms, and for a nil file.
//
// The work is split between CUE and Go because CUE's validation stops
// reporting struct-level errors (a key a closed struct does not allow, a
// missing required field) once any other error exists in the same tree. So
// keys are checked here, in Go, against the closedness and required fields
// read from the compiled schema; the keys the schema does not allow are left
// out of what CUE sees; and CUE then checks every value, one top-level section
// at a time so that errors in one section cannot hide those of another.
//
// An array longer than chunkSize whose schema is a plain list of one element
// schema is not given to CUE whole: CUE takes time in the order of n² to
// build a list of n elements. Its elements are checked chunkSize at a time
// instead, and the section holds an empty list in its place (see
// checkChunks). This relies on the schema constraining such lists only
// through their elements; a list schema with anything more (a length or
// uniqueness builtin, fixed leading elements, a disjunction, a default) is
// recognised and checked whole, but a constraint written elsewhere that
// reads a list, such as a field defined as len(hosts), would see it empty.
// cluster.cue has none: rules about list lengths live in the linter.
//
// Validate is safe for concurrent use; calls are serialised because a CUE
// context is not.
func Validate(f *dconf.File) []Violation {
	return validate(f, chunkSize)
}

// validate is Validate with arrays longer than chunk checked in chunks of
// that many elements; tests compare it with chunking turned off.
func validate(f *dconf.File, chunk int) []Violation {
	if f == nil || f.Root == nil {
		return nil
	}
	c := load()
	if c.err != nil {
		return []Violation{{
			Pos:      f.Root.Pos(),
			End:      f.Root.Pos(),
			Rule:     RuleSchema,
			Severity: SeverityError,
			Message:  fmt.Sprintf("internal error: the embedded schema is broken: %v", c.err),
		}}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	v := &validator{c: c, file: f, secrets: NewSecrets(f), chunk: chunk}
	root := v.checkMap(f.Root, nil, c.root, nil)
	v.checkValues(root)
	v.checkDuplicateTags()

	sort.SliceStable(v.out, func(i, j int) bool {
		a, b := v.out[i], v.out[j]
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset < b.Pos.Offset
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	return v.out
}

type validator struct {
	c       *compiled
	file    *dconf.File
	secrets *Secrets // which values messages must not show
	out     []Violation

	// chunk is the size of the chunks long arrays are checked in.
	chunk int
	// long are the arrays of the checked tree whose elements are checked
	// in chunks, in the order they were found; longSet holds the same
	// arrays, for the converter's Elide.
	long    []longArray
	longSet map[*dconf.Array]bool
	// plain caches plainList per schema node.
	plain map[*node]bool
}

// chunkSize is the largest number of elements CUE is given in one list. The
// cost of a chunk grows with the square of its size and each call to CUE
// has a fixed cost, so the total is linear in the array's length for any
// fixed size. On long hosts lists the time per element measured about the
// same for sizes from 16 to 64 and grew beyond; 64 also leaves arrays as
// long as those of hand-written files whole, checked exactly as before.
const chunkSize = 64

// longArray is an array checked chunkSize elements at a time.
type longArray struct {
	arr  *dconf.Array
	path dconf.Path
	n    *node // the schema of the whole list
}

// hidden reports whether messages must not show the value val at p: a
// secret by SecretValue, or a prompt target. Call with v.c.mu held.
func (v *validator) hidden(p dconf.Path, val dconf.Value) bool {
	if s, ok := val.(*dconf.String); ok && strings.Contains(s.Value, "PRIVATE KEY") {
		return true
	}
	return v.c.secrecyLocked(p) != NotSecret || v.secrets.Target(p)
}

func (v *validator) add(x Violation) {
	if x.Severity == "" {
		x.Severity = SeverityError
	}
	if x.Rule == "" {
		x.Rule = RuleSchema
	}
	v.out = append(v.out, x)
}

// checkMap checks the keys of m, whose schema is n, and returns a copy of m
// without the keys n does not allow. owner is the entry whose value m is, or
// nil for the root.
func (v *validator) checkMap(m *dconf.Map, p dconf.Path, n *node, owner *dconf.Entry) *dconf.Map {
	v.c.expand(n)
	if n == nil || !n.isStruct {
		return m
	}
	kept := make([]*dconf.Entry, 0, len(m.Entries))
	for _, e := range m.Entries {
		if e == nil || e.Key == nil || e.Value == nil {
			continue
		}
		cp := append(p[:len(p):len(p)], dconf.PathElem{Key: e.Key.Name})
		child, ok := v.c.step(n, e.Key.Name)
		if !ok {
			v.unknownKey(n, p, cp, e)
			continue
		}
		kept = append(kept, &dconf.Entry{Key: e.Key, Value: v.checkValue(e.Value, cp, child, e)})
	}

	for _, name := range n.required {
		if m.Get(name) != nil {
			continue
		}
		x := Violation{Path: p, Message: fmt.Sprintf("missing required field %q", name)}
		if len(p) > 0 {
			x.Message = fmt.Sprintf("%s is missing required field %q", p, name)
		}
		if owner != nil {
			x.Pos, x.End = owner.Key.Pos(), owner.Key.End()
		} else {
			x.Pos, x.End = m.Pos(), m.Pos()
		}
		v.add(x)
	}
	return &dconf.Map{Span: m.Span, Entries: kept}
}

func (v *validator) checkValue(val dconf.Value, p dconf.Path, n *node, owner *dconf.Entry) dconf.Value {
	if n == nil {
		return val
	}
	switch x := val.(type) {
	case *dconf.Map:
		return v.checkMap(x, p, n, owner)
	case *dconf.Array:
		if v.c.expand(n).elem == nil {
			return x
		}
		out := &dconf.Array{Span: x.Span, Elems: make([]dconf.Value, len(x.Elems))}
		for i, el := range x.Elems {
			ep := append(p[:len(p):len(p)], dconf.PathElem{Index: i, IsIndex: true})
			// An element map has no key of its own; its missing fields are
			// reported at the list's key.
			out.Elems[i] = v.checkValue(el, ep, n.elem, owner)
		}
		if len(out.Elems) > v.chunk && v.plainList(n) {
			if v.longSet == nil {
				v.longSet = map[*dconf.Array]bool{}
			}
			v.longSet[out] = true
			v.long = append(v.long, longArray{arr: out, path: p, n: n})
		}
		return out
	}
	return val
}

// unknownKey reports key e, which the struct n at path parent does not allow.
func (v *validator) unknownKey(n *node, parent, p dconf.Path, e *dconf.Entry) {
	v.c.expand(n)
	x := Violation{Pos: e.Key.Pos(), End: e.Key.End(), Path: p, Rule: n.unknownRule}
	name := e.Key.Name
	switch n.unknownRule {
	case RuleUnknownSection:
		x.Message = fmt.Sprintf("unknown section %q: expected one of %s", name, strings.Join(n.fieldNames(), ", "))
		x.Hint = didYouMean(name, n.fieldNames())
	case RuleUnknownComponent:
		x.Message = fmt.Sprintf("unknown component %q", name)
		x.Hint = didYouMean(name, v.c.components)
	default:
		names := n.fieldNames()
		where := parent.String()
		switch {
		case len(names) == 0:
			x.Message = fmt.Sprintf("key %q is not allowed in %s", name, where)
		default:
			x.Message = fmt.Sprintf("unknown setting %q in %s", name, where)
			x.Hint = didYouMean(name, names)
			if x.Hint == "" && len(names) <= 12 {
				x.Hint = "expected one of " + strings.Join(names, ", ")
			}
		}
	}
	v.add(x)
}

// checkDuplicateTags reports a component named twice in one machine group's
// suitable_tags. The list is a set to deployment, so a repeated name is most
// often a slip for another component; CUE's list.UniqueItems would only
// point at the whole list.
func (v *validator) checkDuplicateTags() {
	groups, ok := dconf.Lookup(v.file.Root, dconf.Path{{Key: "machines"}}).(*dconf.Map)
	if !ok {
		return
	}
	for _, g := range groups.Entries {
		p := dconf.Path{{Key: "machines"}, {Key: g.Key.Name}, {Key: "suitable_tags"}}
		tags, ok := dconf.Lookup(v.file.Root, p).(*dconf.Array)
		if !ok {
			continue
		}
		first := map[string]dconf.Pos{}
		for i, el := range tags.Elems {
			s, ok := el.(*dconf.String)
			if !ok {
				continue
			}
			if at, dup := first[s.Value]; dup {
				v.add(Violation{
					Pos:     s.Pos(),
					End:     s.End(),
					Path:    append(p[:len(p):len(p)], dconf.PathElem{Index: i, IsIndex: true}),
					Message: fmt.Sprintf("suitable tag %q is listed twice in %s (first at %d:%d)", s.Value, p, at.Line, at.Column),
					Hint:    "remove the repeated tag, or name the component that was meant",
				})
				continue
			}
			first[s.Value] = s.Pos()
		}
	}
}

// plainList reports whether the list schema n constrains a list only through
// its elements, all with the same schema: [...T] and nothing more. Only such
// a list may be checked in chunks. Call with v.c.mu held, after expand(n).
func (v *validator) plainList(n *node) bool {
	if ok, seen := v.plain[n]; seen {
		return ok
	}
	// A conjunction (a list builtin such as list.MinItems), a disjunction
	// or a default shows as an operator; fixed leading elements ([int,
	// ...string]) as an element at index 0 even in an empty list.
	op, _ := n.val.Expr()
	ok := n.elem != nil && op == cue.NoOp && !n.val.LookupPath(cue.MakePath(cue.Index(0))).Exists()
	if v.plain == nil {
		v.plain = map[*node]bool{}
	}
	v.plain[n] = ok
	return ok
}

// checkValues has CUE check every value of root, one top-level section at a
// time, and folds its errors into violations.
func (v *validator) checkValues(root *dconf.Map) {
	c := v.c
	conv := dconf.NewCUEConverter(v.file)
	conv.Elide = func(a *dconf.Array) bool { return v.longSet[a] }
	data := c.ctx.BuildFile(conv.File(root))
	if err := data.Err(); err != nil {
		v.add(Violation{
			Pos:     root.Pos(),
			End:     root.Pos(),
			Message: fmt.Sprintf("internal error: failed to evaluate the file: %v", err),
		})
		return
	}
	for _, e := range root.Entries {
		sel := cue.Str(e.Key.Name)
		sv := c.cluster.LookupPath(cue.MakePath(sel.Optional()))
		u := sv.Unify(data.LookupPath(cue.MakePath(sel)))
		v.fold(root, cueerrors.Errors(u.Validate(cue.Concrete(true))))
	}
	v.checkChunks(root, conv)
}

// checkChunks has CUE check the elements of the long arrays, which the
// sections held as empty lists, v.chunk elements at a time against the
// schema of their list. Each chunk is a list value of its own, so the paths
// of its errors start at the chunk's index; they are moved to the element's
// path in root before folding, and so read as if CUE had seen the whole
// array. A long array inside an element is left empty in the chunk, as in
// the section, and checked on its own.
func (v *validator) checkChunks(root *dconf.Map, conv *dconf.CUEConverter) {
	for _, la := range v.long {
		for start := 0; start < len(la.arr.Elems); start += v.chunk {
			end := min(start+v.chunk, len(la.arr.Elems))
			// index maps the chunk's indexes to the array's: the
			// converter skips nil elements, and so does this.
			var index []int
			lit := &ast.ListLit{}
			for i := start; i < end; i++ {
				if la.arr.Elems[i] == nil {
					continue
				}
				index = append(index, i)
				lit.Elts = append(lit.Elts, conv.Expr(la.arr.Elems[i]))
			}
			chunk := v.c.ctx.BuildExpr(lit)
			if err := chunk.Err(); err != nil {
				v.add(Violation{
					Pos:     la.arr.Pos(),
					End:     la.arr.Pos(),
					Path:    la.path,
					Message: fmt.Sprintf("internal error: failed to evaluate %s: %v", la.path, err),
				})
				break
			}
			// The chunk comes first so that error paths start at it
			// rather than at the schema's definition of the list.
			u := chunk.Unify(la.n.val)
			base := len(chunk.Path().Selectors())
			errs := cueerrors.Errors(u.Validate(cue.Concrete(true)))
			for i, e := range errs {
				errs[i] = movedError{err: e, path: chunkPath(la.path, index, e.Path()[min(base, len(e.Path())):])}
			}
			v.fold(root, errs)
		}
	}
}

// chunkPath writes, in the form of CUE error paths, the path in the whole
// file of an error whose path in a chunk is rest: rest starts with the
// chunk's index of the element, which index maps to the array's.
func chunkPath(array dconf.Path, index []int, rest []string) []string {
	out := make([]string, 0, len(array)+len(rest))
	for _, e := range array {
		if e.IsIndex {
			out = append(out, strconv.Itoa(e.Index))
		} else {
			out = append(out, strconv.Quote(e.Key))
		}
	}
	if len(rest) == 0 {
		return out
	}
	i, err := strconv.Atoi(rest[0])
	if err != nil || i < 0 || i >= len(index) {
		// Not an element: an error about the chunk as a whole, which
		// belongs to the array.
		return out
	}
	return append(append(out, strconv.Itoa(index[i])), rest[1:]...)
}

// movedError is a CUE error reported at another path.
type movedError struct {
	err  cueerrors.Error
	path []string
}

func (e movedError) Position() token.Pos          { return e.err.Position() }
func (e movedError) InputPositions() []token.Pos  { return e.err.InputPositions() }
func (e movedError) Error() string                { return e.err.Error() }
func (e movedError) Msg() (string, []interface{}) { return e.err.Msg() }
func (e movedError) Path() []string               { return e.path }

// fold turns CUE's errors into violations, one per path: a failed
// disjunction arrives as a summary plus one error per branch, and they all
// describe one mistake.
func (v *validator) fold(root *dconf.Map, errs []cueerrors.Error) {
	var order []string
	groups := map[string][]cueerrors.Error{}
	for _, e := range errs {
		k := strings.Join(e.Path(), "\x00")
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	for _, k := range order {
		v.foldOne(root, groups[k])
	}
}

func (v *validator) foldOne(root *dconf.Map, errs []cueerrors.Error) {
	var leaves []cueerrors.Error
	for _, e := range errs {
		format, _ := e.Msg()
		switch {
		case strings.Contains(format, "errors in empty disjunction"),
			// Keys are checked in Go (see Validate); CUE should not
			// report these, but they would be duplicates if it did.
			strings.HasPrefix(format, "field not allowed"),
			strings.Contains(format, "required but not present"):
			continue
		}
		leaves = append(leaves, e)
	}
	if len(leaves) == 0 {
		return
	}

	p, val, pos, end, found := locate(root, leaves[0].Path())
	x := Violation{Path: p, Pos: pos, End: end}
	if !found {
		x.Pos, x.End = v.dataPos(leaves[0])
	}

	var msg string
	for _, e := range leaves {
		ps := cueerrors.Positions(e)
		for i := len(ps) - 1; i >= 0; i-- {
			if !v.c.attrs.isSchemaFile(ps[i].Filename()) {
				continue
			}
			r, m := v.c.attrs.lookup(ps[i])
			if x.Rule == "" {
				x.Rule = r
			}
			if msg == "" {
				msg = m
			}
		}
	}

	// A value of the wrong type breaks every constraint of its setting;
	// the rule and message written for the right type would mislead.
	if allMismatched(leaves) {
		x.Rule, msg = "", ""
	}

	secret := v.hidden(p, val)
	got := gotText(val, secret)
	if msg != "" {
		x.Message = strings.Replace(msg, "%s", got, 1)
	} else {
		x.Message = describe(p, val, got, secret, leaves)
	}
	if x.Rule == RuleUnknownComponent {
		if s, ok := val.(*dconf.String); ok {
			x.Hint = didYouMean(s.Value, v.c.components)
		}
	}
	v.add(x)
}

// dataPos returns the first position of e in the checked file, for an error
// whose path cannot be found in the tree.
func (v *validator) dataPos(e cueerrors.Error) (dconf.Pos, dconf.Pos) {
	for _, tp := range cueerrors.Positions(e) {
		if v.c.attrs.isSchemaFile(tp.Filename()) || !tp.IsValid() {
			continue
		}
		pos := tp.Position()
		d := dconf.Pos{Filename: v.file.Name, Offset: pos.Offset, Line: pos.Line, Column: pos.Column}
		return d, d
	}
	return v.file.Root.Pos(), v.file.Root.Pos()
}

// locate finds the part of the tree a CUE error path points at: the path
// in dconf form, the value at its end (nil when absent) and the span a
// violation should cover, which is that value's or, when the value is
// missing, the key's of the deepest entry found on the way. found is false
// when the path matched no entry at all; the caller then picks the span.
func locate(root *dconf.Map, cuePath []string) (p dconf.Path, val dconf.Value, pos, end dconf.Pos, found bool) {
	p, val, near := resolve(root, cuePath)
	switch {
	case val != nil:
		return p, val, val.Pos(), val.End(), true
	case near != nil:
		return p, nil, near.Key.Pos(), near.Key.End(), true
	}
	return p, nil, dconf.Pos{}, dconf.Pos{}, false
}

// resolve follows a CUE error path through the tree. It returns the path in
// dconf form, the value at its end (nil when absent) and the deepest entry
// found on the way.
func resolve(root *dconf.Map, cuePath []string) (dconf.Path, dconf.Value, *dconf.Entry) {
	var p dconf.Path
	var cur dconf.Value = root
	var near *dconf.Entry
	for _, seg := range cuePath {
		if strings.HasPrefix(seg, "#") {
			continue // the #Cluster definition the section came from
		}
		if strings.HasPrefix(seg, `"`) {
			if u, err := strconv.Unquote(seg); err == nil {
				seg = u
			}
		}
		switch n := cur.(type) {
		case *dconf.Map:
			e := n.Get(seg)
			if e == nil {
				return p, nil, near
			}
			p = append(p, dconf.PathElem{Key: seg})
			near, cur = e, e.Value
		case *dconf.Array:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(n.Elems) {
				return p, nil, near
			}
			p = append(p, dconf.PathElem{Index: i, IsIndex: true})
			cur = n.Elems[i]
		default:
			return p, nil, near
		}
	}
	return p, cur, near
}

// gotText shows an offending value in a message, the way it is written in
// cluster.conf, shortened, and never for a secret setting.
func gotText(val dconf.Value, secret bool) string {
	if val == nil {
		return "nothing"
	}
	switch val.(type) {
	case *dconf.Map:
		return "a map"
	case *dconf.Array:
		return "an array"
	}
	if secret {
		return "a hidden secret value"
	}
	switch x := val.(type) {
	case *dconf.String:
		s := x.Value
		const maxRunes = 40
		if r := []rune(s); len(r) > maxRunes {
			return strconv.Quote(string(r[:maxRunes])) + "…"
		}
		return strconv.Quote(s)
	case *dconf.Int:
		return strconv.FormatInt(x.Value, 10)
	case *dconf.Float:
		return x.Raw
	case *dconf.Bool:
		return strconv.FormatBool(x.Value)
	case *dconf.DateTime:
		return x.Raw
	}
	return "a value"
}

// kindWords names CUE kinds in the words cluster.conf users know.
var kindWords = map[string]string{
	"string": "a string",
	"int":    "an integer",
	"float":  "a number",
	"number": "a number",
	"bool":   "a boolean",
	"struct": "a map",
	"list":   "an array",
	"null":   "null",
}

// describe writes the message for the errors CUE gave for one value, when the
// schema sets no @msg for it.
func describe(p dconf.Path, val dconf.Value, got string, secret bool, leaves []cueerrors.Error) string {
	subject := p.String()
	if subject == "" {
		subject = "the file"
	}

	// A branch of another type says little when a branch of the value's own
	// type failed: "port" may be a string of digits or a number, and for
	// "abc" only the string branch matters.
	var sameKind, mismatched []cueerrors.Error
	for _, e := range leaves {
		if format, _ := e.Msg(); strings.Contains(format, "mismatched types") {
			mismatched = append(mismatched, e)
		} else {
			sameKind = append(sameKind, e)
		}
	}
	if len(sameKind) == 0 {
		gotKind := cueKind(val)
		var want []string
		seen := map[string]bool{gotKind: true}
		for _, e := range mismatched {
			_, args := e.Msg()
			// The last two arguments are the kinds of the two values.
			for _, a := range args[min(2, len(args)):] {
				k := fmt.Sprint(a)
				if !seen[k] {
					seen[k] = true
					want = append(want, kindWord(k))
				}
			}
		}
		if len(want) > 0 {
			return fmt.Sprintf("%s must be %s, got %s", subject, strings.Join(want, " or "), got)
		}
	}
	if len(sameKind) == 0 {
		sameKind = leaves
	}

	format, args := sameKind[0].Msg()
	switch {
	case strings.HasPrefix(format, "conflicting values") && len(args) >= 2:
		gotCUE := cueText(val)
		var allowed []string
		seen := map[string]bool{}
		for _, e := range sameKind {
			f, a := e.Msg()
			if !strings.HasPrefix(f, "conflicting values") || len(a) < 2 {
				continue
			}
			s := fmt.Sprint(a[0])
			if s == gotCUE {
				s = fmt.Sprint(a[1])
			}
			if !seen[s] {
				seen[s] = true
				allowed = append(allowed, s)
			}
		}
		if secret {
			return fmt.Sprintf("%s has a value the schema does not allow", subject)
		}
		if len(allowed) == 1 {
			return fmt.Sprintf("%s must be %s, got %s", subject, allowed[0], got)
		}
		return fmt.Sprintf("%s must be one of %s, got %s", subject, strings.Join(allowed, ", "), got)

	case strings.HasPrefix(format, "invalid value") && strings.Contains(format, "out of bound") && len(args) >= 2:
		return fmt.Sprintf("%s must be %s, got %s", subject, boundWords(fmt.Sprint(args[1])), got)

	case strings.HasPrefix(format, "invalid value") && strings.Contains(format, "does not satisfy") && len(args) >= 2:
		switch fn := fmt.Sprint(args[1]); fn {
		case "net.IP":
			return fmt.Sprintf("%s is not an IP address", got)
		case "net.IPCIDR":
			return fmt.Sprintf("%s is not a network in CIDR notation such as 10.0.0.0/16", got)
		default:
			return fmt.Sprintf("%s: %s does not satisfy %s", subject, got, fn)
		}
	}
	if secret {
		return fmt.Sprintf("%s has a value the schema does not allow", subject)
	}
	return fmt.Sprintf("%s: %s", subject, fmt.Sprintf(format, args...))
}

// allMismatched reports whether every error is a conflict of types.
func allMismatched(errs []cueerrors.Error) bool {
	for _, e := range errs {
		if format, _ := e.Msg(); !strings.Contains(format, "mismatched types") {
			return false
		}
	}
	return true
}

// cueKind names the CUE kind a value of the tree becomes in dconf.ToCUE.
func cueKind(val dconf.Value) string {
	switch val.(type) {
	case *dconf.String, *dconf.DateTime:
		return "string"
	case *dconf.Int:
		return "int"
	case *dconf.Float:
		return "float"
	case *dconf.Bool:
		return "bool"
	case *dconf.Map:
		return "struct"
	case *dconf.Array:
		return "list"
	}
	return ""
}

func kindWord(k string) string {
	if w, ok := kindWords[k]; ok {
		return w
	}
	return k
}

// cueText writes a scalar the way CUE prints it in error arguments, to tell
// the offending value from the allowed one.
func cueText(val dconf.Value) string {
	switch x := val.(type) {
	case *dconf.String:
		return strconv.Quote(x.Value)
	case *dconf.DateTime:
		return strconv.Quote(x.Raw)
	case *dconf.Int:
		return strconv.FormatInt(x.Value, 10)
	case *dconf.Bool:
		return strconv.FormatBool(x.Value)
	case *dconf.Float:
		return x.Raw
	}
	return ""
}

// boundWords turns a CUE bound such as ">=1" into words.
func boundWords(b string) string {
	for _, op := range []struct{ op, words string }{
		{">=", "at least "},
		{"<=", "at most "},
		{"!=", "other than "},
		{"=~", "a match of the regular expression "},
		{"!~", "no match of the regular expression "},
		{">", "greater than "},
		{"<", "less than "},
	} {
		if rest, ok := strings.CutPrefix(b, op.op); ok {
			return op.words + rest
		}
	}
	return b
}

// didYouMean suggests the closest of names to s, or returns "" when none is
// close enough to be a likely typo.
func didYouMean(s string, names []string) string {
	best, bestD := "", -1
	for _, n := range names {
		d := suggest.Distance(strings.ToLower(s), strings.ToLower(n))
		if bestD < 0 || d < bestD {
			best, bestD = n, d
		}
	}
	limit := max(1, len([]rune(s))/3)
	if bestD < 0 || bestD > limit || best == s {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", best)
}
