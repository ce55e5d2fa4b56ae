package magentogen

// rng is a splitmix64 generator: tiny, fast and the same on every platform.
// Each row gets its own generator seeded from (seed, table, row), so rows are
// independent of each other.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

// mix64 is splitmix64's finaliser: a bijective avalanche of x.
func mix64(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rowRNG returns the generator of row i of the table with the given salt.
func rowRNG(seed int64, salt uint64, i int64) rng {
	return rng{s: mix64(mix64(uint64(seed)+golden) ^ mix64(salt+uint64(i)*golden))}
}

// next returns the next 64 random bits.
func (r *rng) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

// intn returns a number in [0, n); n must be positive. The tiny modulo bias
// does not matter here.
func (r *rng) intn(n int64) int64 { return int64(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + r.intn(hi-lo+1) }

// per returns true with probability n/1000.
func (r *rng) per(n int64) bool { return r.intn(1000) < n }

// pick returns a random element of list.
func pick[T any](r *rng, list []T) T { return list[r.intn(int64(len(list)))] }

// hashName is FNV-1a of s, used to give each table its own salt.
func hashName(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
