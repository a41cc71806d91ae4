package apply

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidCredentials is wrapped by the error of an apply whose cluster
// passphrase Vault does not accept.
var ErrInvalidCredentials = errors.New("invalid credentials")

// ErrSealed is wrapped by errors caused by a sealed Vault.
var ErrSealed = errors.New("vault is sealed")

// LoginError reports that the passphrase login failed. Its message is the
// one operators know from the deploy tooling, so that scripts matching it
// keep working.
type LoginError struct {
	// Err is the cause, ErrInvalidCredentials for a refused passphrase.
	Err error
}

func (e *LoginError) Error() string {
	return fmt.Sprintf("Unable to login to secret store; this may result in deploy failure later. Error: %v", e.Err)
}

func (e *LoginError) Unwrap() error { return e.Err }

// ConflictError reports a check-and-set write that lost a race: someone else
// changed the target between the read and the write. The engine never
// retries such a write blindly; a re-run reads the new state and decides
// again.
type ConflictError struct {
	// Service is "vault" or "consul".
	Service string
	// Path is the Vault API path or Consul key that changed.
	Path string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s %q was changed by someone else during the apply (check-and-set failed); nothing was overwritten, run apply again to re-read it", e.Service, e.Path)
}

// PermissionError reports a request the server refused (HTTP 403).
type PermissionError struct {
	// Service is "vault" or "consul".
	Service string
	// Path is the Vault API path or Consul path of the request.
	Path string
	// Capability is the capability the request needed: read, list, create,
	// update or delete for Vault, read or write for Consul.
	Capability string
	// Detail is the server's message.
	Detail string
}

func (e *PermissionError) Error() string {
	msg := fmt.Sprintf("permission denied: %s %q needs the %q capability", e.Service, e.Path, e.Capability)
	if e.Service == "vault" {
		msg += " in the policy of the cluster passphrase user"
	} else {
		msg += " for the Consul token (CONSUL_HTTP_TOKEN)"
	}
	return msg
}

// RequestError reports a request the server rejected as invalid (HTTP 400
// and other final client errors).
type RequestError struct {
	// Service is "vault" or "consul".
	Service string
	// Path is the Vault API path or Consul path of the request.
	Path string
	// Status is the HTTP status code.
	Status int
	// Detail is the server's message.
	Detail string
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("%s rejected the request to %q (HTTP %d): %s", e.Service, e.Path, e.Status, e.Detail)
}

// ResumableError reports that the servers could not be reached (or kept
// failing) after the retries. Nothing is lost: the journal holds the
// finished steps and a re-run continues from there.
type ResumableError struct {
	// Err is the last failure.
	Err error
}

func (e *ResumableError) Error() string {
	// A cause that is itself resumable (a request that gave up inside a
	// probe of every server) already carries the advice.
	var inner *ResumableError
	if errors.As(e.Err, &inner) {
		return e.Err.Error()
	}
	// The advice holds whether or not any step ran: the first request may
	// be the one that failed.
	return fmt.Sprintf("%v; the apply stopped: run it again once the servers respond (finished steps are not repeated)", e.Err)
}

func (e *ResumableError) Unwrap() error { return e.Err }

// LockedError reports that another apply holds the cluster lock.
type LockedError struct {
	// Key is the Consul key of the lock.
	Key string
	// Holder describes the apply holding it, when its value could be read.
	Holder *Holder
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("another apply holds the lock %q", e.Key)
	}
	return fmt.Sprintf("another apply holds the lock %q: %s", e.Key, e.Holder)
}

// StepError wraps the failure of one step.
type StepError struct {
	// Step is the ID of the step.
	Step string
	// Err is the failure.
	Err error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %s: %v", e.Step, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }

// MissingAnswersError lists the prompts that have no answer.
type MissingAnswersError struct {
	// Names are the prompts without an answer, sorted.
	Names []string
}

func (e *MissingAnswersError) Error() string {
	return fmt.Sprintf("no answer for %d %s: %s (give them in --input-json under \"prompts\")",
		len(e.Names), plural(len(e.Names), "prompt", "prompts"), strings.Join(e.Names, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
