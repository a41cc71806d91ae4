package apply

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/confc/confc/compiler"
)

// The key shares Vault is initialized with. Every share goes into the
// encrypted bundle, so the split does not add protection by itself; five
// shares with a threshold of three is Vault's usual layout and lets an
// operator hand shares out later without re-keying.
const (
	InitShares    = 5
	InitThreshold = 3
)

// vaultState is what the listed Vault servers report.
type vaultState struct {
	initialized bool
	sealed      []string // addresses of sealed servers
	unsealed    []string // addresses of unsealed servers
	unreachable []string // addresses that did not answer
	reachable   int
}

// status asks every listed server for its seal status.
func (r *runner) status(ctx context.Context) (*vaultState, error) {
	st := &vaultState{}
	var lastErr error
	for _, addr := range r.conn.VaultAddrs {
		s, err := r.sealStatus(ctx, addr)
		if err != nil {
			lastErr = err
			st.unreachable = append(st.unreachable, addr)
			r.notice("vault at %s cannot be reached: %v", addr, err)
			continue
		}
		st.reachable++
		if s.Initialized {
			st.initialized = true
		}
		if s.Sealed {
			st.sealed = append(st.sealed, addr)
		} else {
			st.unsealed = append(st.unsealed, addr)
		}
	}
	if st.reachable == 0 {
		if certificateError(lastErr) != nil {
			// Waiting for the servers would not help.
			return nil, fmt.Errorf("no vault server could be used: %w", lastErr)
		}
		return nil, &ResumableError{Err: fmt.Errorf("no vault server could be reached: %w", lastErr)}
	}
	return st, nil
}

// probePolicy is the retry policy of a question asked of each listed
// server in turn (seal status, health): a server that is down should not
// hold the run up for the full retry budget when others are listed, so it
// gets two attempts then.
func (r *runner) probePolicy() RetryPolicy {
	p := r.retry.orDefault()
	if len(r.conn.VaultAddrs) > 1 {
		p.Attempts = 2
	}
	return p
}

// sealStatus asks one server, with the engine's retries.
func (r *runner) sealStatus(ctx context.Context, addr string) (*vaultapi.SealStatusResponse, error) {
	c, err := r.clientFor(addr)
	if err != nil {
		return nil, err
	}
	var s *vaultapi.SealStatusResponse
	err = retry(ctx, r.probePolicy(), request{service: "vault", path: "sys/seal-status", capability: "read"}, nil, func() error {
		var err error
		s, err = c.Sys().SealStatusWithContext(ctx)
		return err
	})
	return s, err
}

// clientFor returns a token-less client for one listed server.
func (r *runner) clientFor(addr string) (*vaultapi.Client, error) {
	if c, ok := r.perAddr[addr]; ok {
		return c, nil
	}
	c, err := newVaultClient(addr, r.conn)
	if err != nil {
		return nil, err
	}
	r.perAddr[addr] = c
	return c, nil
}

// bundle reads and decrypts the unseal keys, once per run.
func (r *runner) bundle(ctx context.Context) (*UnsealBundle, error) {
	if r.keys != nil {
		return r.keys, nil
	}
	// The staging bundle of an interrupted passphrase change is tried too
	// (security.go).
	b, err := OpenUnsealKeys(ctx, r.c, r.retry, r.plan.Cluster.Name, r.passphrase)
	if err != nil {
		return nil, err
	}
	r.keys = b
	return b, nil
}

// errNoBundle means Consul holds no unseal keys for the cluster.
//
// TODO: a Vault initialized outside confc has no bundle and no passphrase
// user, and apply cannot adopt it (no way to hand it a root token).
var errNoBundle = errors.New("no unseal keys")

// unsealAll unseals every sealed server with the keys from the bundle.
func (r *runner) unsealAll(ctx context.Context, sealed []string) error {
	if len(sealed) == 0 {
		return nil
	}
	b, err := r.bundle(ctx)
	if errors.Is(err, errNoBundle) {
		return fmt.Errorf("%w at %s, and confc holds no unseal keys for it (%q in Consul is missing); unseal it by hand", ErrSealed, sealed[0], UnsealKeysKey(r.plan.Cluster.Name))
	}
	if errors.Is(err, ErrInvalidCredentials) {
		return &LoginError{Err: ErrInvalidCredentials}
	}
	if err != nil {
		return err
	}
	for _, addr := range sealed {
		if err := r.unsealOne(ctx, addr, b); err != nil {
			return err
		}
		r.notice("unsealed vault at %s", addr)
	}
	return nil
}

func (r *runner) unsealOne(ctx context.Context, addr string, b *UnsealBundle) error {
	c, err := r.clientFor(addr)
	if err != nil {
		return err
	}
	for _, k := range b.Keys {
		var st *vaultapi.SealStatusResponse
		err := retry(ctx, r.retry, request{service: "vault", path: "sys/unseal", capability: "update"}, nil, func() error {
			var err error
			st, err = c.Sys().UnsealWithContext(ctx, k)
			return err
		})
		if err != nil {
			return fmt.Errorf("unsealing vault at %s: %w", addr, err)
		}
		if !st.Sealed {
			return nil
		}
	}
	return fmt.Errorf("vault at %s is still sealed after every key of the bundle: the bundle does not belong to this vault", addr)
}

// errInitAnswerLost reports a Vault initialized by a request whose answer,
// the only copy of the unseal keys and root token, never arrived.
var errInitAnswerLost = errors.New("vault was initialized by a request whose answer was lost, so its unseal keys are unknown " +
	"and it can never be unsealed after a restart; nothing was stored. Stop this vault, wipe its storage " +
	"(its Consul prefix, vault/ by default) and run apply again")

// UnsealKeysExistError refuses to initialize a Vault while Consul holds the
// unseal keys of another one. It lives here rather than among the other
// errors because only the first run raises it.
type UnsealKeysExistError struct {
	// Addr is the uninitialized Vault server.
	Addr string
	// Key is the Consul key that holds the existing bundle.
	Key string
}

func (e *UnsealKeysExistError) Error() string {
	return fmt.Sprintf("vault at %s is not initialized, but consul key %q already holds the unseal keys of a vault; "+
		"initializing this one would replace them, so nothing was changed. "+
		"If the address is wrong, fix --vault-addr or --consul-addr; if the earlier vault's data is really gone, "+
		"re-run with --reinit-vault (the earlier keys are kept under %q)",
		e.Addr, e.Key, e.Key+".replaced-<time>")
}

// initVault initializes Vault, stores the encrypted key bundle in Consul
// before anything else, and returns the root token, which the caller uses
// for the bootstrap and then revokes.
func (r *runner) initVault(ctx context.Context) (string, error) {
	c, err := r.clientFor(r.v.addr())
	if err != nil {
		return "", err
	}
	// The keys of a Vault that may still be in use are never overwritten
	// by accident: an uninitialized Vault on the same Consul (a wrong
	// --vault-addr, a new server given a fresh storage prefix) must not
	// cost the working one its unseal keys.
	old, oldIndex, err := ReadBundle(ctx, r.c, r.plan.Cluster.Name)
	if err != nil {
		return "", err
	}
	if oldIndex != 0 {
		if !r.reinitVault {
			return "", &UnsealKeysExistError{Addr: r.v.addr(), Key: UnsealKeysKey(r.plan.Cluster.Name)}
		}
		backup, err := r.backupBundle(ctx, old)
		if err != nil {
			return "", err
		}
		r.notice("--reinit-vault: the unseal keys of the earlier vault were copied to %q before initializing the vault at %s", backup, r.v.addr())
	}
	var resp *vaultapi.InitResponse
	// Only the answer to sys/init carries the unseal keys. After a lost
	// answer the init is sent again only if Vault is still uninitialized;
	// if the first one went through, its keys are gone and retrying would
	// just get a 400.
	err = retryCreate(ctx, r.retry, request{service: "vault", path: "sys/init", capability: "update"}, nil,
		func() error {
			var err error
			resp, err = c.Sys().InitWithContext(ctx, &vaultapi.InitRequest{SecretShares: InitShares, SecretThreshold: InitThreshold})
			return err
		},
		func() (bool, error) {
			init, err := c.Sys().InitStatusWithContext(ctx)
			if err == nil && init {
				return false, errInitAnswerLost
			}
			return false, err
		})
	if err != nil {
		return "", fmt.Errorf("initializing vault: %w", err)
	}
	b := &UnsealBundle{Version: 1, Shares: InitShares, Threshold: InitThreshold, Keys: resp.KeysB64, Created: time.Now().UTC()}
	// TODO: a crash between the init above and this write loses the
	// unseal keys and leaves an initialized Vault nobody can unseal; the
	// window is one Consul write long.
	if err := r.storeBundle(ctx, b); err != nil {
		return "", fmt.Errorf("vault was initialized but its unseal keys could not be stored: %w", err)
	}
	r.keys = b
	r.notice("initialized vault (%d key shares, threshold %d); the unseal keys are stored encrypted at %q in Consul", InitShares, InitThreshold, UnsealKeysKey(r.plan.Cluster.Name))
	return resp.RootToken, nil
}

// storeBundle writes the encrypted bundle, replacing a bundle left by an
// earlier Vault only through check-and-set.
func (r *runner) storeBundle(ctx context.Context, b *UnsealBundle) error {
	ct, err := sealBundle(b, r.passphrase)
	if err != nil {
		return err
	}
	key := UnsealKeysKey(r.plan.Cluster.Name)
	_, index, err := ReadBundle(ctx, r.c, r.plan.Cluster.Name)
	if err != nil {
		return err
	}
	if index != 0 && !r.reinitVault {
		// initVault checked before initializing; a bundle that appeared
		// since belongs to someone else's run.
		return &ConflictError{Service: "consul", Path: key}
	}
	return casPair(ctx, r.c, r.retry, key, ct, index)
}

// backupBundle copies the ciphertext of an earlier bundle to a new key
// beside it, named after the time, and returns that key. The copy is
// encrypted exactly as the original and opens with the same passphrase.
func (r *runner) backupBundle(ctx context.Context, ct []byte) (string, error) {
	key := UnsealKeysKey(r.plan.Cluster.Name) + ".replaced-" + time.Now().UTC().Format("20060102T150405.000Z")
	// Index 0: create only, so that nothing can overwrite another backup.
	if err := casPair(ctx, r.c, r.retry, key, ct, 0); err != nil {
		return "", fmt.Errorf("copying the earlier unseal keys aside: %w", err)
	}
	return key, nil
}

// bootstrap uses a root token to create only what the passphrase login
// needs: the userpass method, the admin policy and the passphrase user.
// The steps it completes are reported as created by the run.
func (r *runner) bootstrap(ctx context.Context, rootToken string) error {
	r.v.client.SetToken(rootToken)
	defer r.v.client.ClearToken()
	for _, id := range []string{
		"vault.auth:" + compiler.UserpassMount,
		"vault.policy:" + compiler.AdminPolicy,
		"vault.userpass:" + compiler.AdminUser,
	} {
		s := r.plan.Step(id)
		if s == nil {
			return fmt.Errorf("the plan has no step %q, which the passphrase login needs", id)
		}
		res, err := r.runStep(ctx, s, true)
		if err != nil {
			return &StepError{Step: id, Err: err}
		}
		if res == Created || res == Updated {
			r.bootstrapped[id] = res
		}
	}
	return nil
}

// revokeRoot revokes a root token; nothing keeps it.
func (r *runner) revokeRoot(ctx context.Context, rootToken string) error {
	r.v.client.SetToken(rootToken)
	defer r.v.client.ClearToken()
	err := r.v.do(ctx, "auth/token/revoke-self", "update", func(c *vaultapi.Client) error {
		return c.Auth().Token().RevokeSelfWithContext(ctx, "")
	})
	if err != nil {
		return fmt.Errorf("revoking the root token: %w", err)
	}
	return nil
}

// login logs in with the passphrase and keeps the token on the client.
func (r *runner) login(ctx context.Context) error {
	path := "auth/" + compiler.UserpassMount + "/login/" + compiler.AdminUser
	var sec *vaultapi.Secret
	err := r.v.do(ctx, path, "update", func(c *vaultapi.Client) error {
		var err error
		sec, err = c.Logical().WriteWithContext(ctx, path, map[string]any{"password": r.passphrase})
		return err
	})
	var re *RequestError
	var pe *PermissionError
	if errors.As(err, &re) && (re.Status == 400 || re.Status == 401) || errors.As(err, &pe) {
		return &LoginError{Err: ErrInvalidCredentials}
	}
	if err != nil {
		return err
	}
	if sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "" {
		return &LoginError{Err: errors.New("vault returned no token")}
	}
	r.v.client.SetToken(sec.Auth.ClientToken)
	r.loggedIn = true
	return nil
}

// logout revokes the login token, so no usable token outlives the run.
func (r *runner) logout(ctx context.Context) {
	if !r.loggedIn {
		return
	}
	r.loggedIn = false
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = r.v.do(ctx, "auth/token/revoke-self", "update", func(c *vaultapi.Client) error {
		return c.Auth().Token().RevokeSelfWithContext(ctx, "")
	})
	r.v.client.ClearToken()
}

// GenerateRoot makes a root token from unseal keys through Vault's
// generate-root process with a one-time pad. The engine uses it to finish
// a bootstrap that was interrupted before the passphrase user existed; the
// caller must revoke the token.
func GenerateRoot(ctx context.Context, c *vaultapi.Client, keys []string) (string, error) {
	sys := c.Sys()
	if st, err := sys.GenerateRootStatusWithContext(ctx); err == nil && st.Started {
		// An attempt left by a crashed run: its one-time pad is lost.
		if err := sys.GenerateRootCancelWithContext(ctx); err != nil {
			return "", fmt.Errorf("cancelling an earlier root token generation: %w", err)
		}
	}
	st, err := sys.GenerateRootInitWithContext(ctx, "", "")
	if err != nil {
		return "", fmt.Errorf("starting root token generation: %w", err)
	}
	otp := st.OTP
	for _, k := range keys {
		st, err = sys.GenerateRootUpdateWithContext(ctx, k, st.Nonce)
		if err != nil {
			return "", fmt.Errorf("root token generation: %w", err)
		}
		if st.Complete {
			return decodeRoot(st.EncodedToken, otp)
		}
	}
	return "", fmt.Errorf("root token generation did not complete with the %d keys of the bundle", len(keys))
}

// decodeRoot undoes the one-time pad Vault applies to a generated root
// token: the token is the base64 text XORed with the pad.
func decodeRoot(encoded, otp string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil {
		raw, err = base64.StdEncoding.DecodeString(encoded)
	}
	if err != nil {
		return "", fmt.Errorf("decoding the generated root token: %w", err)
	}
	if len(raw) != len(otp) {
		return "", fmt.Errorf("generated root token and one-time pad differ in length")
	}
	out := make([]byte, len(raw))
	for i := range raw {
		out[i] = raw[i] ^ otp[i]
	}
	return string(out), nil
}
