package selector

import (
	"math/bits"

	"github.com/gdbt/gdbt/compiler/graph"
)

// bitset is a set of graph IDs.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) add(id graph.ID)      { b[id>>6] |= 1 << (uint(id) & 63) }
func (b bitset) has(id graph.ID) bool { return b[id>>6]&(1<<(uint(id)&63)) != 0 }

func (b bitset) addAll(ids []graph.ID) {
	for _, id := range ids {
		b.add(id)
	}
}

func (b bitset) clone() bitset { return append(bitset(nil), b...) }

func (b bitset) or(o bitset) bitset {
	for i := range b {
		b[i] |= o[i]
	}
	return b
}

func (b bitset) and(o bitset) bitset {
	for i := range b {
		b[i] &= o[i]
	}
	return b
}

func (b bitset) andNot(o bitset) bitset {
	for i := range b {
		b[i] &^= o[i]
	}
	return b
}

func (b bitset) equal(o bitset) bool {
	for i := range b {
		if b[i] != o[i] {
			return false
		}
	}
	return true
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// each calls f for every member in ascending order.
func (b bitset) each(f func(graph.ID)) {
	for i, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(graph.ID(i*64 + t))
			w &= w - 1
		}
	}
}

func (b bitset) ids() []graph.ID {
	out := make([]graph.ID, 0, b.count())
	b.each(func(id graph.ID) { out = append(out, id) })
	return out
}
