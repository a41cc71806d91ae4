package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/confc/confc/apply"
	"github.com/confc/confc/dconf"
	"github.com/confc/confc/internal/prompt"
	"github.com/confc/confc/internal/secfile"
)

// SecretFlags choose where the cluster passphrase and the prompt answers
// come from. Commands that talk to Vault embed them (through ConnFlags).
type SecretFlags struct {
	InputJSON bool `name:"input-json" help:"Read the cluster passphrase, the config passphrase of cluster.sec and prompt answers from stdin as JSON: {\"clusterPassphrase\": ..., \"configPassphrase\": ..., \"prompts\": {...}}."`
	// NoPass is a pointer so that --nopass=false, which makes
	// --non-interactive demand a real passphrase, differs from no flag.
	NoPass         *bool `name:"nopass" help:"Use the documented default cluster passphrase (insecure)."`
	NonInteractive bool  `name:"non-interactive" help:"Never prompt on the terminal; implies --nopass unless --nopass=false is given."`
}

// nopass reports whether the default passphrase is to be used when no
// other passphrase is given.
func (f *SecretFlags) nopass() bool {
	if f.NoPass != nil {
		return *f.NoPass
	}
	return f.NonInteractive
}

// secretNeeds says what a command needs resolved.
type secretNeeds struct {
	// Config is the path of cluster.conf as given; cluster.sec is looked
	// for in the same directory.
	Config string
	// File is the parsed cluster.conf, for the prompt declarations.
	File *dconf.File
	// Prompts names the prompts whose answers are needed.
	Prompts []string
	// Optional says missing answers are not an error and are not asked
	// for on the terminal (plan --refresh marks their steps unknown).
	Optional bool
	// Probe, when set, looks at Vault before anything secret is asked on
	// the terminal: an unreachable Vault is reported (and the operator
	// asked whether to go on), an uninitialized one means the passphrase
	// is being chosen now and must be typed twice. Nil means the
	// passphrase is typed once.
	Probe func(ctx context.Context) (apply.VaultProbe, error)
}

// resolvedSecrets are the cluster passphrase and the prompt answers.
type resolvedSecrets struct {
	Passphrase string
	Answers    apply.StaticAnswers
}

// terminalFor returns the operator's terminal when stdin is one and the
// flags allow prompting; nil otherwise.
func (f *SecretFlags) terminalFor(env *Env) prompt.Terminal {
	if f.NonInteractive || f.InputJSON {
		return nil
	}
	t, ok := prompt.NewOSTerminal(env.Stdin, env.Stderr)
	if !ok {
		return nil
	}
	return t
}

// resolveSecrets finds the cluster passphrase and the answers. Sources, in
// order: the --input-json document; --nopass (or --non-interactive); the
// terminal. Answers come from --input-json, then cluster.sec, then the
// terminal in the order cluster.conf declares the prompts. term is nil when
// there is no terminal to ask on. Nothing read here is ever printed.
func resolveSecrets(ctx context.Context, env *Env, f *SecretFlags, term prompt.Terminal, need secretNeeds) (*resolvedSecrets, error) {
	r, err := beginSecrets(env, f, term)
	if err != nil {
		return nil, err
	}
	return r.finish(ctx, need)
}

// secretResolver carries a resolution from beginSecrets to finish.
type secretResolver struct {
	env   *Env
	flags *SecretFlags
	term  prompt.Terminal
	in    *apply.Input
	pass  string // empty until known
}

// beginSecrets does what needs neither cluster.conf nor a terminal: it
// reads the --input-json document and takes the passphrase from it or from
// --nopass, refusing a short one; or it checks that a terminal is there to
// ask for it. Commands call it first, so that a missing or short passphrase
// is reported before anything else is done.
func beginSecrets(env *Env, f *SecretFlags, term prompt.Terminal) (*secretResolver, error) {
	if f.NonInteractive || f.InputJSON {
		term = nil
	}
	r := &secretResolver{env: env, flags: f, term: term, in: &apply.Input{}}
	if f.InputJSON {
		in, err := apply.ReadInput(env.Stdin)
		if err != nil {
			return nil, err
		}
		r.in = in
	}
	switch {
	case r.in.ClusterPassphrase != "":
		if err := apply.CheckPassphrase(r.in.ClusterPassphrase); err != nil {
			return nil, err
		}
		r.pass = r.in.ClusterPassphrase
	case f.nopass():
		if f.NoPass == nil {
			// Nobody asked for the default passphrase by name here, so
			// say plainly where it came from and how to refuse it.
			fmt.Fprintln(env.Stderr, "confc: WARNING: --non-interactive implies --nopass: no passphrase was given, so the documented default one is used; give --nopass=false to stop with an error instead")
		}
		fmt.Fprintln(env.Stderr, "confc: warning: --nopass uses the documented default cluster passphrase; anyone who can reach Vault can log in as the cluster admin")
		r.pass = apply.DefaultPassphrase
	case term == nil:
		return nil, noPassphraseError(f, env)
	}
	return r, nil
}

// finish asks the terminal for what is still missing and fills the
// answers.
func (r *secretResolver) finish(ctx context.Context, need secretNeeds) (*resolvedSecrets, error) {
	specs, err := prompt.Specs(need.File)
	if err != nil {
		return nil, err
	}
	term := r.term

	// The passphrase: checked for length as it is typed, before anything
	// is contacted.
	typed := false
	if r.pass == "" {
		if r.pass, err = prompt.Passphrase(term, prompt.PassphraseRequest{Label: "cluster passphrase", MinLength: apply.MinPassphraseLen}); err != nil {
			return nil, promptError(err)
		}
		typed = true
	}

	// A look at Vault before secrets are asked for: say early when it
	// cannot be reached, and learn whether the passphrase is new.
	if term != nil && need.Probe != nil {
		p, err := need.Probe(ctx)
		if err != nil {
			return nil, err
		}
		if p.Reachable == 0 {
			fmt.Fprintln(term, "confc: no Vault server answered")
			ok, err := prompt.ConfirmUnreachable(term)
			if err != nil {
				return nil, promptError(err)
			}
			if !ok {
				return nil, errors.New("stopped: the secret store cannot be reached; nothing was changed")
			}
		}
		if typed && p.Reachable > 0 && !p.Initialized {
			if r.pass, err = confirmNewPassphrase(term, r.pass); err != nil {
				return nil, promptError(err)
			}
		}
	}

	answers, err := resolveAnswers(r.env, term, r.in, specs, need)
	if err != nil {
		return nil, err
	}
	return &resolvedSecrets{Passphrase: r.pass, Answers: answers}, nil
}

// confirmNewPassphrase asks for the passphrase a second time when Vault is
// not initialized, since the passphrase typed becomes the cluster's. A
// mismatch starts over with both entries.
func confirmNewPassphrase(term prompt.Terminal, pass string) (string, error) {
	fmt.Fprintln(term, "Vault is not initialized: the passphrase you typed becomes the cluster passphrase.")
	fmt.Fprint(term, "Confirm cluster passphrase: ")
	again, err := term.ReadHidden()
	if err != nil {
		return "", err
	}
	if again == pass {
		return pass, nil
	}
	fmt.Fprintln(term, "the two entries differ; type the new passphrase twice")
	return prompt.Passphrase(term, prompt.PassphraseRequest{Label: "cluster passphrase", MinLength: apply.MinPassphraseLen, Confirm: true})
}

// noPassphraseError tells which flag supplies the passphrase.
func noPassphraseError(f *SecretFlags, env *Env) error {
	switch {
	case f.NonInteractive:
		return errors.New(`no cluster passphrase: --non-interactive with --nopass=false needs "clusterPassphrase" in the --input-json document`)
	case f.InputJSON:
		return errors.New(`no cluster passphrase: the --input-json document has no "clusterPassphrase"; add it, or use --nopass (insecure)`)
	}
	if !isTerminalReader(env.Stdin) {
		return errors.New(`no cluster passphrase: stdin is not a terminal, so it cannot be asked for; give it as "clusterPassphrase" with --input-json, or use --nopass (insecure)`)
	}
	return errors.New(`no cluster passphrase: give it as "clusterPassphrase" with --input-json, or use --nopass (insecure)`)
}

func isTerminalReader(r io.Reader) bool {
	_, ok := prompt.NewOSTerminal(r, io.Discard)
	return ok
}

// resolveAnswers fills the needed answers from the input document, then
// cluster.sec, then the terminal.
func resolveAnswers(env *Env, term prompt.Terminal, in *apply.Input, specs []prompt.Spec, need secretNeeds) (apply.StaticAnswers, error) {
	answers := apply.StaticAnswers{}
	byName := map[string]*prompt.Spec{}
	for i := range specs {
		byName[specs[i].Name] = &specs[i]
	}
	check := func(name, value, source string) error {
		s, ok := byName[name]
		if !ok {
			return nil
		}
		if err := s.Check(value); err != nil {
			return fmt.Errorf("%s: %w", source, err)
		}
		return nil
	}

	for _, n := range need.Prompts {
		if v, ok := in.Prompts[n]; ok {
			if err := check(n, v, "--input-json"); err != nil {
				return nil, err
			}
			answers[n] = v
		}
	}
	missing := missingAnswers(need.Prompts, answers)

	// cluster.sec, when some answer is still missing.
	secPath := secfile.PathFor(need.Config)
	var saved map[string]string // everything cluster.sec holds, to keep on Save
	configPass := in.ConfigPassphrase
	secRead := false
	if len(missing) > 0 && secfile.Exists(secPath) && (configPass != "" || term != nil) {
		c, pass, err := readSecFile(env, term, secPath, configPass)
		if err != nil {
			return nil, err
		}
		saved, configPass, secRead = c.Prompts, pass, true
		for _, n := range missing {
			v, ok := saved[n]
			if !ok {
				continue
			}
			if err := check(n, v, secPath); err != nil {
				if term == nil {
					return nil, err
				}
				fmt.Fprintf(term, "%v; it will be asked for\n", err)
				continue
			}
			answers[n] = v
		}
		missing = missingAnswers(need.Prompts, answers)
	}
	if len(missing) == 0 || need.Optional {
		return answers, nil
	}
	if term == nil {
		err := error(&apply.MissingAnswersError{Names: missing})
		if secfile.Exists(secPath) && !secRead {
			err = fmt.Errorf(`%w; %s exists: give its "configPassphrase" in the --input-json document to read it`, err, secPath)
		}
		return nil, err
	}

	// The terminal, in the order cluster.conf declares the prompts.
	flow := &prompt.Flow{Term: term, Answers: map[string]string{}}
	for k, v := range saved {
		flow.Answers[k] = v
	}
	for k, v := range answers {
		flow.Answers[k] = v
	}
	for _, s := range specs {
		if slices.Contains(missing, s.Name) {
			flow.Ask = append(flow.Ask, s)
		}
	}
	flow.Save = func(all map[string]string) error {
		if configPass == "" {
			p, err := prompt.Passphrase(term, prompt.PassphraseRequest{
				Label:     "config passphrase",
				Note:      "The answers are saved in " + secPath + ", encrypted with a config passphrase of your choice.",
				MinLength: secfile.MinPassphraseLen,
				Confirm:   true,
			})
			if err != nil {
				return err
			}
			configPass = p
		}
		if err := secfile.Write(secPath, all, configPass); err != nil {
			return err
		}
		fmt.Fprintf(term, "saved %d %s to %s\n", len(all), plural(len(all), "answer", "answers"), secPath)
		return nil
	}
	fmt.Fprintf(term, "%d secret %s to answer; after each: [P]roceed (or Enter), [B]ack, [S]ave to %s, [Q]uit, [E]xplain\n",
		len(flow.Ask), plural(len(flow.Ask), "prompt", "prompts"), secPath)
	if err := flow.Run(); err != nil {
		return nil, promptError(err)
	}
	for _, n := range need.Prompts {
		if v, ok := flow.Answers[n]; ok {
			answers[n] = v
		}
	}
	return answers, nil
}

// readSecFile opens cluster.sec with the given config passphrase or, when
// there is none, one asked on the terminal (up to prompt.MaxAttempts
// tries). It warns when the file is readable by others.
func readSecFile(env *Env, term prompt.Terminal, path, pass string) (*secfile.Contents, string, error) {
	if mode, err := secfile.Mode(path); err == nil && mode&0o077 != 0 {
		fmt.Fprintf(env.Stderr, "confc: warning: %s is readable by others (mode %04o); run chmod 600 on it\n", path, mode)
	}
	if pass != "" {
		c, err := secfile.Read(path, pass)
		return c, pass, err
	}
	for range prompt.MaxAttempts {
		fmt.Fprintf(term, "Config passphrase for %s: ", path)
		p, err := term.ReadHidden()
		if err != nil {
			return nil, "", promptError(err)
		}
		c, err := secfile.Read(path, p)
		if errors.Is(err, secfile.ErrWrongPassphrase) {
			fmt.Fprintln(term, "wrong config passphrase; try again")
			continue
		}
		return c, p, err
	}
	return nil, "", fmt.Errorf("%s: %w", path, secfile.ErrWrongPassphrase)
}

func missingAnswers(names []string, answers apply.StaticAnswers) []string {
	var missing []string
	for _, n := range names {
		if _, ok := answers[n]; !ok {
			missing = append(missing, n)
		}
	}
	return missing
}

// promptError words the errors of the terminal flow for the final
// message.
func promptError(err error) error {
	switch {
	case errors.Is(err, prompt.ErrQuit):
		return err
	case errors.Is(err, prompt.ErrInputEnded):
		return errors.New("the terminal input ended before every answer was given; nothing was changed")
	}
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// vaultProbe returns a probe of the Vault servers of conn for secretNeeds.
func vaultProbe(conn apply.Conn) func(ctx context.Context) (apply.VaultProbe, error) {
	return func(ctx context.Context) (apply.VaultProbe, error) {
		return apply.ProbeVault(ctx, conn)
	}
}
