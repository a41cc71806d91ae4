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
		{
			what: "map and array below a key that looks secret",
			src:  base + "chef: { continuum: { stagehand: { api_token: { value: CANARYMAP01, list: [CANARYMAP02] } } } }\n",
			want: []string{"18:55 warning plaintext-secret", "18:75 warning plaintext-secret"},
		},
		{
			what: "kebab-case and compact secret keys",
			src: base + "chef: { continuum: { stagehand: {\n  private-key: CANARYPK1\n  api-key: CANARYAK2\n  secret-key: CANARYSK3\n" +
				"  client-secret: CANARYCS7\n  apikey: CANARYAK8\n  pwd: CANARYPWD9\n  secrets: [ CANARYS10 ]\n} } }\n",
			want: []string{"19:16 warning plaintext-secret", "20:12 warning plaintext-secret", "21:15 warning plaintext-secret",
				"22:18 warning plaintext-secret", "23:11 warning plaintext-secret", "24:8 warning plaintext-secret", "25:14 warning plaintext-secret"},
		},
		{what: "prompt definitions are not secrets", src: base + "prompts: { p: { label: x, target: \"chef.continuum.auth_server.identity.google.client_secret\", secret: true } }\n"},
	})
}
