package apply

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"

	"github.com/confc/confc/compiler"
)

// generate makes a new secret with the named generator, from crypto/rand.
func generate(generator string) (string, error) {
	switch generator {
	case compiler.GeneratorECP256:
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", fmt.Errorf("generating an EC P-256 key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", fmt.Errorf("encoding an EC P-256 key: %w", err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
	case compiler.GeneratorAES256:
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("generating a 256-bit key: %w", err)
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case compiler.GeneratorPassword32:
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		out := make([]byte, 32)
		max := big.NewInt(int64(len(alphabet)))
		for i := range out {
			// rand.Int draws uniformly, so no character is favoured as
			// a modulo of random bytes would.
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				return "", fmt.Errorf("generating a password: %w", err)
			}
			out[i] = alphabet[n.Int64()]
		}
		return string(out), nil
	}
	return "", fmt.Errorf("unknown generator %q", generator)
}
