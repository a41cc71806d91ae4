package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/compiler"
	"github.com/confc/confc/dconf"
	"github.com/confc/confc/lint"
)

// Exit codes of "confc apply" beyond 0 (success).
const (
	applyExitFailed  = 1 // the apply failed or was refused
	applyExitChanged = 2 // with --detailed-exitcode: it changed something
)

// ConnFlags are the connection and secret-input flags shared by apply,
// plan --refresh and the lock commands.
type ConnFlags struct {
	VaultAddr    string `name:"vault-addr" env:"VAULT_ADDR" placeholder:"URL[,URL...]" help:"Vault servers, comma-separated (default: https://HOST:8200 for each vault host in cluster.conf). confc apply unseals every sealed one; plan --refresh only reads."`
	VaultCACert  string `name:"vault-cacert" env:"VAULT_CACERT" type:"path" placeholder:"FILE" help:"CA certificate (PEM) that signed Vault's TLS certificate."`
	ConsulAddr   string `name:"consul-addr" env:"CONSUL_HTTP_ADDR" placeholder:"URL" help:"Consul HTTP API (default: https://HOST:8501 for the first kv-store host in cluster.conf)."`
	ConsulCACert string `name:"consul-cacert" env:"CONSUL_CACERT" type:"path" placeholder:"FILE" help:"CA certificate (PEM) of Consul's TLS certificate, for an https address."`
	// The Consul token comes from the environment so that it never shows
	// in a process list.
	ConsulToken string `name:"consul-token" env:"CONSUL_HTTP_TOKEN" hidden:"" help:"Consul ACL token; set CONSUL_HTTP_TOKEN instead of using this flag."`

	// Where the passphrase and answers come from: see input.go.
	SecretFlags `embed:""`
}

// conn resolves the server addresses, deriving missing ones from
// cluster.conf and saying so on stderr.
func (f *ConnFlags) conn(env *Env, file *dconf.File) (apply.Conn, error) {
	c := apply.Conn{VaultCACert: f.VaultCACert, ConsulAddr: f.ConsulAddr, ConsulCACert: f.ConsulCACert, ConsulToken: f.ConsulToken}
	for _, a := range strings.Split(f.VaultAddr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.VaultAddrs = append(c.VaultAddrs, a)
		}
	}
	derived := len(c.VaultAddrs) == 0
	if derived {
		for _, h := range hostsWithTag(file, "vault") {
			c.VaultAddrs = append(c.VaultAddrs, "https://"+h+":8200")
		}
		if len(c.VaultAddrs) == 0 {
			return c, errors.New("no vault address: set --vault-addr or VAULT_ADDR (cluster.conf has no host tagged vault)")
		}
		fmt.Fprintf(env.Stderr, "confc: no --vault-addr or VAULT_ADDR, using the vault hosts of cluster.conf: %s\n", strings.Join(c.VaultAddrs, ","))
	}
	env.log().Debug("vault servers", slog.Any("addrs", redactAddrs(c.VaultAddrs)), slog.Bool("derived", derived),
		slog.Bool("cacert", c.VaultCACert != ""))
	addr, err := f.consulAddr(env, file)
	c.ConsulAddr = addr
	if err != nil {
		return c, err
	}
	return c, nil
}

// consulAddr returns the Consul address, derived from cluster.conf when
// not given.
func (f *ConnFlags) consulAddr(env *Env, file *dconf.File) (string, error) {
	if f.ConsulAddr != "" {
		if w := apply.PlainConsulWarning(f.ConsulAddr); w != "" {
			fmt.Fprintf(env.Stderr, "confc: warning: %s\n", w)
		}
		env.log().Debug("consul server", slog.String("addr", redactAddr(f.ConsulAddr)), slog.Bool("derived", false))
		return f.ConsulAddr, nil
	}
	hosts := hostsWithTag(file, "kv-store")
	if len(hosts) == 0 {
		return "", errors.New("no consul address: set --consul-addr or CONSUL_HTTP_ADDR (cluster.conf has no host tagged kv-store)")
	}
	// Consul's HTTPS port, so that a derived address is verified TLS.
	addr := "https://" + hosts[0] + ":8501"
	fmt.Fprintf(env.Stderr, "confc: no --consul-addr or CONSUL_HTTP_ADDR, using the first kv-store host of cluster.conf: %s\n", addr)
	env.log().Debug("consul server", slog.String("addr", addr), slog.Bool("derived", true))
	return addr, nil
}

// hostsWithTag returns the hosts of the machine groups whose suitable_tags
// include tag: groups in file order, hosts in order, no duplicates.
func hostsWithTag(f *dconf.File, tag string) []string {
	if f == nil || f.Root == nil {
		return nil
	}
	e := f.Root.Get("machines")
	if e == nil {
		return nil
	}
	groups, ok := e.Value.(*dconf.Map)
	if !ok {
		return nil
	}
	var hosts []string
	for _, g := range groups.Entries {
		gm, ok := g.Value.(*dconf.Map)
		if !ok || !slices.Contains(stringList(gm, "suitable_tags"), tag) {
			continue
		}
		for _, h := range stringList(gm, "hosts") {
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

func stringList(m *dconf.Map, key string) []string {
	e := m.Get(key)
	if e == nil {
		return nil
	}
	a, ok := e.Value.(*dconf.Array)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range a.Elems {
		if s, ok := v.(*dconf.String); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

// ApplyCmd executes a plan against Vault and Consul.
type ApplyCmd struct {
	Config           string `short:"c" name:"config" required:"" placeholder:"CLUSTER.CONF" help:"cluster.conf to apply."`
	PlanFile         string `arg:"" optional:"" name:"planfile" help:"Plan file from confc plan -o; refused when it no longer matches cluster.conf. Without it, cluster.conf is compiled now."`
	JSON             bool   `name:"json" help:"Print a stream of JSON events, one object per line, instead of progress."`
	DetailedExitcode bool   `name:"detailed-exitcode" help:"Exit 2 when the apply succeeded and changed something."`
	ReinitVault      bool   `name:"reinit-vault" help:"Initialize an uninitialized Vault even though Consul holds the unseal keys of an earlier one; those keys are copied to a backup key first."`

	ConnFlags `embed:""`
}

// Help is the long description shown by "confc apply --help".
func (ApplyCmd) Help() string {
	return `Runs the plan against Vault and Consul. It takes a lock in Consul (a second
apply fails at once and names the holder), initializes Vault on the first
run (the unseal keys are kept in Consul, encrypted with the cluster
passphrase) or unseals it, logs in with the passphrase, and runs each step:
read, compare, write only what differs, with check-and-set. A journal in
Consul lets an interrupted apply resume; a re-run against unchanged servers
writes nothing. Generated secrets are made once and never rotated by a
re-run. No secret value is ever printed. docs/apply.md has the details.

Exit status:
  0  the apply completed
  1  the apply failed or was refused (lint errors, stale plan, wrong
     passphrase, lock held, a step failed)
  2  usage error; with --detailed-exitcode: completed and changed something

Example:
  echo '{"clusterPassphrase": "...", "prompts": {...}}' |
    confc apply -c cluster.conf --input-json plan.json`
}

// Run checks the inputs, then applies.
func (c *ApplyCmd) Run(env *Env) error {
	// The passphrase and answers: --input-json, --nopass, cluster.sec or
	// the terminal (input.go). Vault is only probed, read-only, when the
	// terminal is used.
	secrets, err := beginSecrets(env, &c.SecretFlags, c.terminalFor(env))
	if err != nil {
		return exitWith(applyExitFailed, err)
	}
	file, plan, err := loadPlan(env, c.Config, c.PlanFile)
	if err != nil {
		return err
	}
	conn, err := c.conn(env, file)
	if err != nil {
		return exitWith(applyExitFailed, err)
	}
	sec, err := secrets.finish(context.Background(), secretNeeds{
		Config: c.Config, File: file, Prompts: apply.PromptsUsed(plan), Probe: loggedProbe(env, conn),
	})
	if err != nil {
		return exitWith(applyExitFailed, err)
	}
	pass, answers := sec.Passphrase, sec.Answers
	if err := apply.CheckAnswers(plan, answers); err != nil {
		return exitWith(applyExitFailed, err)
	}

	var rep apply.Reporter
	var progress *apply.ProgressReporter
	switch {
	case c.JSON:
		rep = apply.NewJSONReporter(env.Stdout)
	case isTerminal(env.Stdout):
		progress = apply.NewProgressReporter(env.Stdout)
		rep = progress
	default:
		rep = &apply.TextReporter{W: env.Stdout}
	}

	// The holder is made here rather than by the engine so that the log
	// can name it.
	holder := apply.CurrentHolder(plan.Fingerprint, time.Now())
	logRep := &logReporter{next: rep, log: env.log(), holder: &holder, start: time.Now()}
	logRep.log.Debug("apply starting", slog.String("cluster", plan.Cluster.Name), slog.Int("steps", len(plan.Steps)),
		slog.String("plan", plan.Fingerprint), slog.Int("prompts", len(apply.PromptsUsed(plan))))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := apply.Apply(ctx, apply.Options{
		Plan: plan, File: file, Conn: conn, Passphrase: pass, Answers: answers, Reporter: logRep,
		ReinitVault: c.ReinitVault, Holder: holder,
	})
	if progress != nil {
		progress.Wait()
	}
	logRep.finished(sum, err)
	if err != nil {
		return exitWith(applyExitFailed, err)
	}
	if c.DetailedExitcode && sum.Changed() {
		return exitWith(applyExitChanged, nil)
	}
	return nil
}

// loadPlan lints cluster.conf and returns it with its plan: the plan file,
// checked for staleness, or a plan compiled now.
func loadPlan(env *Env, config, planFile string) (*dconf.File, *compiler.Plan, error) {
	r, err := lint.Path(config)
	if err != nil {
		return nil, nil, exitWith(applyExitFailed, fmt.Errorf("cannot read %q: %w", config, unwrapPathError(err)))
	}
	if len(r.Diagnostics) > 0 {
		_ = lint.WriteText(env.Stderr, []*lint.Result{r}, lint.TextOptions{})
	}
	if r.ParseFailed() {
		return nil, nil, exitWith(applyExitFailed, fmt.Errorf("%q does not parse", config))
	}
	if r.HasErrors() {
		return nil, nil, exitWith(applyExitFailed, fmt.Errorf("not applying: %q has lint errors", config))
	}
	if planFile == "" {
		p, err := compiler.Compile(r.File)
		if err != nil {
			return nil, nil, exitWith(applyExitFailed, err)
		}
		return r.File, p, nil
	}
	p, err := compiler.ReadFile(planFile)
	if err != nil {
		return nil, nil, exitWith(applyExitFailed, unwrapPathError(err))
	}
	if err := compiler.CheckFresh(p, r.File); err != nil {
		return nil, nil, exitWith(applyExitFailed, fmt.Errorf("refusing plan %q: %w", planFile, err))
	}
	return r.File, p, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// refreshPlan marks each step of p with what applying it would do, reading
// the servers without writing. plan --refresh calls it.
func refreshPlan(env *Env, f *ConnFlags, config string, file *dconf.File, p *compiler.Plan) error {
	conn, err := f.conn(env, file)
	if err != nil {
		return err
	}
	// Missing answers are not asked for: their steps show as unknown.
	sec, err := resolveSecrets(context.Background(), env, &f.SecretFlags, f.terminalFor(env), secretNeeds{
		Config: config, File: file, Prompts: apply.PromptsUsed(p), Optional: true, Probe: loggedProbe(env, conn),
	})
	if err != nil {
		return err
	}
	pass, answers := sec.Passphrase, sec.Answers
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	err = apply.Refresh(ctx, apply.Options{
		Plan: p, File: file, Conn: conn, Passphrase: pass, Answers: answers,
		Reporter: &apply.TextReporter{W: env.Stderr},
	})
	if err != nil {
		env.log().Debug("refresh failed", slog.String("file", config), since(start))
		return err
	}
	counts := map[compiler.Status]int{}
	for _, s := range p.Steps {
		counts[s.Status]++
	}
	env.log().Debug("plan refreshed", slog.String("file", config), slog.Int("steps", len(p.Steps)),
		slog.Int("create", counts[compiler.StatusCreate]), slog.Int("update", counts[compiler.StatusUpdate]),
		slog.Int("noop", counts[compiler.StatusNoop]), slog.Int("unknown", counts[compiler.StatusUnknown]), since(start))
	return nil
}

// redactAddr hides a password in a server address given as a URL with
// user information, so that the address can be logged.
func redactAddr(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		// An address that does not parse may hold anything; log only
		// that it is there.
		return "(unparsable address)"
	}
	return u.Redacted()
}

func redactAddrs(addrs []string) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = redactAddr(a)
	}
	return out
}

// loggedProbe is vaultProbe that also logs what each server answered. It
// asks the servers one at a time, which sends the same requests as
// probing them all at once and tells which one answered.
func loggedProbe(env *Env, conn apply.Conn) func(ctx context.Context) (apply.VaultProbe, error) {
	return func(ctx context.Context) (apply.VaultProbe, error) {
		var total apply.VaultProbe
		for _, addr := range conn.VaultAddrs {
			one := conn
			one.VaultAddrs = []string{addr}
			start := time.Now()
			p, err := vaultProbe(one)(ctx)
			if err != nil {
				return total, err
			}
			env.log().Debug("vault probed", slog.String("addr", redactAddr(addr)), slog.Bool("reachable", p.Reachable > 0),
				slog.Bool("initialized", p.Initialized), since(start))
			total.Reachable += p.Reachable
			total.Initialized = total.Initialized || p.Initialized
		}
		return total, nil
	}
}

// logReporter passes the engine's events on to the reporter the user sees
// and logs them. It logs step IDs, kinds, targets and results, never an
// event's message: a failure message quotes a server's error, which is
// not ours to vouch for.
type logReporter struct {
	next   apply.Reporter
	log    *slog.Logger
	holder *apply.Holder
	start  time.Time

	mu      sync.Mutex
	locked  bool      // the start event came: the lock is held
	last    time.Time // the previous event, to time each step
	notices int
}

// Report logs e and hands it on.
func (l *logReporter) Report(e apply.Event) {
	l.mu.Lock()
	now := time.Now()
	switch e.Type {
	case apply.EventStart:
		// The engine reports the start once Vault is unsealed and logged
		// in, the lock is taken and the journal is open.
		l.locked = true
		l.log.Debug("vault ready", since(l.start))
		l.log.Debug("lock taken", slog.String("holder", l.holder.String()))
		l.log.Debug("running steps", slog.Int("steps", e.Total))
	case apply.EventStep:
		l.log.Debug("step", slog.Int("index", e.Index), slog.Int("total", e.Total), slog.String("step", e.Step),
			slog.String("kind", e.Kind), slog.String("target", e.Target), slog.String("result", string(e.Result)), since(l.last))
	case apply.EventNotice:
		l.notices++
	}
	l.last = now
	l.mu.Unlock()
	if l.next != nil {
		l.next.Report(e)
	}
}

// finished logs the journal state, the lock release and the summary once
// Apply has returned (and so released the lock).
func (l *logReporter) finished(sum *apply.Summary, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked {
		l.log.Debug("lock released", slog.String("holder", l.holder.String()))
	}
	if sum == nil {
		l.log.Info("apply refused", slog.Bool("locked", l.locked), since(l.start))
		return
	}
	if l.locked {
		state := "fresh"
		if sum.Resumed {
			state = "resumed"
		}
		l.log.Debug("journal", slog.String("state", state), slog.Int("skipped", sum.Skipped))
	}
	l.log.Info("apply finished", slog.Bool("complete", sum.Complete), slog.Bool("ok", err == nil),
		slog.Int("created", sum.Created), slog.Int("updated", sum.Updated), slog.Int("unchanged", sum.Unchanged),
		slog.Int("failed", sum.Failed), slog.Int("skipped", sum.Skipped), slog.Bool("resumed", sum.Resumed),
		slog.Int("notices", l.notices), slog.Float64("ms", math.Round(sum.Seconds*1e6)/1e3))
}
