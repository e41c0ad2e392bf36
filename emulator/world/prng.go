package world

import "math/bits"

// prng is the random source of one generated message: exactly the stream
// of rand.New(rand.NewPCG(hi, lo)) of math/rand/v2 (its PCG with the DXSM
// output, and Rand's Lemire reduction for IntN and Int64N), held as a
// value, so that making one per message costs no allocation and its calls
// are not through an interface. Generated content depends on every draw:
// TestPRNGIsMathRandPCG pins the two streams together.
type prng struct{ hi, lo uint64 }

func newPRNG(seed1, seed2 uint64) prng { return prng{hi: seed1, lo: seed2} }

// uint64 is rand.PCG.Uint64: a 128-bit LCG step, then DXSM.
func (p *prng) uint64() uint64 {
	const (
		mulHi = 2549297995355413924
		mulLo = 4865540595714422341
		incHi = 6364136223846793005
		incLo = 1442695040888963407
	)
	hi, lo := bits.Mul64(p.lo, mulLo)
	hi += p.hi*mulLo + p.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	p.lo, p.hi = lo, hi

	const cheapMul = 0xda942042e4dd58b5
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}

// uint64n is rand.Rand's uint64n on a 64-bit machine (its 32-bit path is
// written to give the same numbers): a value in [0, n), n > 0.
func (p *prng) uint64n(n uint64) uint64 {
	if n&(n-1) == 0 {
		return p.uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(p.uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(p.uint64(), n)
		}
	}
	return hi
}

// IntN is rand.Rand.IntN: a value in [0, n); n must be positive.
func (p *prng) IntN(n int) int {
	if n <= 0 {
		panic("world: prng.IntN of a non-positive bound")
	}
	return int(p.uint64n(uint64(n)))
}

// Int64N is rand.Rand.Int64N: a value in [0, n); n must be positive.
func (p *prng) Int64N(n int64) int64 {
	if n <= 0 {
		panic("world: prng.Int64N of a non-positive bound")
	}
	return int64(p.uint64n(uint64(n)))
}
