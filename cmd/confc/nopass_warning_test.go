package main

import (
	"bytes"
	"strings"
	"testing"
)

// The default passphrase taken because --non-interactive implies --nopass
// is announced as such, with the flag that refuses it; an explicit --nopass
// gets only the usual warning.
func TestNonInteractiveNopassWarning(t *testing.T) {
	implied := "--non-interactive implies --nopass"
	for _, c := range []struct {
		what  string
		flags SecretFlags
		want  bool
	}{
		{"implied", SecretFlags{NonInteractive: true}, true},
		{"explicit", SecretFlags{NonInteractive: true, NoPass: ptr(true)}, false},
	} {
		var stderr bytes.Buffer
		env := &Env{Stdin: strings.NewReader(""), Stderr: &stderr}
		if _, err := beginSecrets(env, &c.flags, nil); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		out := stderr.String()
		if got := strings.Contains(out, implied) && strings.Contains(out, "--nopass=false"); got != c.want {
			t.Errorf("%s: implied warning shown %v, want %v; stderr:\n%s", c.what, got, c.want, out)
		}
		if !strings.Contains(out, "warning: --nopass uses the documented default cluster passphrase") {
			t.Errorf("%s: the default passphrase warning is missing; stderr:\n%s", c.what, out)
		}
	}
}
