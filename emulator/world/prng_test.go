package world

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPRNGIsMathRandPCG checks that prng draws, call for call, what
// rand.New(rand.NewPCG(a, b)) draws, for the bounds content uses and for
// bounds that exercise the power-of-two path and the rejection loop.
func TestPRNGIsMathRandPCG(t *testing.T) {
	bounds := []int64{1, 2, 3, 4, 7, 58, 59, 60, 100, 1000, 1 << 20, 320_000, 960_000,
		math.MaxInt64, math.MaxInt64 - 1, 1<<62 + 1, 3 << 61}
	for s := uint64(0); s < 2000; s++ {
		seed := hash(s, 3)
		want := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
		got := newPRNG(seed, seed^0x5bd1e995)
		for k := 0; k < 40; k++ {
			n := bounds[(int(s)+k)%len(bounds)]
			if k%2 == 0 && n <= math.MaxInt {
				if g, w := got.IntN(int(n)), want.IntN(int(n)); g != w {
					t.Fatalf("seed %d draw %d: IntN(%d) = %d, math/rand/v2 %d", s, k, n, g, w)
				}
			} else if g, w := got.Int64N(n), want.Int64N(n); g != w {
				t.Fatalf("seed %d draw %d: Int64N(%d) = %d, math/rand/v2 %d", s, k, n, g, w)
			}
		}
	}
}
