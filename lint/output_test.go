package lint

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// canaries are secret values planted in secretInput; none may appear in
// any output.
var canaries = []string{
	"CANARY-schema-secret-9a1",
	"CANARY-looks-secret-7b2",
	"CANARY-prompt-target-3c3",
	"CANARYPEMLINEAAAABBBBCCCC",
}

// secretInput holds each kind of secret the masker must hide, and
// findings on those lines so that the lines are printed.
var secretInput = base + `chef: {
  continuum: {
    auth_server: { identity: { google: { client_secret: "CANARY-schema-secret-9a1" } } }
    package_manager: { s3_store: { secret_key: "CANARY-prompt-target-3c3" } }
    router: { ssl: { tlshosts: [ {
      server_names: [ "a.example.test" ]
      certificate_chain: (
-----BEGIN EC PRIVATE KEY-----
CANARYPEMLINEAAAABBBBCCCC
-----END EC PRIVATE KEY-----
)
    } ] } }
  }
  apzabbix: { api_token: 'CANARY-looks-secret-7b2' }
}
prompts: {
  s3: { label: "S3 key", target: "chef.continuum.package_manager.s3_store.secret_key" }
}
`

func renderAll(t *testing.T, results []*Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	var b bytes.Buffer
	for name, write := range map[string]func() error{
		"text":  func() error { return WriteText(&b, results, TextOptions{}) },
		"color": func() error { return WriteText(&b, results, TextOptions{Color: true}) },
		"json":  func() error { return WriteJSON(&b, results) },
		"sarif": func() error { return WriteSARIF(&b, results, "test") },
		"github": func() error {
			return WriteGitHub(&b, results)
		},
	} {
		b.Reset()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.String()
	}
	return out
}

func TestNoSecretInAnyOutput(t *testing.T) {
	r := Source("secret.conf", []byte(secretInput))
	if r.ParseFailed() {
		t.Fatalf("input does not parse: %v", r.Diagnostics)
	}
	if len(r.Diagnostics) == 0 {
		t.Fatal("expected findings on the secret lines")
	}
	outputs := renderAll(t, []*Result{r})
	for name, out := range outputs {
		for _, c := range canaries {
			if strings.Contains(out, c) {
				t.Errorf("%s output contains secret %q:\n%s", name, c, out)
			}
		}
	}
	// The masked lines are still printed, with the mask in place.
	if !strings.Contains(outputs["text"], `client_secret: "****"`) {
		t.Errorf("text output lacks the masked client_secret line:\n%s", outputs["text"])
	}

	var exported bytes.Buffer
	if err := ExportJSON(&exported, r.File, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range canaries {
		if strings.Contains(exported.String(), c) {
			t.Errorf("export contains secret %q", c)
		}
	}
	exported.Reset()
	if err := ExportJSON(&exported, r.File, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exported.String(), canaries[0]) {
		t.Error("export with showSecrets lost the secret value")
	}
}

func TestNoSecretWhenParseFails(t *testing.T) {
	src := "a: {\n  password: CANARY-unparsed-1234\n  b: [\n"
	r := Source("broken.conf", []byte(src))
	if !r.ParseFailed() {
		t.Fatal("input parsed")
	}
	m := r.Masker
	line, _ := m.Line(2)
	if strings.Contains(line, "CANARY") || !strings.Contains(line, "password: ****") {
		t.Errorf("line 2 masked as %q", line)
	}
	for name, out := range renderAll(t, []*Result{r}) {
		if strings.Contains(out, "CANARY-unparsed-1234") {
			t.Errorf("%s output contains the secret:\n%s", name, out)
		}
	}
}

func TestScrubMessages(t *testing.T) {
	m := NewMasker([]byte("token: 'abcdefgh'\n"), nil)
	if got := m.Scrub(`bad value "abcdefgh"`); got != `bad value "****"` {
		t.Errorf("Scrub gave %q", got)
	}
}

func TestMaskerLineColumns(t *testing.T) {
	src := "x: { password: \"longsecretvalue\", after: 1 }\n"
	m := NewMasker([]byte(src), nil)
	m.spans = []span{{16, 31}} // the content of the quoted value
	text, col := m.Line(1)
	if text != `x: { password: "****", after: 1 }` {
		t.Fatalf("masked line %q", text)
	}
	// "after" is at byte column 35 of the original line.
	if got := text[col(35):]; !strings.HasPrefix(got, "after") {
		t.Errorf("column 35 maps to %q", got)
	}
	if got := text[col(17):]; !strings.HasPrefix(got, "****") {
		t.Errorf("column inside the secret maps to %q", got)
	}
}

func TestTextSnippet(t *testing.T) {
	src := edit(t, "  vault: 3\n", "  vault: 1\n") + names
	var b bytes.Buffer
	if err := WriteText(&b, []*Result{Source("t.conf", []byte(src))}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "t.conf:14:10: warning: vault count 1 differs from kv-store count 3 [vault-count]\n" +
		"  14 |   vault: 1\n" +
		"     |          ^\n" +
		"     = hint: set vault to 3 so that every kv-store host runs one vault server\n" +
		"     = doc: " + DocBaseURL + "vault-count.md\n\n" +
		"0 errors, 1 warning in 1 file\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestGitHubEscaping(t *testing.T) {
	r := &Result{Diagnostics: []Diagnostic{{
		Severity: Warning, Rule: "vault-count", File: "dir,a:b/c.conf",
		Message: "100% sure\nsecond line", Hint: "fix it",
		Start: dconfPos(2, 3, 10), End: dconfPos(2, 5, 12),
	}}}
	var b bytes.Buffer
	if err := WriteGitHub(&b, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	want := "::warning file=dir%2Ca%3Ab/c.conf,line=2,col=3,endLine=2,endColumn=5,title=vault-count::100%25 sure%0Asecond line%0Ahint: fix it\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("empty output is %q, want []", b.String())
	}
	b.Reset()
	r := Source("t.conf", []byte(edit(t, "  vault: 3\n", "  vault: 1\n")+names))
	if err := WriteJSON(&b, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d objects", len(got))
	}
	for k, want := range map[string]any{"file": "t.conf", "line": 14.0, "column": 10.0, "end_line": 14.0, "end_column": 11.0, "severity": "warning", "rule": "vault-count"} {
		if got[0][k] != want {
			t.Errorf("%s = %v, want %v", k, got[0][k], want)
		}
	}
}
