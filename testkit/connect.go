package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Connect returns an Emulator for the chatemu already running at baseURL
// (the Docker image, a CI service, `chatemu serve`), with the API that
// Start returns: credentials, Clock, Inject, faults, Requests and the
// assertions, Reset, runtime tenants. Give ControlToken when the server
// runs with --control-token. Connect checks that the server answers as
// chatemu (with the token) before it returns; t.Cleanup closes its idle
// connections and leaves the server as it is. World and Server are in
// process only.
//
//	func emulatorFor(t *testing.T) *testkit.Emulator {
//		if url := os.Getenv("CHATEMU_URL"); url != "" {
//			return testkit.Connect(t, url, testkit.ControlToken(os.Getenv("CHATEMU_CONTROL_TOKEN")))
//		}
//		return testkit.Start(t)
//	}
func Connect(t TB, baseURL string, opts ...Option) *Emulator {
	t.Helper()
	o := newOptions(opts)
	if err := o.forConnect(); err != nil {
		t.Fatalf("testkit: %v", err)
		return nil
	}
	url := strings.TrimRight(baseURL, "/")
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		t.Fatalf("testkit: Connect: base URL %q is not an http(s) URL", baseURL)
		return nil
	}
	e := newEmulator(url, o.controlToken, nil, o.wrap)
	e.t = t
	t.Cleanup(e.Close)
	// GET clock is guarded: it proves the server is chatemu, that it
	// answers, and that the token is right.
	var c clockState
	if err := e.ctl.call(http.MethodGet, "clock", nil, &c); err != nil {
		t.Fatalf("testkit: Connect %s: %v", url, err)
		return nil
	}
	if _, err := time.Parse(time.RFC3339Nano, c.Now); err != nil {
		t.Fatalf("testkit: Connect %s: GET /_chatemu/clock: %v", url, errNotChatemu)
		return nil
	}
	return e
}

// maxAnswer bounds a control answer the testkit reads: a full journal is a
// few MiB.
const maxAnswer = 64 << 20

// controlTimeout bounds one control call, so that a server that stops
// answering fails the test instead of hanging it.
const controlTimeout = time.Minute

// controlClient calls the control API: JSON in, JSON out, the token on
// every request, a refusal as a *controlError.
type controlClient struct {
	base   string // the emulator's URL + "/_chatemu/"
	token  string
	client *http.Client
}

func newControlClient(url, token string, rt http.RoundTripper) *controlClient {
	return &controlClient{base: url + "/_chatemu/", token: token, client: &http.Client{Transport: rt, Timeout: controlTimeout}}
}

// controlError is the control API's refusal: its status and its message,
// which names what was wrong.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

// call sends in (nil: no body) as JSON to path under /_chatemu/ and
// decodes the answer into out (nil: ignored).
func (c *controlClient) call(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%s /_chatemu/%s: %w", method, path, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("%s /_chatemu/%s: answer larger than %d bytes", method, path, maxAnswer)
	}
	if res.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			if res.StatusCode == http.StatusUnauthorized {
				e.Error += " (testkit.ControlToken)"
			}
			return &controlError{status: res.StatusCode, msg: e.Error}
		}
		return fmt.Errorf("%s /_chatemu/%s: %s: %w", method, path, res.Status, errNotChatemu)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s /_chatemu/%s: %w: %v", method, path, errNotChatemu, err)
		}
	}
	return nil
}
