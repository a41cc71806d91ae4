package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// MarkdownLimit is the largest Markdown rendering, in bytes: pull-request
// comments on common forges are capped near 65,536 characters, and a cut
// rendering must still leave room for the note that says so.
const MarkdownLimit = 60000

// Format names a rendering of a plan.
type Format string

// The renderings of a plan.
const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// Render writes p in the given format.
func Render(w io.Writer, p *Plan, f Format) error {
	switch f {
	case FormatText, "":
		return RenderText(w, p)
	case FormatJSON:
		return EncodeJSON(w, p)
	case FormatMarkdown:
		return RenderMarkdown(w, p)
	}
	return fmt.Errorf("unknown plan format %q: expected text, json or markdown", f)
}

// phaseGroup is the steps of one phase, in plan order.
type phaseGroup struct {
	phase Phase
	steps []*Step
}

// groups splits the plan's steps by phase, keeping plan order. A phase that
// shows up again after another one (which a well-formed plan never does)
// starts a new group rather than reordering steps.
func groups(p *Plan) []phaseGroup {
	var out []phaseGroup
	for _, s := range p.Steps {
		if n := len(out); n > 0 && out[n-1].phase == s.Phase {
			out[n-1].steps = append(out[n-1].steps, s)
			continue
		}
		out = append(out, phaseGroup{phase: s.Phase, steps: []*Step{s}})
	}
	return out
}

// summary returns "N steps: V vault, C consul" and, for a refreshed plan,
// the counts per status.
func summary(p *Plan) string {
	v, c := p.Counts()
	s := fmt.Sprintf("%d %s: %d vault, %d consul", len(p.Steps), plural(len(p.Steps), "step", "steps"), v, c)
	if !p.Refreshed {
		return s
	}
	var create, update, noop, unknown int
	for _, st := range p.Steps {
		switch st.Status {
		case StatusCreate, StatusPending:
			create++
		case StatusUpdate:
			update++
		case StatusNoop:
			noop++
		default:
			unknown++
		}
	}
	s += fmt.Sprintf("; %d to create, %d to update, %d unchanged", create, update, noop)
	if unknown > 0 {
		s += fmt.Sprintf(", %d unknown", unknown)
	}
	return s
}

// checkedNote says whether the statuses come from servers.
func checkedNote(p *Plan) string {
	if p.Refreshed {
		return `checked against servers: "+" create, "~" update, "=" no change, "?" unknown`
	}
	return `offline plan, not checked against servers: every step is pending ("+")`
}

// RenderText writes the human rendering of p: a header, the steps grouped by
// phase with one line each, and a summary line.
func RenderText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "confc plan for cluster %q (%s)\n", p.Cluster.Name, p.Input.File)
	fmt.Fprintf(&b, "fingerprint %s (schema %s, confc %s)\n", p.Fingerprint, shortVersion(p.Input.SchemaVersion), p.Input.ConfcVersion)
	b.WriteString(checkedNote(p))
	b.WriteString("\n")
	for _, g := range groups(p) {
		width := 0
		for _, s := range g.steps {
			width = max(width, len(s.ID))
		}
		width = min(width, 64)
		fmt.Fprintf(&b, "\n%s (%d)\n", g.phase.Title(), len(g.steps))
		for _, s := range g.steps {
			fmt.Fprintf(&b, "  %s %-*s  %s\n", s.Status.Symbol(), width, s.ID, s.Description)
		}
	}
	fmt.Fprintf(&b, "\nPlan: %s\n", summary(p))
	_, err := io.WriteString(w, b.String())
	return err
}

// shortVersion abbreviates a long hash-like version for display.
func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

// RenderMarkdown writes p as Markdown for a pull-request comment: a summary
// table by phase and a collapsed block of steps per phase, with policy text
// and store values in nested blocks. The output never exceeds MarkdownLimit
// bytes; when steps had to be left out it ends with a note saying how many.
func RenderMarkdown(w io.Writer, p *Plan) error {
	var head strings.Builder
	fmt.Fprintf(&head, "### confc plan: cluster `%s`\n\n", mdCode(p.Cluster.Name))
	fmt.Fprintf(&head, "%s. Input `%s`, fingerprint `%s`.\n\n", capitalize(checkedNote(p)), mdCode(p.Input.File), short(p.Fingerprint))
	head.WriteString("| Phase | Steps |\n| --- | ---: |\n")
	gs := groups(p)
	for _, g := range gs {
		fmt.Fprintf(&head, "| %s | %d |\n", mdCell(g.phase.Title()), len(g.steps))
	}
	fmt.Fprintf(&head, "| **Total** | **%d** |\n\n", len(p.Steps))
	foot := fmt.Sprintf("**Plan:** %s\n", summary(p))

	var body strings.Builder
	body.WriteString(head.String())
	// Room for the closing summary and a possible note about cutting.
	budget := MarkdownLimit - len(foot) - 400
	shown := 0
	cut := false
	for _, g := range gs {
		block := mdPhase(g, true)
		if body.Len()+len(block) <= budget {
			body.WriteString(block)
			shown += len(g.steps)
			continue
		}
		// Try the phase without its values, then as many rows as fit.
		if block = mdPhase(g, false); body.Len()+len(block) <= budget {
			body.WriteString(block)
			shown += len(g.steps)
			cut = true
			continue
		}
		for n := len(g.steps) - 1; n > 0; n-- {
			part := mdPhase(phaseGroup{phase: g.phase, steps: g.steps[:n]}, false)
			if body.Len()+len(part) <= budget {
				body.WriteString(part)
				shown += n
				break
			}
		}
		cut = true
		break
	}
	body.WriteString(foot)
	if cut {
		fmt.Fprintf(&body, "\n> **Note:** this comment was cut to stay under %d characters: %d of %d steps are listed",
			MarkdownLimit, shown, len(p.Steps))
		if shown == len(p.Steps) {
			body.WriteString(", some without their values")
		}
		body.WriteString(". Run `confc show` on the plan file for all of it.\n")
	}
	_, err := io.WriteString(w, body.String())
	return err
}

// mdPhase renders one phase as a collapsed block with a table of its steps
// and, when withValues is set, each step's value in a nested block.
func mdPhase(g phaseGroup, withValues bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>%s</b> (%d)</summary>\n\n", htmlEscape(g.phase.Title()), len(g.steps))
	b.WriteString("| | Step | Target | Description |\n| --- | --- | --- | --- |\n")
	for _, s := range g.steps {
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s |\n", s.Status.Symbol(), mdCode(s.ID), mdCode(s.Target), mdCell(s.Description))
	}
	b.WriteString("\n")
	if withValues {
		for _, s := range g.steps {
			lang, text := stepValue(s)
			if text == "" {
				continue
			}
			fmt.Fprintf(&b, "<details><summary><code>%s</code></summary>\n\n", htmlEscape(s.ID))
			fence := codeFence(text)
			fmt.Fprintf(&b, "%s%s\n%s\n%s\n\n</details>\n\n", fence, lang, strings.TrimRight(text, "\n"), fence)
		}
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// stepValue returns the reviewable value of a step and its code language:
// policy text, store documents, KV fields. Secret fields show only where
// their value comes from.
func stepValue(s *Step) (lang, text string) {
	switch {
	case s.Policy != nil:
		return "hcl", s.Policy.Rules
	case s.ConsulPolicy != nil:
		return "hcl", s.ConsulPolicy.Rules
	case s.ConsulKV != nil:
		var buf bytes.Buffer
		if err := json.Indent(&buf, s.ConsulKV.Value, "", "  "); err != nil {
			return "json", string(s.ConsulKV.Value)
		}
		return "json", buf.String()
	case s.KV != nil:
		var b strings.Builder
		for _, f := range s.KV.Fields {
			fmt.Fprintf(&b, "%s: %s\n", f.Name, fieldOrigin(f))
		}
		return "text", b.String()
	}
	return "", ""
}

// fieldOrigin describes where a KV field's value comes from, or the value
// itself when it is not secret.
func fieldOrigin(f KVField) string {
	switch {
	case f.Generator != "":
		return "generated (" + f.Generator + ")"
	case f.Source != "":
		return "from " + f.Source
	case f.Secret:
		return "(secret)"
	}
	var s string
	if err := json.Unmarshal(f.Value, &s); err == nil {
		if strings.Contains(s, "\n") {
			return "|\n  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
		}
		return s
	}
	return string(f.Value)
}

// codeFence returns a backtick fence longer than any run of backticks in
// text, so the text cannot close it.
func codeFence(text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// mdCell makes text safe inside a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return htmlEscape(s)
}

// mdCode makes text safe inside a single-backtick code span in a table cell.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
