package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	consulapi "github.com/hashicorp/consul/api"
)

// UnsealBundle is the plaintext of the encrypted unseal-key bundle. It is
// held in memory only while Vault is unsealed.
type UnsealBundle struct {
	// Version of the bundle format, 1.
	Version int `json:"version"`
	// Shares and Threshold are those Vault was initialized with.
	Shares    int `json:"shares"`
	Threshold int `json:"threshold"`
	// Keys are the unseal keys, base64.
	Keys []string `json:"keys_b64"`
	// Created is when Vault was initialized.
	Created time.Time `json:"created"`
}

// bundleWorkFactor is the scrypt cost (log2 N) of the bundle's passphrase
// recipient: age's default, about a second of work, so that guessing
// passphrases against a copied bundle is slow.
const bundleWorkFactor = 18

// sealBundle encrypts a bundle to the passphrase with age's scrypt
// recipient, ASCII-armored so that it reads well in a Consul dump.
func sealBundle(b *UnsealBundle, passphrase string) ([]byte, error) {
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	rcp, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	rcp.SetWorkFactor(bundleWorkFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rcp)
	if err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// OpenBundle decrypts an unseal-key bundle. A wrong passphrase gives an
// error wrapping ErrInvalidCredentials.
func OpenBundle(ciphertext []byte, passphrase string) (*UnsealBundle, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", err)
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(ciphertext)), id)
	if err != nil {
		return nil, fmt.Errorf("unseal key bundle: %w", ErrInvalidCredentials)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("unseal key bundle is damaged: %w", err)
	}
	var b UnsealBundle
	if err := json.Unmarshal(plain, &b); err != nil || len(b.Keys) == 0 {
		return nil, fmt.Errorf("unseal key bundle holds no keys")
	}
	return &b, nil
}

// ReadBundle reads the encrypted bundle of a cluster from Consul. It
// returns nil, 0 when there is none.
func ReadBundle(ctx context.Context, c *consulapi.Client, cluster string) ([]byte, uint64, error) {
	pair, err := readPair(ctx, c, DefaultRetry, UnsealKeysKey(cluster))
	if err != nil || pair == nil {
		return nil, 0, err
	}
	return pair.Value, pair.ModifyIndex, nil
}
