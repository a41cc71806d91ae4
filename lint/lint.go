package lint

import (
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/schema"
)

// Result is the outcome of linting one file.
type Result struct {
	// Name is the file name as given by the caller.
	Name string
	// Src is the file's content.
	Src []byte
	// File is the parsed file, or nil when it did not parse; Diagnostics
	// then hold the parse errors (rule "syntax").
	File *dconf.File
	// Diagnostics are the findings that were not suppressed, sorted.
	Diagnostics []Diagnostic
	// Masker hides secret values when source lines are printed.
	Masker *Masker
	// ReadError, when not nil, is why the file could not be read; see
	// [ReadError]. File is then nil and Diagnostics hold one read-error
	// finding.
	ReadError error
}

// ParseFailed reports whether the file could not be parsed, or not even
// read.
func (r *Result) ParseFailed() bool { return r.File == nil }

// Count returns how many findings are at severity min or above.
func (r *Result) Count(min Severity) int { return Count(r.Diagnostics, min) }

// HasErrors reports whether the file failed to parse or has a finding at
// error level; the compiler refuses such files.
func (r *Result) HasErrors() bool { return r.ParseFailed() || r.Count(Error) > 0 }

// Options adjust a lint run. The zero value runs the built-in checks only.
type Options struct {
	// Policies are user CUE policies checked with the built-in schema;
	// their @rule IDs may be named in "# confc:ignore" comments.
	Policies []*schema.Policy
	// Logger, when not nil, receives debug messages about the run: file
	// sizes, timings and counts, never values from the file.
	Logger *slog.Logger
}

func (o Options) log() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Path reads the file at path and lints it. The error is non-nil only when
// the file cannot be read; parse errors are diagnostics.
func Path(path string) (*Result, error) { return Options{}.Path(path) }

// Source parses src, named name in positions and output, and lints it.
func Source(name string, src []byte) *Result { return Options{}.Source(name, src) }

// File lints a parsed file: schema violations, then every Go rule, then
// suppression comments.
func File(f *dconf.File) *Result { return Options{}.File(f) }

// Path is [Path] with options.
func (o Options) Path(path string) (*Result, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	o.log().Debug("file read", slog.String("file", path), slog.Int("bytes", len(src)))
	return o.Source(path, src), nil
}

// Source is [Source] with options.
func (o Options) Source(name string, src []byte) *Result {
	start := time.Now()
	f, err := dconf.Parse(name, src)
	o.log().Debug("parsed", slog.String("file", name), slog.Bool("ok", err == nil && f != nil), msSince(start))
	if err != nil || f == nil {
		r := &Result{Name: name, Src: src, Diagnostics: syntaxDiagnostics(name, err)}
		r.Masker = NewMasker(src, nil)
		r.scrub()
		Sort(r.Diagnostics)
		return r
	}
	return o.File(f)
}

// File is [File] with options.
func (o Options) File(f *dconf.File) *Result {
	log := o.log()
	r := &Result{Name: f.Name, Src: f.Src, File: f}
	start := time.Now()
	violations := schema.Validate(f)
	log.Debug("schema checked", slog.String("file", f.Name), slog.Int("violations", len(violations)), msSince(start))
	if len(o.Policies) > 0 {
		start = time.Now()
		n := len(violations)
		for _, p := range o.Policies {
			violations = append(violations, p.Check(f)...)
		}
		log.Debug("policies checked", slog.String("file", f.Name), slog.Int("policies", len(o.Policies)), slog.Int("violations", len(violations)-n), msSince(start))
	}
	for _, v := range violations {
		r.Diagnostics = append(r.Diagnostics, fromViolation(f.Name, v))
	}

	start = time.Now()
	pass := &Pass{File: f, Violations: violations}
	ran := 0
	for _, rule := range Rules() {
		if rule.Check == nil {
			continue
		}
		pass.rule = rule
		rule.Check(pass)
		ran++
	}
	log.Debug("rules run", slog.String("file", f.Name), slog.Int("rules", ran), slog.Int("findings", len(pass.diags)), msSince(start))
	r.Diagnostics = append(r.Diagnostics, pass.diags...)
	var extra []string
	for _, p := range o.Policies {
		extra = append(extra, p.Rules()...)
	}
	r.Diagnostics = applySuppressions(f, r.Diagnostics, extra)

	r.Masker = NewMasker(f.Src, f)
	r.scrub()
	Sort(r.Diagnostics)
	return r
}

// msSince is the attribute that records how long a step took, in
// milliseconds.
func msSince(start time.Time) slog.Attr {
	return slog.Float64("ms", float64(time.Since(start).Microseconds())/1000)
}

// scrub removes secret values from messages and hints. Rules never quote
// a secret, but schema messages may quote the value they reject.
func (r *Result) scrub() {
	for i := range r.Diagnostics {
		d := &r.Diagnostics[i]
		d.Message = r.Masker.Scrub(d.Message)
		d.Hint = r.Masker.Scrub(d.Hint)
	}
}

func fromViolation(name string, v schema.Violation) Diagnostic {
	sev := Error
	if v.Severity == "warning" {
		sev = Warning
	}
	rule := v.Rule
	if rule == "" {
		rule = "schema"
	}
	return Diagnostic{
		Severity: sev,
		Rule:     rule,
		Message:  v.Message,
		File:     name,
		Start:    v.Pos,
		End:      v.End,
		Hint:     v.Hint,
	}
}

// syntaxDiagnostics turns a parse error into diagnostics.
func syntaxDiagnostics(name string, err error) []Diagnostic {
	var list dconf.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		ds := make([]Diagnostic, 0, len(list))
		for _, e := range list {
			ds = append(ds, Diagnostic{
				Severity: Error,
				Rule:     "syntax",
				Message:  e.Msg,
				File:     name,
				Start:    e.Pos,
				End:      e.Pos,
				Related:  e.Related,
			})
		}
		return ds
	}
	var one *dconf.Error
	if errors.As(err, &one) {
		return []Diagnostic{{Severity: Error, Rule: "syntax", Message: one.Msg, File: name, Start: one.Pos, End: one.Pos, Related: one.Related}}
	}
	msg := "the file could not be parsed"
	if err != nil {
		msg = err.Error()
	}
	start := dconf.Pos{Filename: name, Line: 1, Column: 1}
	return []Diagnostic{{Severity: Error, Rule: "syntax", Message: msg, File: name, Start: start, End: start}}
}
