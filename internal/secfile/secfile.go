// Package secfile reads and writes cluster.sec, the file of saved prompt
// answers that lives next to cluster.conf.
//
// The file is an age file (filippo.io/age) encrypted to a passphrase with
// age's scrypt recipient, in ASCII armor, so that the age command line can
// open it too. The plaintext is a JSON object:
//
//	{"version": 1, "prompts": {"ldap_search_password": "..."}}
//
// The file is written with mode 0600 and atomically: a temporary file in the
// same directory is written, flushed to disk and renamed over the old one,
// so a reader never sees a half-written file and a crash keeps the old one.
package secfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// Name is the file name of the answers file, next to cluster.conf.
const Name = "cluster.sec"

// Version is the version of the plaintext format this package writes and
// reads.
const Version = 1

// MinPassphraseLen is the shortest config passphrase accepted for writing.
const MinPassphraseLen = 8

// workFactor is the scrypt cost (log2 N) used when writing: age's default,
// about a second of work on a laptop, so that guessing passphrases against a
// copied file is slow. Tests lower it.
var workFactor = 18

// ErrWrongPassphrase means the config passphrase does not open the file.
var ErrWrongPassphrase = errors.New("wrong config passphrase")

// Contents is the plaintext of cluster.sec.
type Contents struct {
	// Version is the format version, 1.
	Version int `json:"version"`
	// Prompts maps prompt names to their answers. A nil map reads as
	// empty.
	Prompts map[string]string `json:"prompts"`
}

// PathFor returns the path of cluster.sec for a cluster.conf path: the same
// directory.
func PathFor(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), Name)
}

// Exists reports whether path exists. Errors other than "does not exist"
// count as existing, so that the caller's read reports them.
func Exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// Read opens and decrypts the file at path. A passphrase that does not
// open it gives an error that wraps ErrWrongPassphrase; errors never quote
// the file's contents.
func Read(path, passphrase string) (*Contents, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	c, err := Decrypt(data, passphrase)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Decrypt opens the bytes of a cluster.sec file.
func Decrypt(data []byte, passphrase string) (*Contents, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	r, err := age.Decrypt(armor.NewReader(bytes.NewReader(data)), id)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("not a valid answers file: %w", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("not a valid answers file: %w", err)
	}
	var c Contents
	if err := json.Unmarshal(plain, &c); err != nil {
		// The plaintext holds secrets: say what is wrong, not where.
		return nil, errors.New("not a valid answers file: the decrypted contents are not a JSON object")
	}
	if c.Version != Version {
		return nil, fmt.Errorf("unsupported answers file version %d (this confc reads version %d)", c.Version, Version)
	}
	if c.Prompts == nil {
		c.Prompts = map[string]string{}
	}
	return &c, nil
}

// Encrypt returns the bytes of a cluster.sec file holding prompts.
func Encrypt(prompts map[string]string, passphrase string) ([]byte, error) {
	if len([]rune(passphrase)) < MinPassphraseLen {
		return nil, fmt.Errorf("the config passphrase must be at least %d characters long", MinPassphraseLen)
	}
	if prompts == nil {
		prompts = map[string]string{}
	}
	plain, err := json.Marshal(Contents{Version: Version, Prompts: prompts})
	if err != nil {
		return nil, err
	}
	return encryptBytes(plain, passphrase)
}

// encryptBytes encrypts plain to passphrase with age's scrypt recipient, in
// ASCII armor.
func encryptBytes(plain []byte, passphrase string) ([]byte, error) {
	rcp, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("encrypting answers: %w", err)
	}
	rcp.SetWorkFactor(workFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rcp)
	if err != nil {
		return nil, fmt.Errorf("encrypting answers: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypting answers: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting answers: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("encrypting answers: %w", err)
	}
	return buf.Bytes(), nil
}

// Write encrypts prompts to passphrase and replaces the file at path
// atomically, with mode 0600.
func Write(path string, prompts map[string]string, passphrase string) error {
	data, err := Encrypt(prompts, passphrase)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// writeAtomic writes data to a temporary file beside path, flushes it to
// disk, renames it over path and flushes the directory, so that path holds
// either the old or the new contents whatever happens.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// CreateTemp makes the file with mode 0600, so the answers are never
	// readable by others, not even for a moment.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return unwrapPath(err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return unwrapPath(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return unwrapPath(err)
	}
	if err := tmp.Sync(); err != nil {
		return unwrapPath(err)
	}
	if err := tmp.Close(); err != nil {
		return unwrapPath(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return unwrapPath(err)
	}
	// The rename is durable only once the directory is flushed. Some file
	// systems cannot sync a directory; the file itself is safe by then.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// Mode returns the permission bits of the file at path.
func Mode(path string) (fs.FileMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Mode().Perm(), nil
}

// unwrapPath drops the operation and path of a *fs.PathError, which the
// callers name themselves.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
