package main

import (
	"errors"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/lint"
)

// ExportCmd prints a parsed cluster.conf in another format.
type ExportCmd struct {
	File        string `arg:"" name:"file" predictor:"conf" help:"cluster.conf file to export; - reads standard input."`
	Format      string `enum:"json" default:"json" help:"Output format: json."`
	ShowSecrets bool   `name:"show-secrets" help:"Print secret values instead of \"****\"."`
}

// Help is the long description shown by "confc export --help".
func (ExportCmd) Help() string {
	return `Parses the file and prints its data as JSON, keys in file order, so that
other tools (jq, cue vet) can read it. Secret values (settings the schema
marks secret, prompt targets, keys that look secret) are printed as "****"
unless --show-secrets is given. The file is not linted. Exit status is 3
when the file cannot be read or parsed.

Example:
  confc export cluster.conf | jq .components`
}

// Run parses the file and writes it out.
func (c *ExportCmd) Run(env *Env) error {
	name, src, err := readConf(env, c.File)
	if err != nil {
		return exitWith(lintExitUnread, err)
	}
	f, err := dconf.Parse(name, src)
	if err != nil {
		// A parse error may quote the text it stumbled on, which could be
		// part of a secret.
		return exitWith(lintExitUnread, errors.New(lint.NewMasker(src, nil).Scrub(err.Error())))
	}
	return lint.ExportJSON(env.Stdout, f, c.ShowSecrets)
}
