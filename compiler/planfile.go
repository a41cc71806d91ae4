package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// EncodeJSON writes p in its JSON form, indented, with a final newline.
// Struct fields come out in declaration order and map keys sorted, so equal
// plans encode to equal bytes.
func EncodeJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("failed to encode the plan: %w", err)
	}
	return nil
}

// DecodeJSON reads a plan in its JSON form. It rejects a format version it
// does not know, unknown fields, and a plan whose steps break the plan's
// invariants (unknown kind, duplicate ID, a dependency that does not come
// earlier).
func DecodeJSON(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("failed to read the plan: %w", err)
	}
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a plan file: %w", err)
	}
	if head.FormatVersion == nil {
		return nil, fmt.Errorf("not a plan file: no format_version")
	}
	if *head.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan format version %d is not supported (this confc reads version %d)", *head.FormatVersion, FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("invalid plan file: %w", err)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("invalid plan file: %w", err)
	}
	// The indented file spreads embedded values over lines; compact them
	// again so that a value reads back exactly as it was compiled and as
	// apply writes it.
	for _, s := range p.Steps {
		if s.ConsulKV != nil {
			s.ConsulKV.Value = compact(s.ConsulKV.Value)
		}
		if s.KV != nil {
			for i := range s.KV.Fields {
				s.KV.Fields[i].Value = compact(s.KV.Fields[i].Value)
			}
		}
	}
	return &p, nil
}

// compact removes insignificant space from a JSON value; a value that is
// not valid JSON (which the decoder would have rejected) is left alone.
func compact(v json.RawMessage) json.RawMessage {
	if v == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return v
	}
	return json.RawMessage(buf.Bytes())
}

// ReadFile reads the plan file at path.
func ReadFile(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := DecodeJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// WriteFile writes p to path in its JSON form, mode 0644. It writes a
// temporary file in the same directory and renames it, so a reader never
// sees half a plan and a failed write leaves any earlier file intact.
func WriteFile(path string, p *Plan) (err error) {
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, p); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("failed to write the plan: %w", err)
	}
	return nil
}
