package lint

import (
	"github.com/confc/confc/internal/suggest"
	"net"
	"strings"

	"github.com/confc/confc/schema"
)

// canonicalHost returns the canonical text of an IP address, so that
// "fe80::1" and "FE80:0::1" count as one host; other strings are returned
// unchanged.
func canonicalHost(h string) string {
	if ip := net.ParseIP(strings.TrimSpace(h)); ip != nil {
		return ip.String()
	}
	return h
}

// nearestComponent returns the known component closest to name by edit
// distance, or "" when none is close enough to be a likely typo.
func nearestComponent(name string) string {
	best, bestD := "", 3
	for _, c := range schema.Components() {
		if d := suggest.Distance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
