package prompt_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/prompt"
	"github.com/confc/confc/internal/prompt/prompttest"
)

const promptsConf = `
prompts: {
  db_password: {
    label: "Database password"
    help: "Password of the component database superuser."
    target: "chef.continuum.component_database.password"
    min_length: 10
  }
  region: {
    label: "Region code"
    target: "chef.continuum.region"
    secret: false
    pattern: "[a-z]{2}-[0-9]"
  }
  api_token: {
    label: "API token"
    target: "chef.continuum.api.token"
  }
}
`

func specs(t *testing.T, src string) []prompt.Spec {
	t.Helper()
	f, err := dconf.Parse("cluster.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := prompt.Specs(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Canary answers: none may ever appear in what the program writes.
const (
	dbPass   = "canary-db-pass-31f9"
	dbPass2  = "canary-db-pass-2-77ab"
	apiToken = "canary-token-e05c"
)

func assertNoCanary(t *testing.T, out string, canaries ...string) {
	t.Helper()
	for _, c := range canaries {
		if strings.Contains(out, c) {
			t.Errorf("output holds the answer %q:\n%s", c, out)
		}
	}
}

func TestSpecs(t *testing.T) {
	got := specs(t, promptsConf)
	want := []prompt.Spec{
		{Name: "db_password", Label: "Database password", Help: "Password of the component database superuser.", Target: "chef.continuum.component_database.password", Secret: true, MinLength: 10},
		{Name: "region", Label: "Region code", Target: "chef.continuum.region", Secret: false, Pattern: "[a-z]{2}-[0-9]"},
		{Name: "api_token", Label: "API token", Target: "chef.continuum.api.token", Secret: true},
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".re" }, cmp.Ignore()), cmp.AllowUnexported(prompt.Spec{})); diff != "" {
		t.Errorf("specs differ (-want +got):\n%s", diff)
	}
}

func TestSpecsProductionOrder(t *testing.T) {
	src, err := os.ReadFile("../../testdata/cluster-conf/production.conf")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range specs(t, string(src)) {
		names = append(names, s.Name)
	}
	want := []string{"ldap_search_password", "google_client_id", "google_client_secret", "google_web_client_id", "router_tls_key"}
	if len(names) < len(want) || !cmp.Equal(names[:len(want)], want) {
		t.Errorf("prompt order %v, want file order starting %v", names, want)
	}
}

func TestSpecsBadPattern(t *testing.T) {
	f, err := dconf.Parse("cluster.conf", []byte("prompts: { p: { label: x, target: a.b, pattern: \"[a-\" } }\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = prompt.Specs(f)
	if err == nil || !strings.Contains(err.Error(), `cluster.conf:1:`) || !strings.Contains(err.Error(), `pattern of prompt "p" is not a valid regular expression`) {
		t.Fatalf("error %v, want a positioned pattern error", err)
	}
}

func TestCheck(t *testing.T) {
	s := specs(t, promptsConf)
	tests := []struct {
		what   string
		spec   int
		answer string
		want   string // substring of the error, "" for none
	}{
		{"empty", 2, "", `must not be empty`},
		{"long enough", 0, "0123456789", ""},
		{"too short", 0, "012345678", `at least 10 characters`},
		{"runes not bytes", 0, "ééééééééé", `at least 10 characters`},
		{"pattern ok", 1, "eu-1", ""},
		{"pattern whole answer", 1, "eu-12", `does not match the pattern "[a-z]{2}-[0-9]"`},
		{"pattern miss", 1, "EU-1", `does not match`},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			err := s[tt.spec].Check(tt.answer)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if tt.answer != "" && strings.Contains(err.Error(), tt.answer) {
				t.Errorf("error %q quotes the answer", err)
			}
		})
	}
}

func newFlow(t *testing.T, term *prompttest.Terminal) *prompt.Flow {
	return &prompt.Flow{Term: term, Ask: specs(t, promptsConf), Answers: map[string]string{}}
}

func TestFlowProceed(t *testing.T) {
	// Enter, "p" and "Proceed" all proceed.
	term := prompttest.New(dbPass, "", "eu-1", "p", apiToken, "Proceed")
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"db_password": dbPass, "region": "eu-1", "api_token": apiToken}
	if diff := cmp.Diff(want, f.Answers); diff != "" {
		t.Errorf("answers differ (-want +got):\n%s", diff)
	}
	for _, a := range []string{dbPass, apiToken} {
		if _, hidden := term.HiddenFor(a); !hidden {
			t.Errorf("secret answer read with echo")
		}
	}
	if read, hidden := term.HiddenFor("eu-1"); !read || hidden {
		t.Errorf("non-secret answer: read %v hidden %v, want read with echo", read, hidden)
	}
	out := term.Output()
	for _, w := range []string{"(1/3) Database password [db_password]", "(3/3) API token [api_token]", "Answer (hidden): ", "Answer (shown as typed): ", prompt.ChoiceQuestion} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	assertNoCanary(t, out, dbPass, apiToken, "eu-1")
}

func TestFlowBack(t *testing.T) {
	term := prompttest.New(
		dbPass, "p", // 1
		"eu-1", "b", // 2, then back
		dbPass2, "p", // 1 again, new answer
		"eu-2", "p", // 2
		apiToken, "back", // 3, back
		"eu-3", "p", // 2 again
		apiToken, "p", // 3
	)
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"db_password": dbPass2, "region": "eu-3", "api_token": apiToken}
	if diff := cmp.Diff(want, f.Answers); diff != "" {
		t.Errorf("answers differ (-want +got):\n%s", diff)
	}
	if n := strings.Count(term.Output(), "(1/3) Database password"); n != 2 {
		t.Errorf("first prompt asked %d times, want 2", n)
	}
	assertNoCanary(t, term.Output(), dbPass, dbPass2, apiToken)
}

func TestFlowBackAtFirstPrompt(t *testing.T) {
	term := prompttest.New(dbPass, "b", "p", "eu-1", "p", apiToken, "p")
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(term.Output(), "this is the first prompt") {
		t.Errorf("no explanation for Back at the first prompt:\n%s", term.Output())
	}
	if f.Answers["db_password"] != dbPass {
		t.Error("the first answer was lost")
	}
}

func TestFlowQuit(t *testing.T) {
	term := prompttest.New(dbPass, "p", "eu-1", "q", "never-read")
	saved := false
	f := newFlow(t, term)
	f.Save = func(map[string]string) error { saved = true; return nil }
	err := f.Run()
	if !errors.Is(err, prompt.ErrQuit) {
		t.Fatalf("error %v, want ErrQuit", err)
	}
	if term.Left() != 1 {
		t.Errorf("flow went on after Quit: %s", term)
	}
	if saved {
		t.Error("Quit saved the answers")
	}
}

func TestFlowExplain(t *testing.T) {
	term := prompttest.New(dbPass, "e", "explain", "p", "eu-1", "E", "p", apiToken, "p")
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	out := term.Output()
	if n := strings.Count(out, "Password of the component database superuser."); n != 2 {
		t.Errorf("help printed %d times, want 2:\n%s", n, out)
	}
	for _, w := range []string{
		"The answer is stored in Vault for the setting chef.continuum.component_database.password.",
		"Answer: read without echo; at least 10 characters.",
		"cluster.conf gives no help text for this prompt",
		`Answer: not secret, shown as typed; must match "[a-z]{2}-[0-9]".`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("explanation lacks %q:\n%s", w, out)
		}
	}
	// Explain asks the choice again instead of moving on.
	if n := strings.Count(out, prompt.ChoiceQuestion); n != 6 {
		t.Errorf("choice asked %d times, want 6", n)
	}
	assertNoCanary(t, out, dbPass, apiToken)
}

func TestFlowSave(t *testing.T) {
	term := prompttest.New(dbPass, "p", "eu-1", "s", "s", "p", apiToken, "p")
	f := newFlow(t, term)
	f.Answers["earlier"] = "from-cluster-sec"
	var saves []map[string]string
	f.Save = func(a map[string]string) error {
		if len(saves) == 0 {
			saves = append(saves, nil)
			return errors.New("the two entries differ")
		}
		c := map[string]string{}
		for k, v := range a {
			c[k] = v
		}
		saves = append(saves, c)
		return nil
	}
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	if len(saves) != 2 {
		t.Fatalf("Save called %d times, want 2", len(saves))
	}
	// The second Save holds everything known so far, the current answer
	// included; the choice is asked again after it and the flow goes on.
	want := map[string]string{"earlier": "from-cluster-sec", "db_password": dbPass, "region": "eu-1"}
	if diff := cmp.Diff(want, saves[1]); diff != "" {
		t.Errorf("saved answers differ (-want +got):\n%s", diff)
	}
	if n := strings.Count(term.Output(), prompt.ChoiceQuestion); n != 5 {
		t.Errorf("choice asked %d times, want 5 (again after each Save)", n)
	}
	if !strings.Contains(term.Output(), "not saved: the two entries differ") {
		t.Errorf("save failure not shown:\n%s", term.Output())
	}
	if f.Answers["api_token"] != apiToken {
		t.Error("the flow did not continue after Save")
	}
}

func TestFlowSaveUnavailable(t *testing.T) {
	term := prompttest.New(dbPass, "s", "p", "eu-1", "p", apiToken, "p")
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(term.Output(), "answers cannot be saved here") {
		t.Errorf("no message for Save without a place to save:\n%s", term.Output())
	}
}

func TestFlowValidation(t *testing.T) {
	term := prompttest.New(
		"short", "", dbPass, "p", // empty, then too short, then good
		"EU-1", "eu-1", "p",
		apiToken, "x", "p",
	)
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	out := term.Output()
	for _, w := range []string{
		`the answer to "db_password" must be at least 10 characters long; try again`,
		`the answer to "db_password" must not be empty; try again`,
		`the answer to "region" does not match the pattern "[a-z]{2}-[0-9]"; try again`,
		"type p, b, s, q or e",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if f.Answers["db_password"] != dbPass || f.Answers["region"] != "eu-1" {
		t.Errorf("a refused answer was kept")
	}
	assertNoCanary(t, out, "short", dbPass, apiToken)
}

func TestFlowPEM(t *testing.T) {
	pem := []string{"-----BEGIN PRIVATE KEY-----", "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49", "AwEHBG0wawIBAQQg", "-----END PRIVATE KEY-----"}
	lines := append([]string{dbPass, "p", "eu-1", "p"}, pem...)
	lines = append(lines, "p")
	term := prompttest.New(lines...)
	f := newFlow(t, term)
	if err := f.Run(); err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(pem, "\n") + "\n"; f.Answers["api_token"] != want {
		t.Errorf("PEM answer %q, want %q", f.Answers["api_token"], want)
	}
	for _, l := range pem {
		if _, hidden := term.HiddenFor(l); !hidden {
			t.Errorf("PEM line read with echo")
		}
	}
	assertNoCanary(t, term.Output(), pem[1], pem[2])
}

func TestFlowInputEnded(t *testing.T) {
	term := prompttest.New(dbPass, "p")
	err := newFlow(t, term).Run()
	if !errors.Is(err, prompt.ErrInputEnded) {
		t.Fatalf("error %v, want ErrInputEnded", err)
	}
}

func TestPassphrase(t *testing.T) {
	tests := []struct {
		what    string
		lines   []string
		confirm bool
		want    string
		wantErr error
		wantOut []string
	}{
		{"once", []string{"canary-pass-1"}, false, "canary-pass-1", nil, nil},
		{"too short then good", []string{"short", "canary-pass-1"}, false, "canary-pass-1", nil, []string{"the cluster passphrase must be at least 8 characters long"}},
		{"confirmed", []string{"canary-pass-1", "canary-pass-1"}, true, "canary-pass-1", nil, []string{"Confirm cluster passphrase: "}},
		{"mismatch then match", []string{"canary-pass-1", "canary-pass-2", "canary-pass-3", "canary-pass-3"}, true, "canary-pass-3", nil, []string{"the two entries differ; try again"}},
		{"three mismatches", []string{"canary-pass-1", "x-canary-1", "canary-pass-1", "x-canary-1", "canary-pass-1", "x-canary-1"}, true, "", prompt.ErrTooManyAttempts, nil},
		{"input ends", []string{"canary-pass-1"}, true, "", prompt.ErrInputEnded, nil},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			term := prompttest.New(tt.lines...)
			got, err := prompt.Passphrase(term, prompt.PassphraseRequest{Label: "cluster passphrase", MinLength: 8, Confirm: tt.confirm})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("passphrase %q, want %q", got, tt.want)
			}
			out := term.Output()
			if !strings.HasPrefix(out, "Cluster passphrase: ") {
				t.Errorf("output does not start with the question:\n%s", out)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, r := range term.Reads() {
				if !r.Hidden {
					t.Errorf("a passphrase was read with echo")
				}
			}
			assertNoCanary(t, out, "canary-pass-1", "canary-pass-2", "canary-pass-3", "short")
		})
	}
}

func TestConfirmUnreachable(t *testing.T) {
	tests := []struct {
		lines []string
		want  bool
		err   error
	}{
		{[]string{"y"}, true, nil},
		{[]string{"YES"}, true, nil},
		{[]string{"n"}, false, nil},
		{[]string{"maybe", "no"}, false, nil},
		{[]string{"a", "b", "c", "y"}, false, prompt.ErrTooManyAttempts},
		{nil, false, prompt.ErrInputEnded},
	}
	for _, tt := range tests {
		term := prompttest.New(tt.lines...)
		got, err := prompt.ConfirmUnreachable(term)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("%q: got %v, %v; want %v, %v", tt.lines, got, err, tt.want, tt.err)
		}
		want := "Failed to connect to Secret Store; Continuing might lead to a failed deploy and you might be prompted for secrets again. Do you wish to continue? [y/n]: "
		if !strings.HasPrefix(term.Output(), want) {
			t.Errorf("question %q, want %q", term.Output(), want)
		}
	}
}

func TestParseChoice(t *testing.T) {
	for in, want := range map[string]prompt.Choice{
		"": prompt.Proceed, " P ": prompt.Proceed, "proceed": prompt.Proceed, "B": prompt.Back, "back": prompt.Back,
		"s": prompt.Save, "SAVE": prompt.Save, "q": prompt.Quit, "Quit": prompt.Quit, "e": prompt.Explain, "explain": prompt.Explain,
	} {
		if got, ok := prompt.ParseChoice(in); !ok || got != want {
			t.Errorf("ParseChoice(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"x", "pr", "yes", "qq"} {
		if _, ok := prompt.ParseChoice(in); ok {
			t.Errorf("ParseChoice(%q) accepted", in)
		}
	}
}
