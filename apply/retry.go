package apply

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	vaultapi "github.com/hashicorp/vault/api"
)

// RetryPolicy bounds the retries of one request. The zero value means
// DefaultRetry.
type RetryPolicy struct {
	// Attempts is the most tries of one request, the first included.
	Attempts int
	// Base is the first backoff; each retry doubles it, with full jitter.
	Base time.Duration
	// Max caps one backoff.
	Max time.Duration
	// Total caps the time spent on one request, retries included.
	Total time.Duration
}

// DefaultRetry is the retry policy of an apply: five attempts within 30
// seconds, backing off from 200 ms.
var DefaultRetry = RetryPolicy{Attempts: 5, Base: 200 * time.Millisecond, Max: 8 * time.Second, Total: 30 * time.Second}

func (p RetryPolicy) orDefault() RetryPolicy {
	if p.Attempts <= 0 {
		return DefaultRetry
	}
	return p
}

// class sorts an error into what to do about it.
type class int

const (
	classFinal     class = iota // give up at once
	classRetry                  // server trouble (5xx, 429): back off and retry
	classReconnect              // the connection failed: try the next server, then back off
)

// request describes one call for error messages.
type request struct {
	service    string // "vault" or "consul"
	path       string
	capability string
}

// classify turns a client error into a final error with a clear message, or
// says that it is worth retrying. ctx is the caller's context: a deadline
// or cancellation of its own is final, while a deadline that only the
// request had (the per-request timeout of a server that accepted the
// connection and then hung) is a connection failure, worth the next
// server.
func classify(ctx context.Context, req request, err error) (class, error) {
	if err == nil {
		return classFinal, nil
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return classFinal, err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return classReconnect, &timeoutError{service: req.service, path: req.path}
	}
	var ve *vaultapi.ResponseError
	if errors.As(err, &ve) {
		return classifyStatus(req, ve.StatusCode, strings.Join(ve.Errors, "; "))
	}
	var ce consulapi.StatusError
	if errors.As(err, &ce) {
		return classifyStatus(req, ce.Code, strings.TrimSpace(ce.Body))
	}
	// The Consul client reports most failures as "Unexpected response code:
	// N (body)" without a typed error.
	if code, body, ok := consulStatus(err); ok {
		return classifyStatus(req, code, body)
	}
	if certErr := certificateError(err); certErr != nil {
		// A certificate that does not verify will not verify on a retry
		// either, and trying the next server would only hide the cause.
		return classFinal, fmt.Errorf("%s request to %q: the server's TLS certificate is not trusted: %w; give the CA that signed it with --%s-cacert",
			req.service, req.path, certErr, req.service)
	}
	if isConnError(err) {
		return classReconnect, err
	}
	return classFinal, err
}

// certificateError returns the certificate verification failure inside
// err, or nil.
func certificateError(err error) error {
	var tv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &tv):
		return tv.Err
	case errors.As(err, &ua):
		return ua
	case errors.As(err, &hn):
		return hn
	case errors.As(err, &ci):
		return ci
	}
	return nil
}

func classifyStatus(req request, code int, detail string) (class, error) {
	switch {
	case code == 403:
		return classFinal, &PermissionError{Service: req.service, Path: req.path, Capability: req.capability, Detail: detail}
	case code == 503 && req.service == "vault" && strings.Contains(strings.ToLower(detail), "sealed"):
		return classFinal, fmt.Errorf("%w: request to %q refused; unseal it (confc apply unseals the servers it is given)", ErrSealed, req.path)
	case code == 400 && strings.Contains(detail, "check-and-set"):
		return classFinal, &ConflictError{Service: req.service, Path: req.path}
	case code == 429 || code >= 500:
		return classRetry, &RequestError{Service: req.service, Path: req.path, Status: code, Detail: detail}
	default:
		return classFinal, &RequestError{Service: req.service, Path: req.path, Status: code, Detail: detail}
	}
}

// timeoutError is a request that got no answer within the request timeout.
// It does not wrap context.DeadlineExceeded, which callers take for the end
// of their own context.
type timeoutError struct {
	service, path string
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s did not answer the request to %q within the request timeout", e.service, e.path)
}

// consulStatus extracts the status code from the Consul client's untyped
// "Unexpected response code" errors.
func consulStatus(err error) (int, string, bool) {
	msg := err.Error()
	const marker = "Unexpected response code: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return 0, "", false
	}
	rest := msg[i+len(marker):]
	var code int
	if _, err := fmt.Sscanf(rest, "%d", &code); err != nil {
		return 0, "", false
	}
	body := ""
	if j := strings.Index(rest, "("); j >= 0 {
		body = strings.TrimSuffix(rest[j+1:], ")")
	}
	return code, body, true
}

// isConnError reports whether err means the server could not be reached or
// dropped the connection.
func isConnError(err error) bool {
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH):
		return true
	case errors.As(err, &ne):
		return true
	case errors.As(err, &ue):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "EOF") || strings.Contains(msg, "connection refused") ||
		strings.Contains(msg, "connection reset")
}

// retry runs fn until it succeeds, fails finally, or the policy runs out.
// onReconnect, when not nil, is called after a connection failure so that
// the caller can switch to another server before the next attempt.
func retry(ctx context.Context, p RetryPolicy, req request, onReconnect func(), fn func() error) error {
	p = p.orDefault()
	deadline := time.Now().Add(p.Total)
	backoff := p.Base
	var last error
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		c, cerr := classify(ctx, req, err)
		if c == classFinal {
			return cerr
		}
		last = cerr
		if c == classReconnect && onReconnect != nil {
			onReconnect()
		}
		if attempt >= p.Attempts {
			break
		}
		// Full jitter: a random wait up to the current backoff, so that
		// several appliers (or a restarted one) do not retry in step.
		wait := time.Duration(rand.Int64N(int64(backoff) + 1))
		if time.Now().Add(wait).After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		backoff = min(backoff*2, p.Max)
	}
	return &ResumableError{Err: fmt.Errorf("%s %q: giving up after retries: %w", req.service, req.path, last)}
}

// retryCreate is retry for a request that creates something and must not
// run twice (a Consul token, Vault's initialization, a CA). A 5xx answer,
// a dropped connection or a timeout leaves open whether the server carried
// the request out, so before each new attempt landed asks the server
// whether the object now exists; when it does, the create counts as done.
// landed must make its request directly, without retries of its own: its
// errors are classified like the create's.
func retryCreate(ctx context.Context, p RetryPolicy, req request, onReconnect func(), create func() error, landed func() (bool, error)) error {
	first := true
	return retry(ctx, p, req, onReconnect, func() error {
		if !first {
			ok, err := landed()
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		first = false
		return create()
	})
}
