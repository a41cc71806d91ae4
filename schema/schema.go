// Package schema holds the schema of cluster.conf and checks files against it.
//
// The schema itself is CUE (the embedded *.cue files of this package); this
// package compiles it once per process, unifies it with a file converted by
// dconf.ToCUE, and turns CUE's errors into Violations that point into
// cluster.conf and read well to an operator. It also answers questions about
// settings that other packages ask for every value they look at: whether a
// setting holds a secret (IsSecret) and whether the schema knows it at all
// (KnownSetting).
//
// The CUE files use a few attributes whose meaning is documented at the top
// of cluster.cue: @rule, @msg, @unknown and @secret.
package schema

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
)

//go:embed *.cue
var cueFiles embed.FS

// compiled is the schema, compiled once per process.
type compiled struct {
	// mu serialises every use of ctx and of the CUE values made from it:
	// a CUE context is not safe for concurrent use.
	mu  sync.Mutex
	ctx *cue.Context

	cluster    cue.Value // #Cluster
	top        cue.Value // "_", used to probe pattern constraints
	root       *node     // settings tree of #Cluster
	attrs      *attrIndex
	components []string
	version    string
	err        error // set when the embedded schema does not compile
}

var (
	loadOnce sync.Once
	loaded   *compiled
)

// load compiles the embedded schema on first use and returns it.
func load() *compiled {
	loadOnce.Do(func() {
		loaded = compile()
	})
	return loaded
}

func compile() *compiled {
	c := &compiled{ctx: cuecontext.New()}
	names, err := fs.Glob(cueFiles, "*.cue")
	if err != nil {
		c.err = fmt.Errorf("failed to list the schema files: %w", err)
		return c
	}
	sort.Strings(names)

	h := sha256.New()
	c.attrs = &attrIndex{}
	var all cue.Value
	for i, name := range names {
		src, err := cueFiles.ReadFile(name)
		if err != nil {
			c.err = fmt.Errorf("failed to read schema file %q: %w", name, err)
			return c
		}
		// The name and a separator go into the hash too, so that moving
		// text between files changes the version.
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(src))
		h.Write(src)

		// Parsed once, for both the attribute index and the compiler.
		f, err := parser.ParseFile(name, src)
		if err != nil {
			c.err = fmt.Errorf("failed to parse schema file %q: %w", name, err)
			return c
		}
		if err := c.attrs.add(name, f); err != nil {
			c.err = err
			return c
		}
		v := c.ctx.BuildFile(f)
		if v.Err() != nil {
			c.err = fmt.Errorf("failed to compile schema file %q: %w", name, v.Err())
			return c
		}
		if i == 0 {
			all = v
		} else {
			all = all.Unify(v)
		}
	}
	c.version = hex.EncodeToString(h.Sum(nil))[:16]

	c.cluster = all.LookupPath(cue.MakePath(cue.Def("#Cluster")))
	if !c.cluster.Exists() {
		c.err = fmt.Errorf("the schema defines no #Cluster")
		return c
	}
	if err := all.LookupPath(cue.MakePath(cue.Def("#componentNames"))).Decode(&c.components); err != nil {
		c.err = fmt.Errorf("failed to read #componentNames from the schema: %w", err)
		return c
	}
	sort.Strings(c.components)
	c.top = c.ctx.CompileString("_")
	c.root = c.build(c.cluster, 0)
	return c
}

// Version returns an identifier of the embedded schema that changes whenever
// any of its files changes: the first 16 hex digits of a SHA-256 over the
// file names and contents. Plans record it so that a plan made with another
// schema is refused.
func Version() string {
	return load().version
}

// Components returns the component names the schema knows, sorted. The list
// is read from #componentNames in the compiled schema; the slice is a copy the
// caller may change.
func Components() []string {
	return slices.Clone(load().components)
}
