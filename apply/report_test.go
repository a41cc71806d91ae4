package apply

import (
	"bytes"
	"strings"
	"testing"
)

func reportAll(r Reporter, failed bool) {
	r.Report(Event{Type: EventStart, Total: 2})
	r.Report(Event{Type: EventStep, Step: "vault.mount:cluster", Index: 1, Total: 2, Result: Created})
	r.Report(Event{Type: EventNotice, Message: "unsealed vault at http://127.0.0.1:1"})
	s := &Summary{Created: 1, Unchanged: 1, Complete: true, Seconds: 0.5}
	if failed {
		r.Report(Event{Type: EventStep, Step: "vault.mount:pki", Index: 2, Total: 2, Result: Failed, Message: "permission denied"})
		s = &Summary{Created: 1, Failed: 1}
	} else {
		r.Report(Event{Type: EventStep, Step: "vault.mount:pki", Index: 2, Total: 2, Result: Unchanged})
	}
	r.Report(Event{Type: EventDone, Summary: s})
}

func TestTextReporter(t *testing.T) {
	var b bytes.Buffer
	reportAll(&TextReporter{W: &b}, false)
	want := `applying 2 steps
[1/2] created   vault.mount:cluster
note: unsealed vault at http://127.0.0.1:1
[2/2] unchanged vault.mount:pki
apply complete: 1 created, 0 updated, 1 unchanged, 0 failed (0.5s)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	reportAll(&TextReporter{W: &b}, true)
	if !strings.Contains(b.String(), "[2/2] failed    vault.mount:pki: permission denied\n") ||
		!strings.Contains(b.String(), "apply failed: 1 created, 0 updated, 0 unchanged, 1 failed") {
		t.Errorf("failure output:\n%s", b.String())
	}
}

func TestJSONReporter(t *testing.T) {
	var b bytes.Buffer
	reportAll(NewJSONReporter(&b), false)
	events := parseEvents(t, b.Bytes())
	if len(events) != 5 || events[4].Type != EventDone || events[4].Summary == nil || !events[4].Summary.Complete {
		t.Errorf("events: %+v", events)
	}
	if events[1].Result != Created || events[1].Step != "vault.mount:cluster" {
		t.Errorf("step event: %+v", events[1])
	}
}

func TestProgressReporter(t *testing.T) {
	var b bytes.Buffer
	p := NewProgressReporter(&b)
	reportAll(p, true)
	p.Wait()
	out := b.String()
	for _, want := range []string{"failed vault.mount:pki: permission denied", "note: unsealed vault", "apply failed: 1 created"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%s", want, out)
		}
	}
}
