package compiler

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
)

// order sorts steps topologically on DependsOn. Among the steps that are
// ready, the one of the earliest phase runs first, then the smallest ID, so
// the result depends only on the set of steps, never on the order they were
// built in.
func order(steps []*Step) ([]*Step, error) {
	byID := make(map[string]*Step, len(steps))
	for _, s := range steps {
		if _, dup := byID[s.ID]; dup {
			return nil, fmt.Errorf("internal error: two steps with id %q", s.ID)
		}
		byID[s.ID] = s
	}

	waiting := make(map[string]int, len(steps)) // unmet dependencies per step
	users := make(map[string][]*Step, len(steps))
	ready := &stepHeap{}
	for _, s := range steps {
		for _, d := range s.DependsOn {
			if _, ok := byID[d]; !ok {
				return nil, fmt.Errorf("internal error: step %q depends on unknown step %q", s.ID, d)
			}
			users[d] = append(users[d], s)
		}
		waiting[s.ID] = len(s.DependsOn)
		if len(s.DependsOn) == 0 {
			heap.Push(ready, s)
		}
	}

	out := make([]*Step, 0, len(steps))
	for ready.Len() > 0 {
		s := heap.Pop(ready).(*Step)
		out = append(out, s)
		for _, u := range users[s.ID] {
			waiting[u.ID]--
			if waiting[u.ID] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(out) != len(steps) {
		var stuck []string
		for id, n := range waiting {
			if n > 0 {
				stuck = append(stuck, id)
			}
		}
		slices.Sort(stuck)
		return nil, fmt.Errorf("internal error: dependency cycle among steps %s", strings.Join(stuck, ", "))
	}
	return out, nil
}

// stepHeap is a min-heap of steps by phase, then ID.
type stepHeap []*Step

// Len returns the number of ready steps (heap.Interface).
func (h stepHeap) Len() int { return len(h) }

// Less orders ready steps by phase, then ID (heap.Interface).
func (h stepHeap) Less(i, j int) bool {
	if ri, rj := h[i].Phase.rank(), h[j].Phase.rank(); ri != rj {
		return ri < rj
	}
	return h[i].ID < h[j].ID
}

// Swap swaps two ready steps (heap.Interface).
func (h stepHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push adds a ready step (heap.Interface).
func (h *stepHeap) Push(x any) { *h = append(*h, x.(*Step)) }

// Pop removes the last step (heap.Interface).
func (h *stepHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}
