package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/alecthomas/kong"
)

// CLI is the root of the command line. Each field is one sub-command; its
// type lives in a file of its own (lint.go, explain.go, ...) and has a
// Run(*Env) error method.
type CLI struct {
	Lint    LintCmd    `cmd:"" help:"Check cluster.conf files for errors and risky settings."`
	Explain ExplainCmd `cmd:"" help:"Describe a lint rule."`
	Export  ExportCmd  `cmd:"" help:"Print a parsed cluster.conf as JSON."`
	Plan    PlanCmd    `cmd:"" help:"Compile cluster.conf into an ordered plan without secrets."`
	Show    ShowCmd    `cmd:"" help:"Print a saved plan file."`
	Version VersionCmd `cmd:"" help:"Print the version of confc."`
	Fmt     FmtCmd     `cmd:"" help:"Rewrite cluster.conf files in the canonical Dconf layout."`
	Apply   ApplyCmd   `cmd:"" help:"Apply cluster.conf (or a saved plan) to Vault and Consul."`
	Lock    LockCmd    `cmd:"" help:"Show or release the apply lock."`

	Security SecurityCmd `cmd:"" help:"Check and unseal Vault, change the passphrase, refresh tokens, reset the CA."`

	Completion CompletionCmd `cmd:"" help:"Print a shell completion script for bash, zsh or fish."`

	// Logging flags apply to every command.
	Logging LogFlags `embed:""`
}

// Env carries the streams of one invocation, so that commands never touch
// os.Stdin, os.Stdout or os.Stderr and can be tested in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Log receives diagnostic messages about the run itself (timings,
	// counts), never findings and never values from the checked files.
	Log *slog.Logger
}

// exitError asks run to end with a given exit code. Err, when not nil, is
// printed to stderr first.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// exitWith returns an error that makes run exit with code, printing err
// (when not nil) to stderr.
func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// exitUsage is the exit code of a command line that cannot be understood.
const exitUsage = 2

// kongExit is thrown (as a panic value) by the exit hook handed to kong, so
// that --help and similar flags return from run instead of ending the
// process.
type kongExit int

// run parses args, runs the chosen command and returns the process exit
// code. It never calls os.Exit, so tests can drive the whole CLI.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("confc"),
		kong.Description("confc lints cluster.conf, compiles it into an ordered plan without secrets, and applies the plan to Vault and Consul."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { panic(kongExit(c)) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	)
	if err != nil {
		// A malformed command struct is a programming error, but it
		// still deserves a message rather than a stack trace.
		fmt.Fprintf(stderr, "confc: %v\n", err)
		return 1
	}

	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			code = int(c)
		}
	}()

	// With COMP_LINE set, the shell asks for completions: print them and
	// stop before parsing (see completion.go).
	answerCompletion(parser)

	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "confc: %v\n", err)
		fmt.Fprintln(stderr, "run \"confc --help\" for usage")
		return exitUsage
	}

	logger, err := cli.Logging.logger(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "confc: %v\n", err)
		return exitUsage
	}
	err = kctx.Run(&Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Log: logger})
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "confc: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "confc: %v\n", err)
	return 1
}
