package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/dconf"
	"github.com/confc/confc/lint"
)

// LockCmd inspects and releases the apply lock.
type LockCmd struct {
	Status  LockStatusCmd  `cmd:"" help:"Show who holds the apply lock of the cluster."`
	Release LockReleaseCmd `cmd:"" help:"Release an apply lock left by a killed apply."`
}

// lockFlags are the flags of the lock sub-commands.
type lockFlags struct {
	Config      string `short:"c" name:"config" required:"" placeholder:"CLUSTER.CONF" help:"cluster.conf of the cluster."`
	ConsulAddr  string `name:"consul-addr" env:"CONSUL_HTTP_ADDR" placeholder:"URL" help:"Consul HTTP API (default: https://HOST:8501 for the first kv-store host in cluster.conf)."`
	ConsulCA    string `name:"consul-cacert" env:"CONSUL_CACERT" type:"path" placeholder:"FILE" help:"CA certificate (PEM) of Consul's TLS certificate."`
	ConsulToken string `name:"consul-token" env:"CONSUL_HTTP_TOKEN" hidden:"" help:"Consul ACL token; set CONSUL_HTTP_TOKEN instead of using this flag."`
}

// LockStatusCmd prints the state of the apply lock.
type LockStatusCmd struct {
	lockFlags `embed:""`
	JSON      bool `name:"json" help:"Print the lock state as JSON."`
}

// LockReleaseCmd ends the session holding the apply lock.
type LockReleaseCmd struct {
	lockFlags `embed:""`
	Force     bool `name:"force" help:"Required: release the lock even though its holder may still run."`
}

// Help is the long description shown by "confc lock --help".
func (LockCmd) Help() string {
	return `Inspects or frees the lock that keeps two applies of one cluster from
running at once. The lock lives in Consul beside the apply journal; the
sub-commands read the cluster name from cluster.conf to find it.

Example:
  confc lock status -c cluster.conf`
}

// Help is the long description shown by "confc lock status --help".
func (LockStatusCmd) Help() string {
	return `Prints whether the apply lock of the cluster is held and by whom (or,
when it is free, who held it last), so that an operator can tell whether
an apply is running before releasing the lock.

Example:
  confc lock status --json -c cluster.conf`
}

// Help is the long description shown by "confc lock release --help".
func (LockReleaseCmd) Help() string {
	return `Ends the Consul session that holds the apply lock, so that a lock left by
an apply that was killed is free at once instead of when its session
expires (about 20 seconds). Make sure the holder is gone: releasing the lock
of a running apply lets a second one run beside it. The journal is kept, so
the next apply still resumes.

Example:
  confc lock release --force -c cluster.conf`
}

// client parses cluster.conf for the cluster name and makes a Consul client.
func (f *lockFlags) client(env *Env) (*consulapi.Client, string, error) {
	r, err := lint.Path(f.Config)
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %q: %w", f.Config, unwrapPathError(err))
	}
	if r.ParseFailed() {
		_ = lint.WriteText(env.Stderr, []*lint.Result{r}, lint.TextOptions{})
		return nil, "", fmt.Errorf("%q does not parse", f.Config)
	}
	name, _ := clusterName(r.File)
	if name == "" {
		return nil, "", fmt.Errorf("%q sets no chef.continuum.cluster_name", f.Config)
	}
	cf := ConnFlags{ConsulAddr: f.ConsulAddr}
	addr, err := cf.consulAddr(env, r.File)
	if err != nil {
		return nil, "", err
	}
	env.log().Debug("cluster", slog.String("name", name), slog.String("lock", apply.LockKey(name)),
		slog.Bool("cacert", f.ConsulCA != ""), slog.Bool("token", f.ConsulToken != ""))
	c, err := apply.NewConsulClient(apply.Conn{ConsulAddr: addr, ConsulCACert: f.ConsulCA, ConsulToken: f.ConsulToken})
	return c, name, err
}

func clusterName(f *dconf.File) (string, bool) {
	v := dconf.Lookup(f.Root, dconf.Path{{Key: "chef"}, {Key: "continuum"}, {Key: "cluster_name"}})
	s, ok := v.(*dconf.String)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// Run prints the lock state.
func (c *LockStatusCmd) Run(env *Env) error {
	client, name, err := c.client(env)
	if err != nil {
		return exitWith(1, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	info, err := apply.ReadLock(ctx, client, name)
	if err != nil {
		return exitWith(1, err)
	}
	env.log().Debug("lock read", lockAttrs(info, start)...)
	if c.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	switch {
	case info.Held && info.Holder != nil:
		fmt.Fprintf(env.Stdout, "lock %s is held by %s\n", info.Key, info.Holder)
	case info.Held:
		fmt.Fprintf(env.Stdout, "lock %s is held by session %s\n", info.Key, info.Session)
	case info.Holder != nil:
		fmt.Fprintf(env.Stdout, "lock %s is free (last held by %s)\n", info.Key, info.Holder)
	default:
		fmt.Fprintf(env.Stdout, "lock %s is free\n", info.Key)
	}
	return nil
}

// Run releases the lock.
func (c *LockReleaseCmd) Run(env *Env) error {
	if !c.Force {
		return exitWith(exitUsage, errors.New("refusing to release the lock without --force: its holder may still be running"))
	}
	client, name, err := c.client(env)
	if err != nil {
		return exitWith(1, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	info, err := apply.ForceRelease(ctx, client, name)
	if err != nil {
		return exitWith(1, err)
	}
	env.log().Info("lock released by force", lockAttrs(info, start)...)
	if !info.Held {
		fmt.Fprintf(env.Stdout, "lock %s was not held\n", info.Key)
		return nil
	}
	who := "session " + info.Session
	if info.Holder != nil {
		who = info.Holder.String()
	}
	fmt.Fprintf(env.Stdout, "released lock %s held by %s\n", info.Key, who)
	return nil
}

// lockAttrs describes a lock for the log: its key, whether it was held and
// by whom. A holder carries no secret: user, host, pid, start time and the
// plan's fingerprint.
func lockAttrs(info *apply.LockInfo, start time.Time) []any {
	attrs := []any{slog.String("key", info.Key), slog.Bool("held", info.Held)}
	if info.Holder != nil {
		attrs = append(attrs, slog.String("holder", info.Holder.String()))
	}
	return append(attrs, since(start))
}
