package apply

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/confc/confc/compiler"
)

// MinPassphraseLen is the shortest cluster passphrase accepted.
const MinPassphraseLen = 8

// DefaultPassphrase is the cluster passphrase --nopass stands for. It is
// printed in the documentation, so a cluster using it is protected by
// nothing but network access to Vault; confc warns whenever it is used.
const DefaultPassphrase = "confc-default-insecure-passphrase"

// Answers supplies prompt answers. The engine asks only for the prompts the
// plan uses, and all of them before it contacts a server (CheckAnswers), so
// an implementation never has to ask in the middle of a run. The CLI
// gathers the answers from --input-json, cluster.sec and the terminal into
// a StaticAnswers.
type Answers interface {
	// Answer returns the answer to the named prompt, and false when there
	// is none.
	Answer(name string) (string, bool)
}

// StaticAnswers is a fixed set of prompt answers.
type StaticAnswers map[string]string

// Answer returns the answer to the named prompt.
func (a StaticAnswers) Answer(name string) (string, bool) {
	v, ok := a[name]
	return v, ok
}

// Input is the JSON document --input-json reads from stdin.
type Input struct {
	// ClusterPassphrase logs in to Vault and encrypts the unseal keys.
	ClusterPassphrase string `json:"clusterPassphrase"`
	// ConfigPassphrase decrypts and encrypts cluster.sec, the saved
	// answers file next to cluster.conf.
	ConfigPassphrase string `json:"configPassphrase"`
	// Prompts maps prompt names to answers.
	Prompts map[string]string `json:"prompts"`
	// NewClusterPassphrase is the passphrase "confc security changepwd"
	// changes to; other commands ignore it.
	NewClusterPassphrase string `json:"newClusterPassphrase,omitempty"`
}

// ReadInput decodes the --input-json document. Unknown fields are an error,
// so that a misspelt "prompts" does not silently leave every prompt
// unanswered. The error never quotes the input, which holds secrets.
func ReadInput(r io.Reader) (*Input, error) {
	cr := &countingReader{r: r}
	dec := json.NewDecoder(cr)
	dec.DisallowUnknownFields()
	var in Input
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("invalid --input-json document: %s", describeJSONError(err, cr.n))
	}
	return &in, nil
}

// countingReader counts the bytes read, which is where a truncated
// document ends.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// describeJSONError keeps the kind and place of a JSON error but drops any
// quoted input. end is how far the decoder read, where a document that
// stops early ends.
func describeJSONError(err error, end int64) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("not valid JSON: syntax error at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		if e.Field == "" {
			return "not a JSON object"
		}
		return fmt.Sprintf("field %q must be a %s", e.Field, e.Type)
	}
	if err == io.EOF {
		return "empty input"
	}
	if err == io.ErrUnexpectedEOF {
		return fmt.Sprintf("not valid JSON: the document ends early, at byte %d", end)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown field " + f
	}
	return "not a JSON object"
}

// CheckPassphrase refuses a passphrase that is too short. It is called
// before any server is contacted.
func CheckPassphrase(p string) error {
	if len([]rune(p)) < MinPassphraseLen {
		return fmt.Errorf("the cluster passphrase must be at least %d characters long", MinPassphraseLen)
	}
	return nil
}

// PromptsUsed returns the names of the prompts whose answers the plan
// writes, sorted.
func PromptsUsed(p *compiler.Plan) []string {
	var names []string
	for _, s := range p.Steps {
		if s.KV == nil {
			continue
		}
		for _, f := range s.KV.Fields {
			if n, ok := strings.CutPrefix(f.Source, "prompt:"); ok && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

// CheckAnswers returns a *MissingAnswersError naming every prompt of the
// plan without an answer, or nil.
//
// TODO: a prompt's min_length is not checked: the plan does not carry it.
func CheckAnswers(p *compiler.Plan, a Answers) error {
	var missing []string
	for _, n := range PromptsUsed(p) {
		if a == nil {
			missing = append(missing, n)
			continue
		}
		if _, ok := a.Answer(n); !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return &MissingAnswersError{Names: missing}
	}
	return nil
}
