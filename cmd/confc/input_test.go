package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/prompt"
	"github.com/confc/confc/internal/prompt/prompttest"
	"github.com/confc/confc/internal/secfile"
)

const inputConf = `
prompts: {
  ldap_password: {
    label: "LDAP search password"
    help: "Password of the LDAP search account."
    target: "chef.continuum.auth_server.identity.ldap_basic.search_passwd"
    min_length: 8
  }
  client_id: {
    label: "Client ID"
    target: "chef.continuum.auth_server.identity.google.client_id"
    secret: false
    pattern: "[0-9]+[.]apps"
  }
  s3_key: {
    label: "S3 secret key"
    target: "chef.continuum.package_manager.s3_store.secret_key"
  }
}
`

// Canaries: none may appear in any output.
const (
	cPass       = "canary-cluster-pass-4b1e"
	cConfigPass = "canary-config-pass-a8d0"
	cLDAP       = "canary-ldap-answer-93c2"
	cS3         = "canary-s3-answer-57fd"
	cClientID   = "123456.apps"
)

var allCanaries = []string{cPass, cConfigPass, cLDAP, cS3, cClientID}

// inputCase is one resolution in a temporary directory holding
// cluster.conf.
type inputCase struct {
	t      *testing.T
	dir    string
	config string
	file   *dconf.File
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func newInputCase(t *testing.T) *inputCase {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "cluster.conf")
	if err := os.WriteFile(config, []byte(inputConf), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := dconf.Parse(config, []byte(inputConf))
	if err != nil {
		t.Fatal(err)
	}
	return &inputCase{t: t, dir: dir, config: config, file: f}
}

func (c *inputCase) resolve(flags SecretFlags, stdin string, term prompt.Terminal, probe func(context.Context) (apply.VaultProbe, error)) (*resolvedSecrets, error) {
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &c.stdout, Stderr: &c.stderr}
	return resolveSecrets(context.Background(), env, &flags, term, secretNeeds{
		Config: c.config, File: c.file, Prompts: []string{"client_id", "ldap_password", "s3_key"}, Probe: probe,
	})
}

// assertNoLeak searches every output of the case, and the terminal's.
func (c *inputCase) assertNoLeak(term *prompttest.Terminal, err error) {
	c.t.Helper()
	outs := map[string]string{"stdout": c.stdout.String(), "stderr": c.stderr.String()}
	if term != nil {
		outs["terminal"] = term.Output()
	}
	if err != nil {
		outs["error"] = err.Error()
	}
	for name, out := range outs {
		for _, canary := range allCanaries {
			if strings.Contains(out, canary) {
				c.t.Errorf("%s holds a secret (%.12s...):\n%s", name, canary, out)
			}
		}
	}
}

func (c *inputCase) secPath() string { return filepath.Join(c.dir, secfile.Name) }

func initialized(context.Context) (apply.VaultProbe, error) {
	return apply.VaultProbe{Reachable: 1, Initialized: true}, nil
}

func uninitialized(context.Context) (apply.VaultProbe, error) {
	return apply.VaultProbe{Reachable: 1}, nil
}

func unreachable(context.Context) (apply.VaultProbe, error) { return apply.VaultProbe{}, nil }

func ptr[T any](v T) *T { return &v }

func TestResolveFromInputJSON(t *testing.T) {
	c := newInputCase(t)
	doc := `{"clusterPassphrase": "` + cPass + `", "prompts": {"ldap_password": "` + cLDAP + `", "client_id": "` + cClientID + `", "s3_key": "` + cS3 + `", "unused": "x"}}`
	got, err := c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &resolvedSecrets{Passphrase: cPass, Answers: apply.StaticAnswers{"ldap_password": cLDAP, "client_id": cClientID, "s3_key": cS3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resolved differ (-want +got):\n%s", diff)
	}
	c.assertNoLeak(nil, err)
}

func TestResolvePassphraseSources(t *testing.T) {
	answers := `"prompts": {"ldap_password": "` + cLDAP + `", "client_id": "` + cClientID + `", "s3_key": "` + cS3 + `"}`
	tests := []struct {
		what     string
		flags    SecretFlags
		stdin    string
		want     string // passphrase
		wantErr  string
		wantWarn bool
	}{
		{"nopass", SecretFlags{NoPass: ptr(true), InputJSON: true}, `{` + answers + `}`, apply.DefaultPassphrase, "", true},
		{"json wins over nopass", SecretFlags{NoPass: ptr(true), InputJSON: true}, `{"clusterPassphrase": "` + cPass + `", ` + answers + `}`, cPass, "", false},
		{"non-interactive implies nopass", SecretFlags{NonInteractive: true, InputJSON: true}, `{` + answers + `}`, apply.DefaultPassphrase, "", true},
		{"non-interactive nopass=false needs json", SecretFlags{NonInteractive: true, NoPass: ptr(false), InputJSON: true}, `{` + answers + `}`, "", `--non-interactive with --nopass=false needs "clusterPassphrase" in the --input-json document`, false},
		{"non-interactive nopass=false with json", SecretFlags{NonInteractive: true, NoPass: ptr(false), InputJSON: true}, `{"clusterPassphrase": "` + cPass + `", ` + answers + `}`, cPass, "", false},
		{"json without passphrase", SecretFlags{InputJSON: true}, `{` + answers + `}`, "", `the --input-json document has no "clusterPassphrase"; add it, or use --nopass`, false},
		{"no terminal", SecretFlags{}, ``, "", `stdin is not a terminal, so it cannot be asked for; give it as "clusterPassphrase" with --input-json, or use --nopass`, false},
		{"short", SecretFlags{InputJSON: true}, `{"clusterPassphrase": "seven77"}`, "", "the cluster passphrase must be at least 8 characters long", false},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			c := newInputCase(t)
			probed := false
			probe := func(context.Context) (apply.VaultProbe, error) { probed = true; return apply.VaultProbe{}, nil }
			got, err := c.resolve(tt.flags, tt.stdin, nil, probe)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if got.Passphrase != tt.want {
				t.Errorf("passphrase %q, want %q", got.Passphrase, tt.want)
			}
			if warned := strings.Contains(c.stderr.String(), "warning: --nopass uses the documented default cluster passphrase"); warned != tt.wantWarn {
				t.Errorf("warning printed %v, want %v; stderr:\n%s", warned, tt.wantWarn, c.stderr.String())
			}
			if probed {
				t.Error("Vault was probed without a terminal")
			}
			c.assertNoLeak(nil, err)
		})
	}
}

func TestResolveChecksAnswersFromJSON(t *testing.T) {
	c := newInputCase(t)
	doc := `{"clusterPassphrase": "` + cPass + `", "prompts": {"ldap_password": "short", "client_id": "` + cClientID + `", "s3_key": "` + cS3 + `"}}`
	_, err := c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil)
	if err == nil || !strings.Contains(err.Error(), `--input-json: the answer to "ldap_password" must be at least 8 characters long`) {
		t.Fatalf("error %v, want a min_length refusal", err)
	}
	if strings.Contains(err.Error(), "short") {
		t.Errorf("error quotes the answer: %v", err)
	}
}

func TestResolveInteractiveAndResume(t *testing.T) {
	// First run: Vault is new, so the passphrase is typed twice; two
	// answers are given, then Save asks for a config passphrase (twice)
	// and the run quits before the third.
	c := newInputCase(t)
	term := prompttest.New(
		cPass, cPass,
		cLDAP, "p",
		cClientID, "s", cConfigPass, cConfigPass,
		"q",
	)
	_, err := c.resolve(SecretFlags{}, "", term, uninitialized)
	if !errors.Is(err, prompt.ErrQuit) {
		t.Fatalf("error %v, want ErrQuit", err)
	}
	if term.Left() != 0 {
		t.Fatalf("script not used up: %s\n%s", term, term.Output())
	}
	out := term.Output()
	for _, w := range []string{
		"Confirm cluster passphrase: ",
		"Vault is not initialized",
		"3 secret prompts to answer",
		"(1/3) LDAP search password [ldap_password]",
		"(2/3) Client ID [client_id]",
		"Confirm config passphrase: ",
		"saved 2 answers to " + c.secPath(),
	} {
		if !strings.Contains(out, w) {
			t.Errorf("terminal lacks %q:\n%s", w, out)
		}
	}
	// Answers come in the order of cluster.conf, not in the plan's
	// (sorted) order.
	if strings.Index(out, "[client_id]") < strings.Index(out, "[ldap_password]") {
		t.Error("prompts not asked in cluster.conf order")
	}
	for _, r := range term.Reads() {
		if r.Line != cClientID && len(r.Line) > 1 && !r.Hidden {
			t.Errorf("a secret was read with echo")
		}
	}
	if read, hidden := term.HiddenFor(cClientID); !read || hidden {
		t.Error("the non-secret answer was not read with echo")
	}
	c.assertNoLeak(term, err)
	mode, err := secfile.Mode(c.secPath())
	if err != nil {
		t.Fatal(err)
	}
	if mode != 0o600 {
		t.Errorf("cluster.sec mode %v, want 0600", mode)
	}

	// Second run on the terminal: the config passphrase (a wrong one
	// first) opens cluster.sec and only s3_key is asked.
	c.stderr.Reset()
	term = prompttest.New(cPass, "wrong-config-pass", cConfigPass, cS3, "p")
	got, err := c.resolve(SecretFlags{}, "", term, initialized)
	if err != nil {
		t.Fatalf("%v\n%s", err, term.Output())
	}
	want := apply.StaticAnswers{"ldap_password": cLDAP, "client_id": cClientID, "s3_key": cS3}
	if diff := cmp.Diff(want, got.Answers); diff != "" {
		t.Errorf("answers differ (-want +got):\n%s", diff)
	}
	out = term.Output()
	if strings.Contains(out, "Confirm cluster passphrase") {
		t.Error("passphrase confirmed although Vault is initialized")
	}
	for _, w := range []string{"wrong config passphrase; try again", "1 secret prompt to answer", "(1/1) S3 secret key [s3_key]"} {
		if !strings.Contains(out, w) {
			t.Errorf("terminal lacks %q:\n%s", w, out)
		}
	}
	c.assertNoLeak(term, nil)

	// Third run, non-interactive: --input-json with the config passphrase
	// reads cluster.sec; s3_key was never saved, so it comes from the
	// document.
	c.stderr.Reset()
	doc := `{"clusterPassphrase": "` + cPass + `", "configPassphrase": "` + cConfigPass + `", "prompts": {"s3_key": "` + cS3 + `"}}`
	got, err = c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Answers); diff != "" {
		t.Errorf("answers differ (-want +got):\n%s", diff)
	}
	c.assertNoLeak(nil, nil)

	// Without the config passphrase, the missing answers are named and
	// the way to read cluster.sec is given.
	doc = `{"clusterPassphrase": "` + cPass + `"}`
	_, err = c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "no answer for 3 prompts: client_id, ldap_password, s3_key") || !strings.Contains(err.Error(), `give its "configPassphrase"`) {
		t.Errorf("error %v, want the missing prompts and a hint about cluster.sec", err)
	}

	// A wrong config passphrase in the document is a clear error.
	doc = `{"clusterPassphrase": "` + cPass + `", "configPassphrase": "not-the-config-pass"}`
	_, err = c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "cluster.sec: wrong config passphrase") {
		t.Errorf("error %v, want a wrong config passphrase", err)
	}
	c.assertNoLeak(nil, err)
}

func TestResolveWrongConfigPassphraseOnTerminal(t *testing.T) {
	c := newInputCase(t)
	if err := secfile.Write(c.secPath(), map[string]string{"ldap_password": cLDAP}, cConfigPass); err != nil {
		t.Fatal(err)
	}
	term := prompttest.New(cPass, "wrong-1-pass", "wrong-2-pass", "wrong-3-pass", "never-read")
	_, err := c.resolve(SecretFlags{}, "", term, initialized)
	if err == nil || !strings.Contains(err.Error(), "cluster.sec: wrong config passphrase") {
		t.Fatalf("error %v, want a wrong config passphrase", err)
	}
	if term.Left() != 1 {
		t.Errorf("asked %s, want three attempts", term)
	}
}

func TestResolveUnreachableVault(t *testing.T) {
	c := newInputCase(t)
	term := prompttest.New(cPass, "n")
	_, err := c.resolve(SecretFlags{}, "", term, unreachable)
	if err == nil || !strings.Contains(err.Error(), "the secret store cannot be reached") {
		t.Fatalf("error %v, want a stop", err)
	}
	if !strings.Contains(term.Output(), prompt.UnreachableQuestion) {
		t.Errorf("question not asked:\n%s", term.Output())
	}

	// Going on: the answers are asked; the passphrase is not confirmed,
	// since nothing is known about Vault.
	c = newInputCase(t)
	term = prompttest.New(cPass, "y", cLDAP, "", cClientID, "", cS3, "")
	got, err := c.resolve(SecretFlags{}, "", term, unreachable)
	if err != nil {
		t.Fatalf("%v\n%s", err, term.Output())
	}
	if got.Answers["s3_key"] != cS3 {
		t.Error("answers not asked after continuing")
	}
	c.assertNoLeak(term, nil)
}

func TestResolveWarnsAboutLooseMode(t *testing.T) {
	c := newInputCase(t)
	if err := secfile.Write(c.secPath(), map[string]string{"ldap_password": cLDAP, "client_id": cClientID, "s3_key": cS3}, cConfigPass); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.secPath(), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `{"clusterPassphrase": "` + cPass + `", "configPassphrase": "` + cConfigPass + `"}`
	if _, err := c.resolve(SecretFlags{InputJSON: true}, doc, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.stderr.String(), "is readable by others (mode 0644); run chmod 600 on it") {
		t.Errorf("no warning about the mode:\n%s", c.stderr.String())
	}
}
