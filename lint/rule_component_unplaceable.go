package lint

import "fmt"

// ruleComponentUnplaceable catches components no group may carry.
var ruleComponentUnplaceable = register(&Rule{
	ID:       "component-unplaceable",
	Severity: Error,
	Origin:   OriginLint,
	Summary:  "a component has a count above 0 but no machine group lists it",
	Doc: `A component is deployed only on hosts whose machine group lists it in
suitable_tags. A positive count with no such group cannot be satisfied.

  machines:   { central: { suitable_tags: [ "api-server" ] } }
  components: { api-server: 3, router: 3 }   # no group lists router

Add the component to the suitable_tags of a group, or set its count to 0.
Unknown component names are left to unknown-component.`,
	Check: checkComponentUnplaceable,
})

func checkComponentUnplaceable(p *Pass) {
	c := p.Cluster()
	for _, comp := range c.components {
		if comp.count <= 0 || !knownComponent(comp.name) || len(c.groupsFor(comp.name)) > 0 {
			continue
		}
		p.Report(comp.value,
			fmt.Sprintf("%q has count %d but no machine group lists it in suitable_tags", comp.name, comp.count),
			fmt.Sprintf("add %q to the suitable_tags of a machine group, or set its count to 0", comp.name))
	}
}
