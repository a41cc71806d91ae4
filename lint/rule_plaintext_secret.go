package lint

import (
	"fmt"

	"github.com/confc/confc/dconf"
	"github.com/confc/confc/schema"
)

// rulePlaintextSecret keeps secret values out of cluster.conf.
var rulePlaintextSecret = register(&Rule{
	ID:       "plaintext-secret",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a secret value is written in cluster.conf",
	Doc: `cluster.conf is committed to version control and read by many people and
tools; secrets belong in Vault. A value written at a setting the schema
marks secret (identity-provider passwords and client secrets, basic users'
passwords, the S3 secret key, router TLS private keys, database
passwords, ...) is an error. A key in an open part of the file whose name
only looks secret is a warning: password, passwd, pwd, passphrase,
secret(s), token(s), private key, secret key, api key, client secret and
credential(s), alone or as the last words of the name, in any case and
with "_", "-", "." or camelCase between words (db-password, apiKey,
x_secrets). Every value below such a key counts, also inside maps and
arrays.

  google: { client_secret: "abc123" }   # error

Remove the value and declare a prompt for it; the answer is asked for at
apply time and written to Vault only:

  prompts: {
    google_client_secret: {
      label: "Google client secret"
      target: "chef.continuum.auth_server.identity.google.client_secret"
      secret: true
    }
  }

Empty strings are not reported. The value is never printed: lint output
masks it as ****.`,
	Check: checkPlaintextSecret,
})

func checkPlaintextSecret(p *Pass) {
	dconf.Walk(p.File.Root, func(path dconf.Path, v dconf.Value) bool {
		kind := schema.SecretKind(path)
		if kind == schema.NotSecret {
			return true
		}
		// Everything below a secret setting is secret, value by value.
		dconf.Walk(v, func(sub dconf.Path, sv dconf.Value) bool {
			if !isScalar(sv) || isEmptyString(sv) {
				return true
			}
			full := append(path[:len(path):len(path)], sub...).String()
			if kind == schema.SchemaSecret {
				p.ReportAt(Error, sv,
					fmt.Sprintf("secret value written in plain text at %s", full),
					fmt.Sprintf("remove the value and declare a prompt with target %q", full))
			} else {
				p.ReportAt(Warning, sv,
					fmt.Sprintf("value at %s looks like a secret written in plain text", full),
					fmt.Sprintf("if it is a secret, remove it and declare a prompt with target %q", full))
			}
			return true
		})
		return false
	})
}

func isScalar(v dconf.Value) bool {
	switch v.(type) {
	case *dconf.Map, *dconf.Array:
		return false
	}
	return true
}

func isEmptyString(v dconf.Value) bool {
	s, ok := v.(*dconf.String)
	return ok && s.Value == ""
}
