package testkit

import "net/http"

// WithTransport wraps the transport of every request the Emulator sends,
// for the tests that check the testkit's control traffic against the
// control API's OpenAPI document.
func WithTransport(wrap func(http.RoundTripper) http.RoundTripper) Option {
	return func(o *options) { o.wrap = wrap }
}
