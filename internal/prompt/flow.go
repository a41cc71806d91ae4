package prompt

import (
	"errors"
	"fmt"
	"strings"
)

// ChoiceQuestion is asked after each answer.
const ChoiceQuestion = "[P]roceed [B]ack [S]ave [Q]uit [E]xplain:"

// ErrQuit means the operator chose Quit.
var ErrQuit = errors.New("quit: nothing was changed")

// Choice is what the operator does after an answer.
type Choice int

// The choices offered after each answer.
const (
	Proceed Choice = iota // keep the answer, go to the next prompt
	Back                  // keep the answer, go back to the previous prompt
	Save                  // keep the answer, save all answers to cluster.sec, ask again
	Quit                  // stop; nothing is changed
	Explain               // print the prompt's help, ask again
)

// ParseChoice reads a choice from its first letter or its whole word, in
// any case. An empty entry (just Enter) is Proceed.
func ParseChoice(s string) (Choice, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "p", "proceed":
		return Proceed, true
	case "b", "back":
		return Back, true
	case "s", "save":
		return Save, true
	case "q", "quit":
		return Quit, true
	case "e", "explain":
		return Explain, true
	}
	return 0, false
}

// maxPEMLines bounds a pasted PEM block, so that a paste without its END
// line cannot make the prompt read forever.
const maxPEMLines = 2000

// Flow asks the secret prompts one after the other.
type Flow struct {
	// Term is where the questions are asked.
	Term Terminal
	// Ask lists the prompts to ask, in the order to ask them.
	Ask []Spec
	// Answers holds the answers known already (from cluster.sec) and
	// receives the ones typed. It must not be nil.
	Answers map[string]string
	// Save stores all of Answers (in cluster.sec) when the operator
	// chooses Save; the choice is asked again afterwards, so the operator
	// can quit and resume later or proceed. A failure is shown. Nil means
	// saving is not possible here.
	Save func(answers map[string]string) error
}

// Run asks each prompt of Ask in turn. Each answer is checked at once
// (min_length, pattern) and asked again with the reason when it does not
// pass; then the operator chooses what to do next. Run returns ErrQuit when
// the operator quits, ErrInputEnded when the terminal closes.
func (f *Flow) Run() error {
	t := f.Term
	i := 0
	for i < len(f.Ask) {
		s := &f.Ask[i]
		fmt.Fprintf(t, "\n(%d/%d) %s [%s]\n", i+1, len(f.Ask), s.Label, s.Name)
		a, err := f.readAnswer(s)
		if err != nil {
			return err
		}
		f.Answers[s.Name] = a
		c, err := f.choose(i)
		if err != nil {
			return err
		}
		if c == Back {
			i--
			continue
		}
		i++
	}
	return nil
}

// readAnswer reads one answer that passes the prompt's checks.
func (f *Flow) readAnswer(s *Spec) (string, error) {
	t := f.Term
	how := "shown as typed"
	if s.Secret {
		how = "hidden"
	}
	for {
		fmt.Fprintf(t, "Answer (%s): ", how)
		a, err := f.read(s.Secret)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(strings.TrimSpace(a), "-----BEGIN ") {
			if a, err = f.readPEM(a, s.Secret); err != nil {
				return "", err
			}
		}
		if err := s.Check(a); err != nil {
			fmt.Fprintf(t, "%v; try again\n", err)
			continue
		}
		return a, nil
	}
}

// readPEM reads the rest of a PEM block whose first line is first, up to
// and including its END line. Keys and certificates span many lines; a
// terminal hands them over one line at a time.
func (f *Flow) readPEM(first string, hidden bool) (string, error) {
	fmt.Fprintln(f.Term, "(PEM block: paste the rest, up to its -----END line)")
	lines := []string{strings.TrimSpace(first)}
	for range maxPEMLines {
		l, err := f.read(hidden)
		if err != nil {
			return "", err
		}
		l = strings.TrimSpace(l)
		lines = append(lines, l)
		if strings.HasPrefix(l, "-----END ") {
			return strings.Join(lines, "\n") + "\n", nil
		}
	}
	return "", fmt.Errorf("no -----END line after %d lines of a PEM block", maxPEMLines)
}

func (f *Flow) read(hidden bool) (string, error) {
	if hidden {
		return f.Term.ReadHidden()
	}
	return f.Term.ReadLine()
}

// choose asks what to do after the answer to prompt i, handling Explain
// and Save itself (both ask again afterwards), and returns Proceed, Back or
// an error (ErrQuit).
func (f *Flow) choose(i int) (Choice, error) {
	t := f.Term
	for {
		fmt.Fprintf(t, "%s ", ChoiceQuestion)
		line, err := t.ReadLine()
		if err != nil {
			return 0, err
		}
		c, ok := ParseChoice(line)
		if !ok {
			fmt.Fprintln(t, "type p, b, s, q or e (or the whole word); Enter proceeds")
			continue
		}
		switch c {
		case Proceed:
			return Proceed, nil
		case Back:
			if i == 0 {
				fmt.Fprintln(t, "this is the first prompt; there is nothing to go back to")
				continue
			}
			return Back, nil
		case Quit:
			return 0, ErrQuit
		case Explain:
			f.explain(&f.Ask[i])
		case Save:
			if f.Save == nil {
				fmt.Fprintln(t, "answers cannot be saved here")
				continue
			}
			// After saving, the operator still chooses: Quit to stop
			// here and resume later, or Proceed.
			if err := f.Save(f.Answers); err != nil {
				fmt.Fprintf(t, "not saved: %v\n", err)
			}
		}
	}
}

// explain prints what the prompt is for; never its answer.
func (f *Flow) explain(s *Spec) {
	t := f.Term
	fmt.Fprintf(t, "%s: %s\n", s.Name, s.Label)
	if s.Help != "" {
		fmt.Fprintf(t, "  %s\n", s.Help)
	} else {
		fmt.Fprintln(t, "  cluster.conf gives no help text for this prompt")
	}
	if s.Target != "" {
		fmt.Fprintf(t, "  The answer is stored in Vault for the setting %s.\n", s.Target)
	}
	var rules []string
	if s.Secret {
		rules = append(rules, "read without echo")
	} else {
		rules = append(rules, "not secret, shown as typed")
	}
	if s.MinLength > 0 {
		rules = append(rules, fmt.Sprintf("at least %d characters", s.MinLength))
	}
	if s.Pattern != "" {
		rules = append(rules, fmt.Sprintf("must match %q", s.Pattern))
	}
	fmt.Fprintf(t, "  Answer: %s.\n", strings.Join(rules, "; "))
}
