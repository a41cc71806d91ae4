package lint

import (
	"bytes"
	"strings"
	"testing"

	"github.com/confc/confc/schema"
)

// assertNoCanary fails when any output of results, or the export of the
// file, holds a value starting with "CANARY".
func assertNoCanary(t *testing.T, results []*Result) {
	t.Helper()
	for name, out := range renderAll(t, results) {
		if i := strings.Index(out, "CANARY"); i >= 0 {
			t.Errorf("%s output shows a secret: %q", name, out[i:min(len(out), i+30)])
		}
	}
	for _, r := range results {
		if r.File == nil {
			continue
		}
		var b bytes.Buffer
		if err := ExportJSON(&b, r.File, false); err != nil {
			t.Fatal(err)
		}
		if i := strings.Index(b.String(), "CANARY"); i >= 0 {
			t.Errorf("export shows a secret: %q", b.String()[i:min(b.Len(), i+30)])
		}
	}
}

func TestNoLeakOfSecretShapes(t *testing.T) {
	cases := map[string]string{
		"map and array under a secret-looking key": `chef: { continuum: { stagehand: { api_token: { value: "CANARYMAP01", list: ["CANARYMAP02"] } } } }`,
		"kebab-case and compact keys": `chef: { continuum: { stagehand: { private-key: "CANARYPK1", api-key: "CANARYAK2", secret-key: CANARYSK3,
  client-secret: CANARYCS7, apikey: CANARYAK8, pwd: CANARYPWD9, secrets: [ CANARYS10 ] } } }`,
		"zero-padded prompt target": `chef: { continuum: { cluster: { subnets: [ "CANARYSUBNET" ] } } }
prompts: { a: { label: a, target: "chef.continuum.cluster.subnets.00" } }`,
		"escaped value at a prompt target": `chef: { continuum: { auth_server: { identity: { ldap_basic: { port: "CANARYPORT\"99" } } } } }
prompts: { p: { label: x, target: "chef.continuum.auth_server.identity.ldap_basic.port" } }`,
	}
	for what, src := range cases {
		t.Run(what, func(t *testing.T) {
			r := Source("test.conf", []byte(base+src+"\n"))
			if r.ParseFailed() {
				t.Fatalf("does not parse: %v", r.Diagnostics)
			}
			if len(r.Diagnostics) == 0 {
				t.Fatalf("no findings, so no line is printed and the test proves nothing")
			}
			assertNoCanary(t, []*Result{r})
		})
	}
}

func TestNoLeakThroughPolicyMessages(t *testing.T) {
	pol, err := schema.CompilePolicy("org.cue", []byte("package org\nchef: continuum: stagehand: api_token: =~\"^tok-\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := base + `chef: { continuum: { stagehand: { api_token: "CANARY\\TOK\"Q" } } }` + "\n"
	r := Options{Policies: []*schema.Policy{pol}}.Source("test.conf", []byte(src))
	if r.Count(Error) == 0 {
		t.Fatalf("the policy found nothing: %v", r.Diagnostics)
	}
	assertNoCanary(t, []*Result{r})
}

func TestScrubQuotedForms(t *testing.T) {
	r := Source("test.conf", []byte(base+`chef: { apzabbix: { api_token: "CANARY\\TOK\"Q" } }`+"\n"))
	for _, msg := range []string{`got "CANARY\\TOK\"Q"`, "got CANARY\\TOK\"Q"} {
		if got := r.Masker.Scrub(msg); strings.Contains(got, "CANARY") {
			t.Errorf("Scrub(%q) = %q", msg, got)
		}
	}
}

func TestNoLeakWhenParseFails(t *testing.T) {
	cases := map[string]string{
		"secret and error on one line":     `chef: { continuum: { auth_server: { identity: { ldap_basic: { search_passwd: CANARYSAME1, port: 636 x } } } } }`,
		"array element after a secret key": "chef: {\n  x_password: [\n    \"CANARYARR2\" \"oops\"\n  ]\n}",
		"block after a secret key":         "chef: { x: {\n  private_key: (\nCANARYBLOCK3\xff\n)\n} }",
		"unclosed map after a secret key":  "chef: { db_credentials: {\n  user: CANARYUSER4\n  pass: CANARYPASS5 x\n",
	}
	for what, src := range cases {
		t.Run(what, func(t *testing.T) {
			r := Source("test.conf", []byte(src+"\n"))
			if !r.ParseFailed() {
				t.Fatalf("parses, so the text masker is not tested")
			}
			assertNoCanary(t, []*Result{r})
			var b bytes.Buffer
			WriteText(&b, []*Result{r}, TextOptions{})
			if !strings.Contains(b.String(), " | ") {
				t.Errorf("no snippet printed, so the test proves nothing:\n%s", b.String())
			}
		})
	}
}
