package sign

import "crypto/subtle"

// Equal compares a presented secret (a client secret, a token, a
// share-secret, a signature) with the expected one in time that does not
// depend on where they differ, so an emulator reachable on a shared host
// leaks nothing through timing.
func Equal(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
