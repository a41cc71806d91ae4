package lint

import "testing"

func TestPlaintextSecret(t *testing.T) {
	const google = `chef: { continuum: { auth_server: { identity: { google: {
  client_id: "id.example.test"
  client_secret: "canary-google-5150"
} } } } }
`
	runRuleCases(t, "plaintext-secret", []ruleCase{
		{what: "no secrets", src: base},
		{what: "schema secret", src: base + google, want: []string{"20:18 error plaintext-secret"}},
		{what: "empty schema secret", src: base + `chef: { continuum: { auth_server: { identity: { google: { client_secret: "" } } } } }`},
		{
			what: "key that only looks secret in an open part",
			src:  base + "chef: { apzabbix: { api_token: canary-token-4242 } }\n",
			want: []string{"18:32 warning plaintext-secret"},
		},
		{what: "prompt definitions are not secrets", src: base + "prompts: { p: { label: x, target: \"chef.continuum.auth_server.identity.google.client_secret\", secret: true } }\n"},
	})
}

func TestLooksSecretKey(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "search_passwd": true, "client_secret": true, "api-token": true,
		"PRIVATE_KEY": true, "token_ttl": false, "access_key": false, "secretariat": false, "users": false,
	} {
		if got := looksSecretKey(key); got != want {
			t.Errorf("looksSecretKey(%q) = %v, want %v", key, got, want)
		}
	}
}
