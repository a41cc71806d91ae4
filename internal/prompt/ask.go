package prompt

import (
	"errors"
	"fmt"
	"strings"
)

// MaxAttempts is how many times a passphrase or a yes/no answer is asked
// again after a wrong entry before giving up.
const MaxAttempts = 3

// UnreachableQuestion is asked when the secret store cannot be reached
// before secrets are asked for.
const UnreachableQuestion = "Failed to connect to Secret Store; Continuing might lead to a failed deploy and you might be prompted for secrets again. Do you wish to continue? [y/n]:"

// ErrTooManyAttempts means the operator gave a wrong entry MaxAttempts
// times.
var ErrTooManyAttempts = errors.New("too many attempts")

// PassphraseRequest describes a passphrase to ask for.
type PassphraseRequest struct {
	// Label names the passphrase in the question, for example "cluster
	// passphrase".
	Label string
	// Note, when set, is shown once before the first question (why the
	// passphrase is needed, what confirmation means).
	Note string
	// MinLength is the shortest passphrase accepted; shorter entries are
	// refused at once and asked again.
	MinLength int
	// Confirm asks for the passphrase twice; the two entries must match.
	Confirm bool
}

// Passphrase asks for a passphrase without echo. A short entry, or a
// confirmation that differs, is explained and asked again, at most
// MaxAttempts times.
func Passphrase(t Terminal, r PassphraseRequest) (string, error) {
	if r.Note != "" {
		fmt.Fprintln(t, r.Note)
	}
	for range MaxAttempts {
		fmt.Fprintf(t, "%s: ", capitalize(r.Label))
		p, err := t.ReadHidden()
		if err != nil {
			return "", err
		}
		if len([]rune(p)) < r.MinLength {
			fmt.Fprintf(t, "the %s must be at least %d characters long\n", r.Label, r.MinLength)
			continue
		}
		if !r.Confirm {
			return p, nil
		}
		fmt.Fprintf(t, "Confirm %s: ", r.Label)
		again, err := t.ReadHidden()
		if err != nil {
			return "", err
		}
		if again != p {
			fmt.Fprintln(t, "the two entries differ; try again")
			continue
		}
		return p, nil
	}
	return "", fmt.Errorf("no %s: %w", r.Label, ErrTooManyAttempts)
}

// YesNo asks question and returns true for y or yes, false for n or no
// (in any case). Other answers are asked again, at most MaxAttempts times.
func YesNo(t Terminal, question string) (bool, error) {
	for range MaxAttempts {
		fmt.Fprintf(t, "%s ", question)
		a, err := t.ReadLine()
		if err != nil {
			return false, err
		}
		switch strings.ToLower(strings.TrimSpace(a)) {
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		fmt.Fprintln(t, "please answer y or n")
	}
	return false, fmt.Errorf("no answer to a yes/no question: %w", ErrTooManyAttempts)
}

// ConfirmUnreachable asks whether to go on although the secret store
// cannot be reached.
func ConfirmUnreachable(t Terminal) (bool, error) {
	return YesNo(t, UnreachableQuestion)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
