package apply

import (
	"context"
	"time"
)

// VaultProbe is what one quick look at the listed Vault servers found.
type VaultProbe struct {
	// Reachable is the number of servers that answered.
	Reachable int
	// Initialized says at least one server that answered is initialized:
	// the cluster passphrase exists already. False with Reachable > 0
	// means this is the first apply, which sets the passphrase.
	Initialized bool
}

// probeTimeout bounds each seal-status request of ProbeVault.
const probeTimeout = 5 * time.Second

// ProbeVault asks every listed Vault server for its seal status, once and
// without retries, so that a command can tell the operator before asking
// for secrets whether Vault is reachable and whether this is its first
// use. It sends nothing secret and writes nothing. An error means a client
// could not be made (for example an unreadable CA file), not that a server
// is down.
func ProbeVault(ctx context.Context, c Conn) (VaultProbe, error) {
	var p VaultProbe
	if c.Timeout == 0 || c.Timeout > probeTimeout {
		c.Timeout = probeTimeout
	}
	for _, addr := range c.VaultAddrs {
		client, err := newVaultClient(addr, c)
		if err != nil {
			return p, err
		}
		s, err := client.Sys().SealStatusWithContext(ctx)
		if err != nil {
			continue
		}
		p.Reachable++
		if s.Initialized {
			p.Initialized = true
		}
	}
	return p, nil
}
