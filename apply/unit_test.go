package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
)

// countingListener accepts and counts connections, to prove that nothing
// was contacted.
func countingListener(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String(), &n
}

func TestRefusedBeforeContact(t *testing.T) {
	_, plan := compileFile(t, productionConf, nil)
	addr, contacts := countingListener(t)
	all := StaticAnswers{}
	for _, n := range PromptsUsed(plan) {
		all[n] = "answer-" + n
	}
	for _, c := range []struct {
		what    string
		pass    string
		answers Answers
		want    string
	}{
		{"short passphrase", "seven77", all, "at least 8 characters"},
		{"empty passphrase", "", all, "at least 8 characters"},
		{"missing answers", "long enough", StaticAnswers{"s3_secret_key": "x"},
			"no answer for 5 prompts: google_client_id, google_client_secret, google_web_client_id, ldap_search_password, router_tls_key"},
		{"no answers", "long enough", nil, "no answer for 6 prompts"},
	} {
		t.Run(c.what, func(t *testing.T) {
			_, err := Apply(context.Background(), Options{
				Plan: plan, Passphrase: c.pass, Answers: c.answers,
				Conn: Conn{VaultAddrs: []string{addr}, ConsulAddr: addr},
			})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	t.Run("refresh with a short passphrase", func(t *testing.T) {
		err := Refresh(context.Background(), Options{Plan: plan, Passphrase: "short",
			Conn: Conn{VaultAddrs: []string{addr}, ConsulAddr: addr}})
		if err == nil || !strings.Contains(err.Error(), "at least 8") {
			t.Errorf("error %v", err)
		}
	})
	if n := contacts.Load(); n != 0 {
		t.Errorf("%d connections to the servers, want none", n)
	}
}

func TestBundle(t *testing.T) {
	b := &UnsealBundle{Version: 1, Shares: 2, Threshold: 2, Keys: []string{"a2V5LW9uZS1zZWNyZXQtdmFsdWU=", "a2V5LXR3by1zZWNyZXQtdmFsdWU="}}
	ct, err := sealBundle(b, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(ct, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) {
		t.Errorf("bundle is not armored age: %.40q", ct)
	}
	for _, k := range b.Keys {
		if bytes.Contains(ct, []byte(k)) {
			t.Error("a key is visible in the ciphertext")
		}
	}
	got, err := OpenBundle(ct, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Keys, ",") != strings.Join(b.Keys, ",") || got.Threshold != 2 {
		t.Errorf("round trip: %+v", got)
	}
	_, err = OpenBundle(ct, "wrong horse battery")
	if !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("wrong passphrase: %v, want ErrInvalidCredentials", err)
	}
	if _, err := OpenBundle([]byte("not age"), "correct horse battery"); err == nil {
		t.Error("garbage opened")
	}
}

func TestDecodeRoot(t *testing.T) {
	token, otp := "hvs.AAAAtokenvalue123456789012", "abcdefghijklmnopqrstuvwxyz0123"[:len("hvs.AAAAtokenvalue123456789012")]
	x := make([]byte, len(token))
	for i := range x {
		x[i] = token[i] ^ otp[i]
	}
	for _, enc := range []string{
		strings.TrimRight(b64(x), "="), // how Vault sends it
		b64(x),
	} {
		got, err := decodeRoot(enc, otp)
		if err != nil || got != token {
			t.Errorf("decodeRoot(%q) = %q, %v", enc, got, err)
		}
	}
	if _, err := decodeRoot(b64(x[:5]), otp); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestGenerators(t *testing.T) {
	for _, g := range []string{compiler.GeneratorECP256, compiler.GeneratorAES256, compiler.GeneratorPassword32} {
		a, err := generate(g)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := generate(g)
		if a == b {
			t.Errorf("%s made the same value twice", g)
		}
		checkGenerated(t, g, g, a)
	}
	if _, err := generate("rot13"); err == nil {
		t.Error("unknown generator accepted")
	}
}

func TestClassify(t *testing.T) {
	req := request{service: "vault", path: "cluster/data/x", capability: "update"}
	for _, c := range []struct {
		what  string
		err   error
		class class
		check func(error) bool
	}{
		{"403", &vaultapi.ResponseError{StatusCode: 403, Errors: []string{"permission denied"}}, classFinal,
			func(e error) bool {
				var pe *PermissionError
				return errors.As(e, &pe) && strings.Contains(e.Error(), `"cluster/data/x" needs the "update" capability`)
			}},
		{"sealed", &vaultapi.ResponseError{StatusCode: 503, Errors: []string{"Vault is sealed"}}, classFinal,
			func(e error) bool { return errors.Is(e, ErrSealed) }},
		{"cas", &vaultapi.ResponseError{StatusCode: 400, Errors: []string{"check-and-set parameter did not match the current version"}}, classFinal,
			func(e error) bool { var ce *ConflictError; return errors.As(e, &ce) && ce.Path == "cluster/data/x" }},
		{"400", &vaultapi.ResponseError{StatusCode: 400, Errors: []string{"bad"}}, classFinal,
			func(e error) bool { var re *RequestError; return errors.As(e, &re) && re.Status == 400 }},
		{"500", &vaultapi.ResponseError{StatusCode: 500}, classRetry, nil},
		{"429", &vaultapi.ResponseError{StatusCode: 429}, classRetry, nil},
		{"standby without leader", &vaultapi.ResponseError{StatusCode: 503, Errors: []string{"local node not active"}}, classRetry, nil},
		{"consul 403", consulapi.StatusError{Code: 403, Body: "Permission denied"}, classFinal,
			func(e error) bool { var pe *PermissionError; return errors.As(e, &pe) }},
		{"consul 500 untyped", fmt.Errorf("Unexpected response code: 500 (rpc error)"), classRetry, nil},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), classReconnect, nil},
		{"canceled", context.Canceled, classFinal, func(e error) bool { return errors.Is(e, context.Canceled) }},
		{"request timeout", fmt.Errorf("Get: %w", context.DeadlineExceeded), classReconnect,
			func(e error) bool {
				return !errors.Is(e, context.DeadlineExceeded) && strings.Contains(e.Error(), `"cluster/data/x" within the request timeout`)
			}},
	} {
		t.Run(c.what, func(t *testing.T) {
			cl, err := classify(context.Background(), req, c.err)
			if cl != c.class {
				t.Errorf("class %d, want %d", cl, c.class)
			}
			if c.check != nil && !c.check(err) {
				t.Errorf("error %v", err)
			}
		})
	}
}

// The caller's own deadline ends the retries, unlike a request timeout.
func TestClassifyCallerDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	cl, err := classify(ctx, request{service: "vault", path: "p"}, fmt.Errorf("Get: %w", context.DeadlineExceeded))
	if cl != classFinal || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("class %d, %v; want final and the context's deadline", cl, err)
	}
}

func TestRetry(t *testing.T) {
	p := RetryPolicy{Attempts: 4, Base: time.Millisecond, Max: 4 * time.Millisecond, Total: time.Second}
	req := request{service: "vault", path: "p", capability: "read"}
	calls, reconnects := 0, 0
	err := retry(context.Background(), p, req, func() { reconnects++ }, func() error {
		calls++
		if calls < 3 {
			return fmt.Errorf("dial: %w", syscall.ECONNREFUSED)
		}
		return nil
	})
	if err != nil || calls != 3 || reconnects != 2 {
		t.Errorf("transient failures: err %v, %d calls, %d reconnects", err, calls, reconnects)
	}

	calls = 0
	err = retry(context.Background(), p, req, nil, func() error {
		calls++
		return &vaultapi.ResponseError{StatusCode: 502}
	})
	var re *ResumableError
	if !errors.As(err, &re) || calls != 4 {
		t.Errorf("persistent 502: err %v after %d calls, want a resumable error after 4", err, calls)
	}

	calls = 0
	err = retry(context.Background(), p, req, nil, func() error {
		calls++
		return &vaultapi.ResponseError{StatusCode: 403}
	})
	if calls != 1 || errors.As(err, &re) {
		t.Errorf("403 retried: %d calls, %v", calls, err)
	}
}

func TestReadInput(t *testing.T) {
	in, err := ReadInput(strings.NewReader(`{"clusterPassphrase": "p4ssphrase", "prompts": {"a": "b"}}`))
	if err != nil || in.ClusterPassphrase != "p4ssphrase" || in.Prompts["a"] != "b" {
		t.Errorf("ReadInput: %+v, %v", in, err)
	}
	for _, bad := range []string{
		`{"clusterPassphrase": "hunter2-secret", "prompt": {"a": "b"}}`,
		`{"clusterPassphrase": "hunter2-secret",`,
		`{"clusterPassphrase": ["hunter2-secret"]}`,
		``,
	} {
		_, err := ReadInput(strings.NewReader(bad))
		if err == nil {
			t.Errorf("%q accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q quotes the input", err)
		}
	}
}

func TestLookupDotted(t *testing.T) {
	f, _ := compileFile(t, productionConf, nil)
	if v, ok := lookupDotted(f, "chef.continuum.router.ssl.tlshosts.0.server_names.1"); !ok || v != "apps.example.test" {
		t.Errorf("got %q, %v", v, ok)
	}
	for _, p := range []string{"chef.continuum.nope", "chef.continuum.router.ssl.tlshosts.7.x", "chef.continuum.router"} {
		if _, ok := lookupDotted(f, p); ok {
			t.Errorf("%s found", p)
		}
	}
}

func TestResumableErrorSaysItOnce(t *testing.T) {
	inner := &ResumableError{Err: errors.New("connection refused")}
	outer := &ResumableError{Err: fmt.Errorf("no vault server could be reached: %w", inner)}
	msg := outer.Error()
	if n := strings.Count(msg, "run it again"); n != 1 {
		t.Errorf("advice given %d times: %q", n, msg)
	}
	if !strings.HasPrefix(msg, "no vault server could be reached: connection refused;") {
		t.Errorf("message %q", msg)
	}
	if strings.Contains(msg, "resumed") {
		t.Errorf("message talks of resuming: %q", msg)
	}
}

func TestReadInputErrorsNameTheProblem(t *testing.T) {
	cases := map[string]string{
		`{"clusterPassphrase": "canary-input-1`:  "not valid JSON: the document ends early, at byte 37",
		`{"clusterPassphrase": "canary-input-1"`: "not valid JSON: the document ends early",
		`{"clusterPassphrase" "canary-input-1"}`: "not valid JSON: syntax error at byte 22",
		`["canary-input-1"]`:                     "not a JSON object",
		``:                                       "empty input",
	}
	for in, want := range cases {
		_, err := ReadInput(strings.NewReader(in))
		if err == nil {
			t.Errorf("%q: no error", in)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
		if strings.Contains(err.Error(), "canary-input") {
			t.Errorf("%q: error quotes the input: %v", in, err)
		}
	}
}
