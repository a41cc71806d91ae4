package lint

import (
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
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in bytes;
// component names are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
