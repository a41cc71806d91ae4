package apply

import (
	"bytes"
	"context"

	consulapi "github.com/hashicorp/consul/api"
)

// readPair reads one Consul key, with retries; nil when it does not exist.
// Every single-key read of the engine goes through it.
func readPair(ctx context.Context, c *consulapi.Client, p RetryPolicy, key string) (*consulapi.KVPair, error) {
	var pair *consulapi.KVPair
	err := consulDo(ctx, p, "kv/"+key, "key:read", func() error {
		var err error
		pair, _, err = c.KV().Get(key, (&consulapi.QueryOptions{}).WithContext(ctx))
		return err
	})
	return pair, err
}

// casPair writes a Consul key with check-and-set on index (0: the key must
// not exist), and returns a *ConflictError when someone else changed it.
// Every write of a key the engine read first goes through it.
//
// A failed check-and-set is read again: when the key already holds value,
// the write counts as done. That is the case when an earlier attempt landed
// but its answer was lost, and its retry then found the index moved on.
func casPair(ctx context.Context, c *consulapi.Client, p RetryPolicy, key string, value []byte, index uint64) error {
	var ok bool
	err := consulDo(ctx, p, "kv/"+key, "key:write", func() error {
		var err error
		ok, _, err = c.KV().CAS(&consulapi.KVPair{Key: key, Value: value, ModifyIndex: index}, (&consulapi.WriteOptions{}).WithContext(ctx))
		return err
	})
	if err != nil || ok {
		return err
	}
	cur, err := readPair(ctx, c, p, key)
	if err == nil && cur != nil && bytes.Equal(cur.Value, value) {
		return nil
	}
	return &ConflictError{Service: "consul", Path: key}
}
