package lint

import (
	"github.com/confc/confc/dconf"
)

// centralGroup is the machine group that must carry the secret store.
const centralGroup = "central"

// group is one entry of the machines section.
type group struct {
	name  string
	key   *dconf.Key
	hosts []*dconf.String
	tags  []*dconf.String
}

// lists reports whether the group names component c in suitable_tags.
func (g *group) lists(c string) bool {
	for _, t := range g.tags {
		if t.Value == c {
			return true
		}
	}
	return false
}

// component is one entry of the components section.
type component struct {
	name  string
	key   *dconf.Key
	value dconf.Value // the count as written
	count int64       // the count, or 0 when it is not an integer
}

// cluster is the part of cluster.conf the placement rules reason about.
// Values of the wrong type are skipped: the schema reports them, and a
// second finding about the same value would only add noise.
type cluster struct {
	groups     []*group
	components []*component
	byName     map[string]*component
}

func newCluster(f *dconf.File) *cluster {
	c := &cluster{byName: map[string]*component{}}
	if f == nil || f.Root == nil {
		return c
	}
	if e := f.Root.Get("machines"); e != nil {
		if m, ok := e.Value.(*dconf.Map); ok {
			for _, ge := range m.Entries {
				g := &group{name: ge.Key.Name, key: ge.Key}
				if gm, ok := ge.Value.(*dconf.Map); ok {
					g.hosts = stringElems(gm.Get("hosts"))
					g.tags = stringElems(gm.Get("suitable_tags"))
				}
				c.groups = append(c.groups, g)
			}
		}
	}
	if e := f.Root.Get("components"); e != nil {
		if m, ok := e.Value.(*dconf.Map); ok {
			for _, ce := range m.Entries {
				comp := &component{name: ce.Key.Name, key: ce.Key, value: ce.Value}
				if n, ok := ce.Value.(*dconf.Int); ok {
					comp.count = n.Value
				}
				c.components = append(c.components, comp)
				c.byName[comp.name] = comp
			}
		}
	}
	return c
}

// stringElems returns the string elements of an array entry.
func stringElems(e *dconf.Entry) []*dconf.String {
	if e == nil {
		return nil
	}
	a, ok := e.Value.(*dconf.Array)
	if !ok {
		return nil
	}
	out := make([]*dconf.String, 0, len(a.Elems))
	for _, v := range a.Elems {
		if s, ok := v.(*dconf.String); ok {
			out = append(out, s)
		}
	}
	return out
}

// count returns the count of component name, 0 when absent.
func (c *cluster) count(name string) int64 {
	if comp := c.byName[name]; comp != nil {
		return comp.count
	}
	return 0
}

// groupsFor returns the groups that list component name.
func (c *cluster) groupsFor(name string) []*group {
	var gs []*group
	for _, g := range c.groups {
		if g.lists(name) {
			gs = append(gs, g)
		}
	}
	return gs
}

// hostsFor returns how many distinct hosts may carry component name.
func (c *cluster) hostsFor(name string) int {
	seen := map[string]bool{}
	for _, g := range c.groupsFor(name) {
		for _, h := range g.hosts {
			seen[canonicalHost(h.Value)] = true
		}
	}
	return len(seen)
}
