package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/confc/confc/internal/servertest"
)

// TestApplyCommand drives confc apply, plan --refresh and lock status
// in-process against real servers: the first apply creates, the second
// changes nothing (--detailed-exitcode 0), the refreshed plan is all
// no-ops, and no secret reaches any output, the debug log included.
func TestApplyCommand(t *testing.T) {
	c := servertest.StartConsul(t)
	v := servertest.StartVault(t, c, servertest.VaultOptions{})
	const conf = "../../testdata/cluster-conf/production.conf"
	pass := servertest.Canary("passphrase")
	prompts := map[string]string{}
	for _, n := range []string{"google_client_id", "google_client_secret", "google_web_client_id", "ldap_search_password", "router_tls_key", "s3_secret_key"} {
		prompts[n] = servertest.Canary(n)
	}
	input, _ := json.Marshal(map[string]any{"clusterPassphrase": pass, "prompts": prompts})
	conn := []string{"--vault-addr", v.Addr, "--consul-addr", c.Addr, "--consul-token", c.Token, "--input-json"}
	outputs := map[string][]byte{}
	confc := func(label string, args ...string) (int, string, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := run(append(args, conn...), bytes.NewReader(input), &stdout, &stderr)
		outputs[label+" stdout"] = stdout.Bytes()
		outputs[label+" stderr"] = stderr.Bytes()
		return code, stdout.String(), stderr.String()
	}

	code, out, errOut := confc("first apply", "--log-level", "debug", "apply", "-c", conf, "--detailed-exitcode")
	if code != 2 {
		t.Fatalf("first apply: exit %d, want 2 (changes)\n%s\n%s", code, out, errOut)
	}
	wantLog(t, "first apply", errOut,
		`level=DEBUG msg="vault servers" addrs=\[`+regexp.QuoteMeta(v.Addr)+`\] derived=false`,
		`level=DEBUG msg="consul server" addr=`+regexp.QuoteMeta(c.Addr)+` derived=false`,
		`level=DEBUG msg="lock taken" holder=".+@.+ \(pid \d+\) since .+, plan sha256:`,
		`level=DEBUG msg="running steps" steps=118`,
		`level=DEBUG msg=step index=1 total=118 step=vault\.mount:cluster kind=vault\.mount target=\S+ result=created ms=`,
		`level=DEBUG msg="lock released"`,
		`level=DEBUG msg=journal state=fresh skipped=0`,
		`level=INFO msg="apply finished" complete=true ok=true created=118 updated=0 unchanged=0 failed=0 skipped=0 resumed=false`)
	if !regexp.MustCompile(`(?m)^\[1/118\] created   vault.mount:cluster$`).MatchString(out) ||
		!strings.Contains(out, "apply complete: 118 created, 0 updated, 0 unchanged, 0 failed") {
		t.Errorf("first apply output:\n%s", out)
	}

	code, out, errOut = confc("second apply", "apply", "-c", conf, "--detailed-exitcode", "--json", "--log-level", "debug", "--log-format", "json")
	if code != 0 {
		t.Fatalf("second apply: exit %d, want 0 (no change)\n%s", code, errOut)
	}
	wantLog(t, "second apply", errOut, `"msg":"step",.*"result":"unchanged"`, `"msg":"apply finished",.*"unchanged":118`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var done struct {
		Type    string
		Summary struct{ Unchanged int }
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &done); err != nil || done.Type != "done" || done.Summary.Unchanged != 118 {
		t.Errorf("last JSON event %q (%v)", lines[len(lines)-1], err)
	}

	code, out, errOut = confc("refresh", "--log-level", "debug", "plan", "--refresh", "--detailed-exitcode", conf)
	if code != 0 {
		t.Fatalf("plan --refresh: exit %d, want 0\n%s\n%s", code, out, errOut)
	}
	wantLog(t, "refresh", errOut, `level=DEBUG msg="plan refreshed" file=\S+ steps=118 create=0 update=0 noop=118 unknown=0 ms=`)
	if n := strings.Count(out, "\n  = "); n != 118 {
		t.Errorf("plan --refresh shows %d no-op steps, want 118:\n%s", n, out)
	}

	var stdout, stderr bytes.Buffer
	code = run([]string{"--log-level", "debug", "lock", "status", "-c", conf, "--consul-addr", c.Addr, "--consul-token", c.Token}, nil, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "lock confc/prod-east/lock is free") {
		t.Errorf("lock status: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	wantLog(t, "lock status", stderr.String(), `level=DEBUG msg="lock read" key=confc/prod-east/lock held=false`)
	outputs["lock status stdout"], outputs["lock status stderr"] = stdout.Bytes(), stderr.Bytes()

	// A wrong passphrase: the operators' message and exit 1.
	input, _ = json.Marshal(map[string]any{"clusterPassphrase": "wrong-passphrase", "prompts": prompts})
	code, _, errOut = confc("wrong passphrase", "--log-level", "debug", "apply", "-c", conf)
	want := "Unable to login to secret store; this may result in deploy failure later. Error: invalid credentials"
	if code != 1 || !strings.Contains(errOut, want) {
		t.Errorf("wrong passphrase: exit %d, stderr %q", code, errOut)
	}

	wantLog(t, "wrong passphrase", errOut, `level=INFO msg="apply finished" complete=false ok=false created=0`)

	secrets := []string{pass, c.Token}
	for _, a := range prompts {
		secrets = append(secrets, a)
	}
	outputs["consul kv"] = servertest.DumpConsulKV(t, c)
	servertest.AssertNoSecret(t, outputs, secrets...)
}

// wantLog fails the test for each pattern that matches no line of the log.
func wantLog(t *testing.T, label, log string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(log) {
			t.Errorf("%s: no log line matches %s in:\n%s", label, p, log)
		}
	}
}
