// Package dconf reads Dconf, the relaxed configuration syntax of cluster.conf.
//
// Parse turns a file into a syntax tree (see File) in which every key, value
// and comment carries its start and end position. The syntax is described
// in full below.
package dconf
