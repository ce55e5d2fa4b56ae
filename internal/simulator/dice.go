package simulator

import (
	"hash/fnv"
	"sync"
)

// dice makes the simulator's pseudo-random decisions. A decision depends only
// on the seed, a key (such as "GET /client/12/table/3") and how many times
// that key was rolled before, so it is reproducible for a seed and request
// sequence and unaffected by how requests for other keys interleave.
type dice struct {
	seed   uint64
	mu     sync.Mutex
	counts map[string]uint64
}

func newDice(seed int64) *dice {
	return &dice{seed: uint64(seed), counts: map[string]uint64{}}
}

// roll returns the next roll for key.
func (d *dice) roll(key string) roll {
	d.mu.Lock()
	n := d.counts[key]
	d.counts[key] = n + 1
	d.mu.Unlock()
	h := fnv.New64a()
	h.Write([]byte(key))
	return roll(mix(mix(d.seed, h.Sum64()), n))
}

// roll is one decision's randomness; each purpose draws an independent value.
type roll uint64

// Purposes of the values drawn from one roll.
const (
	drawThrottle uint64 = iota + 1
	drawFault
	drawFaultKind
	drawDrop
	drawDropAt
	drawExportError
	drawReset
	drawExpire
)

// float returns a value in [0, 1) for purpose.
func (r roll) float(purpose uint64) float64 {
	return float64(mix(uint64(r), purpose)>>11) / (1 << 53)
}

// hit reports whether an event of probability rate happens for purpose.
func (r roll) hit(purpose uint64, rate float64) bool {
	return rate > 0 && r.float(purpose) < rate
}

// mix combines two values with the splitmix64 finaliser.
func mix(a, b uint64) uint64 {
	z := a + b*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
