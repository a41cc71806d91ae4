//go:build tools

// Package tools pins the open-source Consul server release that the
// integration tests run against. It is a separate module so that the
// server's large dependency graph never enters confc's own go.mod.
package tools

import _ "github.com/hashicorp/consul"
