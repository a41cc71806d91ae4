//go:build linux

package main

import (
	"github.com/confc/confc/internal/testbin"

	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/confc/confc/internal/prompt"
	"github.com/confc/confc/internal/secfile"
)

// These tests run the built confc binary on a pseudo-terminal, as an
// operator would: what the terminal shows is everything confc wrote plus
// what the terminal echoed of the typing. A secret answer must not be in
// it; a non-secret one must be (which shows the check would catch echo).

// confcBinary returns the confc binary the tests drive.
func confcBinary(t *testing.T) string {
	t.Helper()
	return testbin.Confc(t)
}

// session is confc running on a pseudo-terminal.
type session struct {
	t      *testing.T
	ptmx   *os.File // the operator's side
	tty    *os.File // confc's side, kept open to read its mode afterwards
	cmd    *exec.Cmd
	mu     sync.Mutex
	screen bytes.Buffer
	done   chan error
	masks  []string
}

// startSession runs confc with args in dir on a new terminal. masks are the
// secrets hidden from failure messages.
func startSession(t *testing.T, dir string, masks []string, args ...string) *session {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: 250}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(confcBinary(t), args...)
	cmd.Dir = dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	cmd.Env = append(cleanEnv(), "NO_COLOR=1", "TERM=xterm")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, ptmx: ptmx, tty: tty, cmd: cmd, done: make(chan error, 1), masks: masks}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			s.mu.Lock()
			s.screen.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
		_ = tty.Close()
	})
	return s
}

// cleanEnv drops the variables that would point confc at real servers.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "VAULT_") || strings.HasPrefix(kv, "CONSUL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// text returns the screen so far, with masked secrets replaced.
func (s *session) text() string {
	s.mu.Lock()
	out := s.screen.String()
	s.mu.Unlock()
	for _, m := range s.masks {
		out = strings.ReplaceAll(out, m, "<SECRET>")
	}
	return out
}

func (s *session) raw() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.screen.String()
}

// expect waits until the screen, after from, shows want, and returns the
// offset just after it.
func (s *session) expect(from int, want string) int {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out := s.raw()
		if from <= len(out) {
			if i := strings.Index(out[from:], want); i >= 0 {
				return from + i + len(want)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the terminal never showed %q; it shows:\n%s", want, s.text())
	return 0
}

// typeLine types line and Enter, as an operator would.
func (s *session) typeLine(line string) {
	s.t.Helper()
	// A short pause lets confc switch echo off before the keys arrive,
	// as it has when a person types.
	time.Sleep(50 * time.Millisecond)
	if _, err := io.WriteString(s.ptmx, line+"\r"); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits for confc to end and returns its exit code (-1 when killed by
// a signal).
func (s *session) wait() int {
	s.t.Helper()
	select {
	case err := <-s.done:
		// Let the reader collect the last output.
		time.Sleep(100 * time.Millisecond)
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatal(err)
		}
		return 0
	case <-time.After(60 * time.Second):
		s.t.Fatalf("confc did not end; the terminal shows:\n%s", s.text())
		return 0
	}
}

// echoOn reports whether confc's terminal echoes input.
func (s *session) echoOn() bool {
	s.t.Helper()
	tio, err := unix.IoctlGetTermios(int(s.tty.Fd()), unix.TCGETS)
	if err != nil {
		s.t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

const (
	ptyPass      = "canary-pty-cluster-pass-61d2"
	ptyConfig    = "canary-pty-config-pass-0b7e"
	ptyLDAP      = "canary-pty-ldap-answer-c4a9"
	ptyShort     = "canary-9ch"
	ptyS3        = "canary-pty-s3-answer-f38e"
	ptyClientID  = "4711.apps.example"
	ptyClientBad = "not-a-client-id"
)

func ptyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	conf, err := os.ReadFile("testdata/pty/cluster.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cluster.conf"), conf, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// applyArgs point confc at a closed port, so Vault cannot be reached.
var applyArgs = []string{"apply", "-c", "cluster.conf", "--vault-addr", "http://127.0.0.1:1", "--consul-addr", "http://127.0.0.1:1"}

func TestTerminalPromptsSaveAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs confc on a terminal")
	}
	dir := ptyDir(t)
	secrets := []string{ptyPass, ptyConfig, ptyLDAP, ptyShort, ptyS3}

	// First run: answer two prompts (one refused first for each check),
	// save, quit.
	s := startSession(t, dir, secrets, applyArgs...)
	at := s.expect(0, "Cluster passphrase: ")
	s.typeLine(ptyPass)
	at = s.expect(at, prompt.UnreachableQuestion)
	s.typeLine("y")
	at = s.expect(at, "3 secret prompts to answer")
	at = s.expect(at, "(1/3) Google client ID [google_client_id]")
	at = s.expect(at, "Answer (shown as typed): ")
	s.typeLine(ptyClientBad)
	at = s.expect(at, `does not match the pattern "[0-9]+[.]apps[.]example"; try again`)
	s.typeLine(ptyClientID)
	at = s.expect(at, prompt.ChoiceQuestion)
	s.typeLine("e")
	at = s.expect(at, "OAuth client ID of the Google sign-in.")
	at = s.expect(at, prompt.ChoiceQuestion)
	s.typeLine("p")
	at = s.expect(at, "(2/3) LDAP search password [ldap_password]")
	at = s.expect(at, "Answer (hidden): ")
	s.typeLine(ptyShort)
	at = s.expect(at, "must be at least 12 characters long; try again")
	s.typeLine(ptyLDAP)
	at = s.expect(at, prompt.ChoiceQuestion)
	s.typeLine("s")
	at = s.expect(at, "Config passphrase: ")
	s.typeLine(ptyConfig)
	at = s.expect(at, "Confirm config passphrase: ")
	s.typeLine(ptyConfig)
	at = s.expect(at, "saved 2 answers to cluster.sec")
	at = s.expect(at, prompt.ChoiceQuestion)
	s.typeLine("q")
	s.expect(at, "quit: nothing was changed")
	if code := s.wait(); code != 1 {
		t.Errorf("exit code %d after Quit, want 1", code)
	}
	screen := s.raw()
	assertHidden(t, screen, s.text(), secrets)
	// The check above can fail: an echoed answer is on the screen.
	for _, shown := range []string{ptyClientID, ptyClientBad} {
		if !strings.Contains(screen, shown) {
			t.Errorf("the non-secret answer %q was not echoed:\n%s", shown, s.text())
		}
	}
	mode, err := secfile.Mode(filepath.Join(dir, "cluster.sec"))
	if err != nil {
		t.Fatal(err)
	}
	if mode != 0o600 {
		t.Errorf("cluster.sec mode %v, want 0600", mode)
	}

	// Second run: cluster.sec gives two answers, only the third is asked;
	// the apply then stops at the unreachable Vault.
	s = startSession(t, dir, secrets, applyArgs...)
	at = s.expect(0, "Cluster passphrase: ")
	s.typeLine(ptyPass)
	at = s.expect(at, prompt.UnreachableQuestion)
	s.typeLine("y")
	at = s.expect(at, "Config passphrase for cluster.sec: ")
	s.typeLine(ptyConfig)
	at = s.expect(at, "1 secret prompt to answer")
	at = s.expect(at, "(1/1) S3 secret key [s3_key]")
	at = s.expect(at, "Answer (hidden): ")
	s.typeLine(ptyS3)
	at = s.expect(at, prompt.ChoiceQuestion)
	s.typeLine("")
	s.expect(at, "no vault server could be reached")
	if code := s.wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	assertHidden(t, s.raw(), s.text(), secrets)
	if strings.Contains(s.raw(), "(1/3)") || strings.Contains(s.raw(), "Google client ID") {
		t.Errorf("a saved answer was asked again:\n%s", s.text())
	}
}

func TestTerminalUnreachableNo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs confc on a terminal")
	}
	dir := ptyDir(t)
	s := startSession(t, dir, []string{ptyPass}, applyArgs...)
	at := s.expect(0, "Cluster passphrase: ")
	s.typeLine(ptyPass)
	at = s.expect(at, prompt.UnreachableQuestion)
	s.typeLine("n")
	s.expect(at, "stopped: the secret store cannot be reached; nothing was changed")
	if code := s.wait(); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	assertHidden(t, s.raw(), s.text(), []string{ptyPass})
}

func TestTerminalInterruptRestoresEcho(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs confc on a terminal")
	}
	dir := ptyDir(t)
	s := startSession(t, dir, []string{ptyPass}, applyArgs...)
	s.expect(0, "Cluster passphrase: ")
	time.Sleep(100 * time.Millisecond)
	if s.echoOn() {
		t.Fatal("echo is on while the passphrase is asked")
	}
	// Half a passphrase, then Ctrl-C.
	if _, err := io.WriteString(s.ptmx, ptyPass[:12]+"\x03"); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(); code != -1 {
		t.Errorf("exit code %d, want death by SIGINT (-1)", code)
	}
	if !s.echoOn() {
		t.Error("the terminal was left without echo after an interrupt")
	}
	assertHidden(t, s.raw(), s.text(), []string{ptyPass[:12]})
}

// assertHidden fails when a secret is on the screen.
func assertHidden(t *testing.T, screen, masked string, secrets []string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(screen, sec) {
			t.Errorf("a secret is on the screen:\n%s", masked)
		}
	}
}
