package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"

	"github.com/confc/confc/lint"
)

// CompletionCmd prints a shell completion script.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"Shell to print the script for: bash, zsh or fish."`
}

// Help is the long description shown by "confc completion --help".
func (CompletionCmd) Help() string {
	return `Prints a script that makes the shell complete confc's commands, flags,
flag values, rule IDs and file names. The script calls confc itself with
COMP_LINE set to find the candidates, so it stays in step with the binary
on the PATH; load it from the shell's start-up file.

Install:
  bash: echo 'source <(confc completion bash)' >> ~/.bashrc
  zsh:  echo 'source <(confc completion zsh)' >> ~/.zshrc
  fish: confc completion fish > ~/.config/fish/completions/confc.fish

Example:
  confc completion bash`
}

// Run prints the script for the chosen shell.
func (c *CompletionCmd) Run(env *Env) error {
	script, ok := completionScripts[c.Shell]
	if !ok {
		return exitWith(exitUsage, fmt.Errorf("unknown shell %q: expected bash, zsh or fish", c.Shell))
	}
	env.log().Debug("completion script", slog.String("shell", c.Shell))
	_, err := fmt.Fprint(env.Stdout, script)
	return err
}

// The scripts hand the command line to confc in COMP_LINE (and the cursor
// in COMP_POINT); confc prints one candidate a line (see answerCompletion). bash's
// "complete -C" sets both variables itself; zsh reuses bash's mechanism;
// fish has to set COMP_LINE by hand.
var completionScripts = map[string]string{
	"bash": `# confc completion for bash; load with: source <(confc completion bash)
complete -o default -C confc confc
`,
	"zsh": `# confc completion for zsh; load with: source <(confc completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
complete -o default -C confc confc
`,
	"fish": `# confc completion for fish; save as ~/.config/fish/completions/confc.fish
function __confc_complete
    set -lx COMP_LINE (commandline -cp)
    # An empty current token means the cursor follows a space, which
    # "commandline -cp" drops; confc needs it to offer the next word.
    if test -z (commandline -ct)
        set COMP_LINE "$COMP_LINE "
    end
    confc
end
complete -f -c confc -a '(__confc_complete)'
`,
}

// completionPredictors fill in values kong cannot guess from the command
// structs: the kind of file an argument names, and rule IDs. Fields pick one
// with a predictor:"NAME" tag.
func completionPredictors() kongplete.Option {
	return kongplete.WithPredictors(map[string]complete.Predictor{
		// PredictFiles offers directories too, to walk into them.
		"conf":   complete.PredictFiles("*.conf"),
		"cue":    complete.PredictFiles("*.cue"),
		"plan":   complete.PredictFiles("*.json"),
		"ruleid": complete.PredictSet(lint.RuleIDs()...),
	})
}

// answerCompletion answers a shell's completion request when COMP_LINE is set: it
// prints the candidates to the parser's stdout and leaves through the
// parser's exit hook. Otherwise it returns at once.
func answerCompletion(parser *kong.Kong) {
	if os.Getenv("COMP_LINE") == "" {
		return
	}
	kongplete.Complete(parser,
		completionPredictors(),
		kongplete.WithErrorHandler(func(err error) {
			fmt.Fprintf(parser.Stderr, "confc: completion failed: %v\n", err)
		}),
	)
}
