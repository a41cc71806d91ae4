package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/internal/prompt"
)

// securityExitFailed is the exit code of a security command that failed
// or was refused (wrong passphrase, servers unreachable, lock held).
const securityExitFailed = 1

// SecurityCmd groups the commands that look after Vault itself: its seal,
// the cluster passphrase, the components' app tokens and the cluster CA.
type SecurityCmd struct {
	Status        SecurityStatusCmd        `cmd:"" default:"withargs" help:"Show Vault and Consul state and check the passphrase (the default)."`
	Unseal        SecurityUnsealCmd        `cmd:"" help:"Unseal every sealed Vault server from the encrypted unseal keys."`
	Changepwd     SecurityChangepwdCmd     `cmd:"" help:"Change the cluster passphrase, safely even if interrupted."`
	Refreshtokens SecurityRefreshtokensCmd `cmd:"" help:"Issue fresh wrapped app tokens and revoke the previous ones."`
	Reset         SecurityResetCmd         `cmd:"" help:"Remove the cluster CA so that the next apply makes a new one."`
}

// Help is the long description shown by "confc security --help".
func (SecurityCmd) Help() string {
	return `Looks after Vault itself. Every sub-command needs the cluster passphrase
(from the terminal, --input-json or --nopass); a wrong one is refused with
"Unable to login to secret store; this may result in deploy failure later.
Error: invalid credentials" before anything is written. Without a
sub-command, status runs. Give flags after the sub-command's name.
docs/security.md has the details.

Exit status:
  0  done
  1  failed or refused (wrong or short passphrase, servers unreachable, the
     lock is held)
  2  usage error

Example:
  confc security status -c cluster.conf`
}

// securityFlags are the flags every security sub-command takes.
type securityFlags struct {
	Config string `short:"c" name:"config" required:"" placeholder:"CLUSTER.CONF" help:"cluster.conf of the cluster."`
	JSON   bool   `name:"json" help:"Print the result as one JSON object."`

	ConnFlags `embed:""`
}

// securityRun is what a security sub-command needs once its inputs are
// resolved.
type securityRun struct {
	opts apply.SecurityOptions
	in   *apply.Input
	term prompt.Terminal
}

// prepare resolves the passphrase (refusing a short one before anything
// else), lints and compiles cluster.conf, and works out the addresses.
func (f *securityFlags) prepare(env *Env) (*securityRun, error) {
	term := f.terminalFor(env)
	secrets, err := beginSecrets(env, &f.SecretFlags, term)
	if err != nil {
		return nil, exitWith(securityExitFailed, err)
	}
	file, plan, err := loadPlan(env, f.Config, "")
	if err != nil {
		return nil, err
	}
	conn, err := f.conn(env, file)
	if err != nil {
		return nil, exitWith(securityExitFailed, err)
	}
	sec, err := secrets.finish(context.Background(), secretNeeds{Config: f.Config, File: file, Optional: true})
	if err != nil {
		return nil, exitWith(securityExitFailed, err)
	}
	return &securityRun{
		opts: apply.SecurityOptions{Plan: plan, Conn: conn, Passphrase: sec.Passphrase, Reporter: noticeReporter{env.Stderr}},
		in:   secrets.in,
		term: secrets.term,
	}, nil
}

// noticeReporter prints the engine's notices on stderr.
type noticeReporter struct{ w io.Writer }

// Report prints notices; security commands have no other events.
func (n noticeReporter) Report(e apply.Event) {
	if e.Type == apply.EventNotice {
		fmt.Fprintf(n.w, "confc: %s\n", e.Message)
	}
}

// signalContext is cancelled by SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// SecurityStatusCmd reports Vault and Consul and checks the passphrase.
type SecurityStatusCmd struct {
	securityFlags `embed:""`
}

// Help is the long description shown by "confc security status --help".
func (SecurityStatusCmd) Help() string {
	return `For every listed Vault server: reachable, initialized, sealed, active or
standby, and its version; for Consul: the Raft leader, the peers and the
health of its servers. The passphrase is checked without writing anything:
by logging in (the token is revoked at once) when a server is unsealed,
otherwise by opening the unseal keys. An interrupted passphrase change is
reported. A sealed Vault is reported, not an error: exit 0.

Example:
  confc security status -c cluster.conf --json`
}

// Run prints the status.
func (c *SecurityStatusCmd) Run(env *Env) error {
	sr, err := c.prepare(env)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	start := time.Now()
	st, err := apply.Status(ctx, sr.opts)
	logStatus(env.log(), st, err, start)
	var le *apply.LoginError
	if errors.As(err, &le) {
		return exitWith(securityExitFailed, err)
	}
	if st != nil {
		if c.JSON {
			if werr := writeJSON(env.Stdout, st); werr != nil {
				return werr
			}
		} else {
			printStatus(env.Stdout, st)
		}
	}
	if err != nil {
		return exitWith(securityExitFailed, err)
	}
	return nil
}

// logStatus logs what Status found, one message a server. Server error
// texts are left out: they say why a server did not answer, which the
// printed status already shows.
func logStatus(log *slog.Logger, st *apply.ClusterStatus, err error, start time.Time) {
	if st == nil {
		log.Debug("status failed", since(start))
		return
	}
	for _, v := range st.Vault {
		log.Debug("vault server", slog.String("addr", redactAddr(v.Addr)), slog.Bool("reachable", v.Reachable),
			slog.Bool("initialized", v.Initialized), slog.Bool("sealed", v.Sealed), slog.String("mode", v.Mode))
	}
	cs := st.Consul
	log.Debug("consul", slog.String("addr", redactAddr(cs.Addr)), slog.Bool("reachable", cs.Reachable),
		slog.Bool("leader", cs.Leader != ""), slog.Int("peers", len(cs.Peers)), slog.Int("servers", cs.Servers),
		slog.Int("passing", cs.Passing), slog.Bool("healthy", cs.Healthy))
	var le *apply.LoginError
	log.Debug("passphrase checked", slog.String("result", st.Passphrase), slog.Bool("refused", errors.As(err, &le)),
		slog.Bool("change_pending", st.ChangePending))
	log.Debug("status read", slog.String("cluster", st.Cluster), slog.Bool("ok", err == nil), since(start))
}

func printStatus(w io.Writer, st *apply.ClusterStatus) {
	fmt.Fprintf(w, "cluster %s\n\n", st.Cluster)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VAULT\tINITIALIZED\tSEALED\tMODE\tVERSION")
	for _, v := range st.Vault {
		if !v.Reachable {
			fmt.Fprintf(tw, "%s\t-\t-\tunreachable\t-\n", v.Addr)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Addr, yesNo(v.Initialized), yesNo(v.Sealed), v.Mode, v.Version)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	cs := st.Consul
	switch {
	case !cs.Reachable:
		fmt.Fprintf(w, "consul %s: unreachable: %s\n", cs.Addr, cs.Error)
	default:
		leader := cs.Leader
		if leader == "" {
			leader = "none"
		}
		servers := "server checks not readable with this token"
		if cs.Servers >= 0 {
			servers = fmt.Sprintf("%d/%d servers passing", cs.Passing, cs.Servers)
		}
		health := "unhealthy"
		if cs.Healthy {
			health = "healthy"
		}
		fmt.Fprintf(w, "consul %s: %s; leader %s, %d raft %s, %s\n", cs.Addr, health, leader,
			len(cs.Peers), plural(len(cs.Peers), "peer", "peers"), servers)
	}
	if st.Passphrase != "" {
		fmt.Fprintf(w, "passphrase: %s\n", st.Passphrase)
	}
	for _, v := range st.Vault {
		if v.Reachable && v.Sealed {
			fmt.Fprintln(w, "vault is sealed: run confc security unseal")
			break
		}
	}
	if st.ChangePending {
		fmt.Fprintln(w, "a passphrase change was interrupted: run confc security changepwd again with the same passphrases to finish it")
	}
}

// SecurityUnsealCmd unseals the sealed Vault servers.
type SecurityUnsealCmd struct {
	securityFlags `embed:""`
}

// Help is the long description shown by "confc security unseal --help".
func (SecurityUnsealCmd) Help() string {
	return `Unseals every listed Vault server that is sealed (after a reboot, for
example) with the unseal keys confc keeps in Consul, encrypted with the
cluster passphrase. Servers already unsealed are left alone; when none is
sealed, the passphrase is only checked and the command exits 0.

Example:
  confc security unseal -c cluster.conf --vault-addr https://10.0.0.1:8200,https://10.0.0.2:8200`
}

// Run unseals.
func (c *SecurityUnsealCmd) Run(env *Env) error {
	sr, err := c.prepare(env)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	start := time.Now()
	res, err := apply.Unseal(ctx, sr.opts)
	if err != nil {
		env.log().Debug("unseal failed", since(start))
		return exitWith(securityExitFailed, err)
	}
	env.log().Info("unseal finished", slog.Int("unsealed", len(res.Unsealed)), slog.Int("already_unsealed", len(res.AlreadyUnsealed)),
		slog.Int("unreachable", len(res.Unreachable)), since(start))
	if c.JSON {
		return writeJSON(env.Stdout, res)
	}
	for _, a := range res.Unsealed {
		fmt.Fprintf(env.Stdout, "unsealed vault at %s\n", a)
	}
	for _, a := range res.AlreadyUnsealed {
		fmt.Fprintf(env.Stdout, "vault at %s was already unsealed\n", a)
	}
	for _, a := range res.Unreachable {
		fmt.Fprintf(env.Stdout, "vault at %s did not answer and was not unsealed\n", a)
	}
	if len(res.Unsealed) == 0 {
		fmt.Fprintln(env.Stdout, "nothing to unseal")
	}
	return nil
}

// SecurityChangepwdCmd changes the cluster passphrase.
type SecurityChangepwdCmd struct {
	securityFlags `embed:""`
}

// Help is the long description shown by "confc security changepwd --help".
func (SecurityChangepwdCmd) Help() string {
	return `Changes the cluster passphrase: the Vault login of the cluster admin and
the encryption of the unseal keys. It asks for the current passphrase (or
takes --nopass for the default one), then for the new one twice; with
--input-json the new one is the document's "newClusterPassphrase". Both must
be at least 8 characters.

If it is interrupted, the cluster still takes the old or the new
passphrase for both login and unseal; run it again with the same two
passphrases to finish.

Example:
  echo '{"clusterPassphrase": "...", "newClusterPassphrase": "..."}' |
    confc security changepwd -c cluster.conf --input-json`
}

// Run changes the passphrase.
func (c *SecurityChangepwdCmd) Run(env *Env) error {
	sr, err := c.prepare(env)
	if err != nil {
		return err
	}
	var next string
	switch {
	case c.InputJSON:
		next = sr.in.NewClusterPassphrase
		if next == "" {
			return exitWith(securityExitFailed, errors.New(`no new cluster passphrase: give it as "newClusterPassphrase" in the --input-json document`))
		}
	case sr.term != nil:
		next, err = prompt.Passphrase(sr.term, prompt.PassphraseRequest{Label: "new cluster passphrase", MinLength: apply.MinPassphraseLen, Confirm: true})
		if err != nil {
			return exitWith(securityExitFailed, promptError(err))
		}
	default:
		return exitWith(securityExitFailed, errors.New(`no new cluster passphrase: give it as "newClusterPassphrase" with --input-json`))
	}
	return c.change(env, sr, next)
}

func (c *SecurityChangepwdCmd) change(env *Env, sr *securityRun, next string) error {
	if err := apply.CheckPassphrase(next); err != nil {
		return exitWith(securityExitFailed, fmt.Errorf("new passphrase: %w", err))
	}
	if next == apply.DefaultPassphrase {
		fmt.Fprintln(env.Stderr, "confc: warning: the new passphrase is the documented default one; anyone who can reach Vault can log in as the cluster admin")
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := apply.ChangePassphrase(ctx, apply.ChangeOptions{SecurityOptions: sr.opts, NewPassphrase: next})
	if err != nil {
		return exitWith(securityExitFailed, err)
	}
	if c.JSON {
		return writeJSON(env.Stdout, res)
	}
	if res.AlreadyDone {
		fmt.Fprintln(env.Stdout, "the new passphrase is the cluster passphrase already (the current one is refused); nothing to change")
		return nil
	}
	if res.Resumed {
		fmt.Fprintln(env.Stdout, "finished the interrupted passphrase change")
	}
	fmt.Fprintln(env.Stdout, "cluster passphrase changed: the new one logs in and unseals; the old one no longer does")
	return nil
}

// SecurityRefreshtokensCmd issues fresh app tokens.
type SecurityRefreshtokensCmd struct {
	securityFlags `embed:""`
	WrapTTL       time.Duration `name:"wrap-ttl" default:"1h" help:"How long each delivered wrapping token can be unwrapped."`
}

// Help is the long description shown by "confc security refreshtokens --help".
func (SecurityRefreshtokensCmd) Help() string {
	return `Unseals Vault when needed, then for every component kind with a token role
issues a fresh app token from its role (auth/token/create/<role>), delivers
it response-wrapped at the Consul key confc/<cluster>/tokens/<component>
(JSON with the single-use wrapping token and the accessors), and revokes
the token it replaces by accessor. No token is ever printed: the output
lists accessors only.

Example:
  confc security refreshtokens -c cluster.conf --wrap-ttl 30m`
}

// Run refreshes the tokens.
func (c *SecurityRefreshtokensCmd) Run(env *Env) error {
	if c.WrapTTL < time.Second {
		return exitWith(exitUsage, fmt.Errorf("--wrap-ttl %s is too short", c.WrapTTL))
	}
	sr, err := c.prepare(env)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	out, err := apply.RefreshTokens(ctx, sr.opts, c.WrapTTL)
	if err != nil {
		return exitWith(securityExitFailed, err)
	}
	if c.JSON {
		return writeJSON(env.Stdout, out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tCONSUL KEY\tNEW ACCESSOR\tREVOKED")
	for _, d := range out {
		revoked := "-"
		if len(d.Revoked) > 0 {
			revoked = strings.Join(d.Revoked, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Component, d.Key, d.Accessor, revoked)
	}
	_ = tw.Flush()
	fmt.Fprintf(env.Stdout, "%d app %s issued; each wrapping token can be unwrapped once, within %s\n",
		len(out), plural(len(out), "token", "tokens"), c.WrapTTL)
	return nil
}

// SecurityResetCmd removes the cluster CA.
type SecurityResetCmd struct {
	securityFlags `embed:""`
}

// Help is the long description shown by "confc security reset --help".
func (SecurityResetCmd) Help() string {
	return `Removes the cluster CA from Vault's PKI mount (every issuer and key) and
the stored Vault server certificate (every version, private key
included), and clears the apply journal. Certificates issued by the old CA
stop chaining to the cluster's CA. Run confc apply right after: it makes a
new CA and issues the Vault server certificate from it.

Example:
  confc security reset -c cluster.conf && confc apply -c cluster.conf`
}

// Run resets the CA.
func (c *SecurityResetCmd) Run(env *Env) error {
	sr, err := c.prepare(env)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := apply.ResetCA(ctx, sr.opts)
	if err != nil {
		return exitWith(securityExitFailed, err)
	}
	if c.JSON {
		return writeJSON(env.Stdout, res)
	}
	if res.CASerial != "" {
		fmt.Fprintf(env.Stdout, "removed the CA of %s/ (serial %s)\n", res.Mount, res.CASerial)
	} else {
		fmt.Fprintf(env.Stdout, "%s/ had no CA\n", res.Mount)
	}
	for _, p := range res.Certificates {
		fmt.Fprintf(env.Stdout, "removed the stored certificate %s\n", p)
	}
	fmt.Fprintln(env.Stdout, "run confc apply now: it creates a new CA and issues the Vault server certificate again")
	return nil
}
