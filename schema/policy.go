package schema

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/confc/confc/dconf"
)

// RulePolicy is the rule ID of a policy violation whose constraint carries
// no @rule attribute.
const RulePolicy = "policy"

// Policy is a user's CUE file of extra constraints on cluster.conf, such as
// an organisation's naming rules. A policy describes the same tree as the
// built-in schema (top-level provisioner, machines, components, chef,
// prompts), with string keys; it is evaluated together with the data of each
// checked file, so its comprehensions can depend on the file's values.
//
// A constraint may carry @rule(name) to report its violations under that
// rule ID instead of "policy", and @msg("...") to replace the generic
// message (%s stands for the offending value). Both work as in the built-in
// schema: the innermost field that sets one wins.
//
// A Policy is safe for concurrent use.
type Policy struct {
	// Name is the file name as given, used in positions.
	Name string

	file  *ast.File
	attrs *attrIndex
	rules []string

	mu  sync.Mutex // guards ctx: a CUE context is not safe for concurrent use
	ctx *cue.Context
}

// PolicyError is a problem in a policy file itself: a syntax error, an
// unknown import, a reference to a field the policy does not declare, or
// constraints that contradict each other. Pos is in the policy file.
type PolicyError struct {
	Pos dconf.Pos
	Msg string
}

// Error formats e as file:line:col: message.
func (e *PolicyError) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// LoadPolicy reads and compiles the policy file at path.
func LoadPolicy(path string) (*Policy, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read policy %q: %w", path, err)
	}
	return CompilePolicy(path, src)
}

// CompilePolicy compiles src, named name in positions, into a Policy. The
// error, when not nil, is a *PolicyError (the first problem; CUE often
// reports one mistake several times).
//
// The policy is compiled on its own first, so that mistakes in it are
// reported at its own positions, once, rather than for every file checked.
// Values that stay open until the data is added (a comprehension over
// chef.continuum.cluster_name, say) are not mistakes at this point.
func CompilePolicy(name string, src []byte) (*Policy, error) {
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		return nil, policyError(name, err)
	}
	p := &Policy{Name: name, file: f, attrs: &attrIndex{}, ctx: cuecontext.New()}
	if err := p.attrs.add(name, f); err != nil {
		return nil, &PolicyError{Pos: dconf.Pos{Filename: name, Line: 1, Column: 1}, Msg: err.Error()}
	}
	for _, spans := range p.attrs.files {
		for _, s := range spans {
			if s.rule != "" && !slices.Contains(p.rules, s.rule) {
				p.rules = append(p.rules, s.rule)
			}
		}
	}
	slices.Sort(p.rules)
	for _, id := range p.rules {
		if !validRuleID(id) {
			return nil, &PolicyError{Pos: p.rulePos(id), Msg: fmt.Sprintf("rule ID %q must be lower-case letters, digits and hyphens", id)}
		}
	}

	// Validate without requiring concrete values: an open value is fine,
	// a contradiction or a missing reference is not.
	if err := p.ctx.BuildFile(f).Validate(); err != nil {
		return nil, policyError(name, err)
	}
	return p, nil
}

// Rules returns the rule IDs named by @rule attributes in the policy,
// sorted. Violations of constraints without one use RulePolicy.
func (p *Policy) Rules() []string { return slices.Clone(p.rules) }

// rulePos returns the position of the first @rule attribute naming id.
func (p *Policy) rulePos(id string) dconf.Pos {
	pos := dconf.Pos{Filename: p.Name, Line: 1, Column: 1}
	ast.Walk(p.file, func(n ast.Node) bool {
		a, ok := n.(*ast.Attribute)
		if !ok {
			return true
		}
		if k, body := a.Split(); k == "rule" && strings.TrimSpace(body) == id && pos.Line == 1 && pos.Column == 1 {
			pos = fromToken(p.Name, a.Pos().Position())
		}
		return true
	}, nil)
	return pos
}

// validRuleID reports whether id is kebab-case, like the built-in rule IDs.
func validRuleID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// ValidateWithPolicies checks f against the built-in schema, as Validate
// does, and against every policy, and returns all violations sorted by
// position. Policy violations point into f, at the offending value (or at
// the key of the map that lacks a field the policy requires), never into
// the policy; the hint names the policy position of the constraint.
func ValidateWithPolicies(f *dconf.File, policies []*Policy) []Violation {
	out := Validate(f)
	if f == nil || f.Root == nil {
		return out
	}
	for _, p := range policies {
		out = append(out, p.Check(f)...)
	}
	sortViolations(out)
	return out
}

// Check returns the violations of the policy by f, sorted by position.
//
// A constraint on a setting that f leaves out is not checked: the policy
// cannot tell what an absent value would have been. To make a setting
// mandatory, mark the field required (name!: constraint); its absence is
// then a violation at the key of the enclosing map.
func (p *Policy) Check(f *dconf.File) []Violation {
	if f == nil || f.Root == nil {
		return nil
	}
	data := dconf.ToCUE(f)
	// Both files must belong to the same package to form one instance.
	if name := p.file.PackageName(); name != "" {
		data.Decls = append([]ast.Decl{&ast.Package{Name: ast.NewIdent(name)}}, data.Decls...)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	inst := build.NewContext().NewInstance("", nil)
	if err := inst.AddSyntax(p.file); err != nil {
		return []Violation{p.internal(f, err)}
	}
	if err := inst.AddSyntax(data); err != nil {
		return []Violation{p.internal(f, err)}
	}
	v := p.ctx.BuildInstance(inst)

	// Errors that appear only when values must be concrete are either a
	// required field left out (reported) or a constraint on a value the
	// file does not have (skipped, see above).
	open := map[string]bool{}
	for _, e := range cueerrors.Errors(v.Validate()) {
		open[errKey(e)] = true
	}
	var out []Violation
	seen := map[string]bool{}
	for _, e := range cueerrors.Errors(v.Validate(cue.Concrete(true))) {
		format, _ := e.Msg()
		if !open[errKey(e)] && !strings.Contains(format, "required but not present") {
			continue
		}
		pathKey := strings.Join(e.Path(), "\x00")
		if seen[pathKey] {
			continue // one mistake, reported once per setting
		}
		seen[pathKey] = true
		out = append(out, p.violation(f, e))
	}
	sortViolations(out)
	return out
}

func errKey(e cueerrors.Error) string {
	return strings.Join(e.Path(), "\x00") + "\x01" + e.Error()
}

// violation turns one CUE error into a Violation positioned in f.
func (p *Policy) violation(f *dconf.File, e cueerrors.Error) Violation {
	path, val, pos, end, found := locate(f.Root, e.Path())
	x := Violation{Path: path, Rule: RulePolicy, Severity: SeverityError, Pos: pos, End: end}
	if !found {
		x.Pos, x.End = f.Root.Pos(), f.Root.Pos()
	}

	var msg string
	var where dconf.Pos
	for _, tp := range cueerrors.Positions(e) {
		if tp.Filename() != p.Name {
			continue
		}
		if !where.IsValid() {
			where = fromToken(p.Name, tp.Position())
		}
		r, m := p.attrs.lookup(tp)
		if r != "" && x.Rule == RulePolicy {
			x.Rule = r
			where = fromToken(p.Name, tp.Position())
		}
		if msg == "" {
			msg = m
		}
	}

	secret := NewSecrets(f).Hidden(path, val)
	got := gotText(val, secret)
	format, _ := e.Msg()
	switch {
	case msg != "":
		x.Message = strings.Replace(msg, "%s", got, 1)
	case strings.Contains(format, "required but not present"):
		x.Message = fmt.Sprintf("%s is required by policy %q", fullPath(e.Path()), p.Name)
	default:
		x.Message = describe(path, val, got, secret, []cueerrors.Error{e})
	}
	if where.IsValid() {
		x.Hint = fmt.Sprintf("see the policy constraint at %s", where)
	}
	return x
}

// fullPath turns a CUE error path into a dconf path, including the parts
// that are missing from the checked file.
func fullPath(cuePath []string) dconf.Path {
	var p dconf.Path
	for _, seg := range cuePath {
		// List indices are bare numbers; a key made of digits is quoted.
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 {
			p = append(p, dconf.PathElem{Index: i, IsIndex: true})
			continue
		}
		if u, err := strconv.Unquote(seg); err == nil {
			seg = u
		}
		p = append(p, dconf.PathElem{Key: seg})
	}
	return p
}

// internal reports a failure to evaluate the policy with f, which would
// be a defect in confc rather than in either file.
func (p *Policy) internal(f *dconf.File, err error) Violation {
	return Violation{
		Pos: f.Root.Pos(), End: f.Root.Pos(), Rule: RulePolicy, Severity: SeverityError,
		Message: fmt.Sprintf("internal error: policy %q could not be evaluated: %v", p.Name, err),
	}
}

// policyError turns a CUE error about the policy file into a PolicyError
// at the first position CUE gives in that file.
func policyError(name string, err error) *PolicyError {
	errs := cueerrors.Errors(err)
	if len(errs) == 0 {
		return &PolicyError{Pos: dconf.Pos{Filename: name, Line: 1, Column: 1}, Msg: err.Error()}
	}
	e := errs[0]
	pe := &PolicyError{Pos: dconf.Pos{Filename: name, Line: 1, Column: 1}}
	for _, tp := range cueerrors.Positions(e) {
		if tp.IsValid() && tp.Filename() == name {
			pe.Pos = fromToken(name, tp.Position())
			break
		}
	}
	format, args := e.Msg()
	pe.Msg = fmt.Sprintf(format, args...)
	if path := e.Path(); len(path) > 0 {
		pe.Msg = strings.Join(path, ".") + ": " + pe.Msg
	}
	return pe
}

// fromToken converts a CUE position into a dconf one.
func fromToken(name string, tp token.Position) dconf.Pos {
	return dconf.Pos{Filename: name, Offset: tp.Offset, Line: tp.Line, Column: tp.Column}
}

// sortViolations orders violations as Validate does: by position, then
// rule, then message.
func sortViolations(vs []Violation) {
	slices.SortStableFunc(vs, func(a, b Violation) int {
		if a.Pos.Offset != b.Pos.Offset {
			return a.Pos.Offset - b.Pos.Offset
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}
