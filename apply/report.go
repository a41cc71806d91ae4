package apply

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// EventType names what an Event reports.
type EventType string

// The event types.
const (
	EventStart  EventType = "start"  // the steps are about to run
	EventStep   EventType = "step"   // one step finished (or failed)
	EventNotice EventType = "notice" // something the operator should know
	EventDone   EventType = "done"   // the run ended; Summary is set
)

// Event is one thing that happened during an apply. Events never carry a
// secret value.
type Event struct {
	Type EventType `json:"type"`
	Time time.Time `json:"time"`
	// Step, Kind and Target describe the step of a step event.
	Step   string `json:"step,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Target string `json:"target,omitempty"`
	// Index is the 1-based position of the step, Total the number of
	// steps.
	Index int `json:"index,omitempty"`
	Total int `json:"total,omitempty"`
	// Result is what the step did.
	Result Result `json:"result,omitempty"`
	// Message explains a notice or a failure.
	Message string `json:"message,omitempty"`
	// Summary is set on the done event.
	Summary *Summary `json:"summary,omitempty"`
}

// Reporter receives the events of an apply.
type Reporter interface {
	Report(Event)
}

// Summary counts what an apply did.
type Summary struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	// Skipped counts steps an interrupted earlier run had finished.
	Skipped int `json:"skipped"`
	// Resumed is set when the run continued an interrupted one.
	Resumed bool `json:"resumed"`
	// Seconds is how long the run took.
	Seconds float64 `json:"seconds"`
	// Complete is set when every step ran; false when the apply failed or
	// stopped, even before the first step.
	Complete bool `json:"complete"`
}

// Changed reports whether the run changed anything on the servers.
func (s *Summary) Changed() bool { return s.Created+s.Updated > 0 }

func (s *Summary) String() string {
	msg := fmt.Sprintf("%d created, %d updated, %d unchanged, %d failed", s.Created, s.Updated, s.Unchanged, s.Failed)
	if s.Skipped > 0 {
		msg += fmt.Sprintf(", %d already done by the interrupted run", s.Skipped)
	}
	return msg
}

func (s *Summary) add(r Result) {
	switch r {
	case Created:
		s.Created++
	case Updated:
		s.Updated++
	case Unchanged:
		s.Unchanged++
	case Failed:
		s.Failed++
	case Skipped:
		s.Skipped++
	}
}

// TextReporter writes one plain line per step and notice, for logs and CI.
type TextReporter struct {
	W io.Writer
}

// Report writes the event as a line.
func (t *TextReporter) Report(e Event) {
	switch e.Type {
	case EventStart:
		fmt.Fprintf(t.W, "applying %d steps\n", e.Total)
	case EventStep:
		line := fmt.Sprintf("[%d/%d] %-9s %s", e.Index, e.Total, e.Result, e.Step)
		if e.Message != "" {
			line += ": " + e.Message
		}
		fmt.Fprintln(t.W, line)
	case EventNotice:
		fmt.Fprintf(t.W, "note: %s\n", e.Message)
	case EventDone:
		if e.Summary != nil {
			fmt.Fprintf(t.W, "apply %s: %s (%.1fs)\n", doneWord(e.Summary), e.Summary, e.Summary.Seconds)
		}
	}
}

func doneWord(s *Summary) string {
	switch {
	case s.Complete:
		return "complete"
	case s.Failed > 0:
		return "failed"
	}
	return "stopped"
}

// JSONReporter writes each event as one JSON object per line.
type JSONReporter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

// NewJSONReporter returns a reporter writing JSON lines to w.
func NewJSONReporter(w io.Writer) *JSONReporter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSONReporter{enc: enc}
}

// Report writes the event.
func (j *JSONReporter) Report(e Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(e)
}

// ProgressReporter draws a progress bar on a terminal and prints notices,
// failures and the summary as lines above it.
//
// The bar is github.com/schollz/progressbar rather than a multi-bar library:
// an apply has one bar, and confc's lint runs pay for every package's
// start-up cost, which for the multi-bar libraries tried was a fifth of a
// lint of production.conf.
type ProgressReporter struct {
	mu  sync.Mutex
	w   io.Writer
	bar *progressbar.ProgressBar
}

// NewProgressReporter returns a reporter drawing on w, which should be a
// terminal. Call Wait when the apply has returned.
func NewProgressReporter(w io.Writer) *ProgressReporter {
	return &ProgressReporter{w: w}
}

// Report updates the bar.
func (p *ProgressReporter) Report(e Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Type {
	case EventStart:
		p.bar = progressbar.NewOptions(e.Total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetWidth(40),
			progressbar.OptionSetDescription("apply"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetRenderBlankState(true),
			progressbar.OptionThrottle(50*time.Millisecond),
		)
	case EventStep:
		if e.Result == Failed {
			p.println(fmt.Sprintf("failed %s: %s", e.Step, e.Message))
		}
		if p.bar != nil {
			p.bar.Describe("apply " + e.Step)
			_ = p.bar.Add(1)
		}
	case EventNotice:
		p.println("note: " + e.Message)
	case EventDone:
		p.stop()
		if e.Summary != nil {
			fmt.Fprintf(p.w, "apply %s: %s (%.1fs)\n", doneWord(e.Summary), e.Summary, e.Summary.Seconds)
		}
	}
}

// println writes s on a line of its own above the bar. Call with p.mu held.
func (p *ProgressReporter) println(s string) {
	if p.bar == nil {
		fmt.Fprintln(p.w, s)
		return
	}
	// The bar keeps the line and writes it above itself when it next draws.
	_, _ = progressbar.Bprintln(p.bar, s)
	_ = p.bar.RenderBlank()
}

// stop draws the bar one last time, with the lines still held, and leaves
// the cursor on a new line. Call with p.mu held.
func (p *ProgressReporter) stop() {
	if p.bar == nil {
		return
	}
	_ = p.bar.RenderBlank()
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
	p.bar = nil
}

// Wait finishes the bar if the run ended without a done event.
func (p *ProgressReporter) Wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stop()
}

// discard is the reporter used when none is given.
type discard struct{}

func (discard) Report(Event) {}
