package servertest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
)

// minCanaryLen is the shortest secret AssertNoSecret accepts: a shorter
// one could occur in any output by chance and make the check meaningless.
const minCanaryLen = 8

// Canary returns a secret value that is unique to this call and cannot
// occur by chance, for tests that feed a secret in and then search every
// output for it. label makes a leaked canary easy to attribute.
func Canary(label string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return "canary-" + label + "-" + hex.EncodeToString(b)
}

// AssertNoSecret fails t for every secret found in any of the haystacks
// (named outputs such as "stdout", "journal" or "consul kv"). It also
// finds a secret in base64 form, as it appears when bytes are marshalled to
// JSON, at any alignment. Failure messages name the secret by its position
// in the argument list, never by its value.
func AssertNoSecret(t testing.TB, haystacks map[string][]byte, secrets ...string) {
	t.Helper()
	if len(secrets) == 0 {
		t.Fatal("AssertNoSecret: no secrets to search for")
	}
	names := make([]string, 0, len(haystacks))
	for name := range haystacks {
		names = append(names, name)
	}
	slices.Sort(names)

	for i, secret := range secrets {
		if len(secret) < minCanaryLen {
			t.Fatalf("AssertNoSecret: secret #%d is %d bytes long; use at least %d so that a match means a leak",
				i+1, len(secret), minCanaryLen)
		}
		for _, name := range names {
			for _, f := range secretForms(secret) {
				if at := bytes.Index(haystacks[name], f.needle); at >= 0 {
					t.Errorf("secret #%d (%d bytes) leaked into %s at byte %d (%s)",
						i+1, len(secret), name, at, f.encoding)
					break
				}
			}
		}
	}
}

type secretForm struct {
	encoding string
	needle   []byte
}

// secretForms returns the byte strings that betray secret: the secret
// itself and its base64 encodings. Base64 maps 3 input bytes to 4
// characters, so what the secret looks like depends on its offset modulo 3
// inside the encoded data; each alignment gets its own needle made of the
// characters that depend on the secret alone.
func secretForms(secret string) []secretForm {
	forms := []secretForm{{"plain", []byte(secret)}}
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for shift := range 3 {
			in := append(make([]byte, shift), secret...)
			out := enc.enc.EncodeToString(in)
			// Drop the characters that mix in the zero padding in front
			// and those of the last, incomplete group at the end.
			start := (shift*8 + 5) / 6
			end := len(in) / 3 * 4
			if end-start < minCanaryLen {
				continue
			}
			forms = append(forms, secretForm{
				fmt.Sprintf("%s, offset %d", enc.name, shift),
				[]byte(out[start:end]),
			})
		}
	}
	return forms
}

// DumpConsulKV returns every key and value in c's key-value store, read
// with the management token, one "key\nvalue\n" record per key, in key
// order. Values are raw bytes, so the dump is for searching (with
// AssertNoSecret), not for display.
func DumpConsulKV(t testing.TB, c *Consul) []byte {
	t.Helper()
	pairs, _, err := c.API().KV().List("", nil)
	if err != nil {
		t.Fatalf("list consul kv: %v", err)
	}
	var buf bytes.Buffer
	for _, p := range pairs {
		buf.WriteString(p.Key)
		buf.WriteByte('\n')
		buf.Write(p.Value)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}
