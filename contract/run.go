package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/chatemu/chatemu/emulator/clock"
)

// Vendors are the vendor names Run accepts, in report order.
var Vendors = []string{"easemob", "yunxin", "op"}

// Config is one contract run against one endpoint.
type Config struct {
	// BaseURL is the endpoint: the real vendor's API host, a staging copy,
	// or a chatemu server ("http://127.0.0.1:8080"). Required.
	BaseURL string

	Easemob EasemobInputs
	Yunxin  YunxinInputs
	Op      OpInputs

	// ControlToken is chatemu's --control-token, used only when the target
	// is chatemu (to read its tenants and to move its clock).
	ControlToken string
	// NoClock forbids moving a chatemu target's clock: the probes that need
	// it (archive link expiry, default empty hour) are skipped.
	NoClock bool

	// Client sends the requests; nil is a client with a 30 s timeout that
	// honours the proxy environment (never for loopback).
	Client *http.Client
	// Now is the wall clock (Yunxin CurTime); nil is the real time.
	Now func() time.Time
}

// EasemobInputs are the Easemob probe inputs.
type EasemobInputs struct {
	Org, App, ClientID, ClientSecret string
	// Hour is an hour (yyyyMMddHH in the cluster's zone) that holds
	// messages and is archived. Empty: three hours before the server's time.
	Hour string
	// EmptyHour is an archived hour within retention without messages.
	// Empty: against chatemu, the hour after its clock (the clock is moved
	// past its archive time and back); against others the probe is skipped.
	EmptyHour string
	// Cluster is "cn" (hours in Beijing time, the default) or "overseas"
	// (UTC); only used to derive a default Hour.
	Cluster string
}

// YunxinInputs are the Yunxin probe inputs.
type YunxinInputs struct {
	AppKey, AppSecret string
	Room              string // a chat room with messages from Sender
	Sender            string
	// MaxPages bounds the walk to the last page (0: 100).
	MaxPages int
}

// OpInputs are the Op Api probe inputs.
type OpInputs struct {
	Client, Token string
	User          string // a user with at least two records
}

// Verdicts.
const (
	Pass  = "PASS"
	Fail  = "FAIL"
	Skip  = "SKIP"
	Error = "ERROR"
)

// Result is what one probe found.
type Result struct {
	Vendor   string    `json:"vendor"`
	Probe    string    `json:"probe"`
	About    string    `json:"about"`
	Verdict  string    `json:"verdict"`
	Reason   string    `json:"reason,omitempty"` // why skipped or in error
	Checks   int       `json:"checks"`
	Failures []Failure `json:"failures,omitempty"`

	// exchange is what was sent and received, redacted, for --record; doc
	// is what was observed, for a replay's comparison.
	exchange *Exchange
	doc      Doc
	inputs   map[string]string
	secrets  []string
	spec     compareSpec
}

// Report is a whole run: the target and every probe's result.
type Report struct {
	Target  string   `json:"target"`
	Chatemu bool     `json:"chatemu"`
	Mode    string   `json:"mode"` // "live" or "replay"
	Passed  bool     `json:"passed"`
	Results []Result `json:"results"`
}

// Failed counts the probes that failed or could not run.
func (r *Report) Failed() int {
	n := 0
	for _, x := range r.Results {
		if x.Verdict == Fail || x.Verdict == Error {
			n++
		}
	}
	return n
}

func (r *Report) finish() {
	r.Passed = r.Failed() == 0
}

// Exchange is a probe's request and response as recorded: the request
// summary, status, selected headers and the checked JSON document.
type Exchange struct {
	Request   RequestSummary    `json:"request"`
	Status    int               `json:"status"`
	Header    map[string]string `json:"headers,omitempty"`
	Synthetic bool              `json:"synthetic,omitempty"` // the body was built from several requests
	Body      json.RawMessage   `json:"body"`
}

// RequestSummary is the probe's (last) request, secrets redacted.
type RequestSummary struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  string            `json:"query,omitempty"`
	Header map[string]string `json:"headers,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
}

// probe is one named check: a request (or a few) and the rules its answer
// must meet.
type probe struct {
	name  string
	about string
	// do performs the probe: it returns the document the rules read, or
	// skip (a reason) or an error.
	do    func(ctx context.Context, s *session) (*observed, string, error)
	rules func(s *session) []Rule
	// compare says how a replay compares this probe's body with a
	// recording.
	compare compareSpec
}

// observed is a probe's outcome before checking.
type observed struct {
	doc Doc
	ex  *Exchange
	// extra are failures found on the way (a walk checks every page).
	extra       []Failure
	extraChecks int
}

// session is one vendor's run: inputs, client, and what earlier probes
// learned (a token, an archive link).
type session struct {
	cfg     *Config
	vendor  string
	base    string
	client  *http.Client
	now     func() time.Time
	chatemu bool
	// inputs are the run's non-secret inputs, written into recordings so
	// that a replay asks the same questions.
	inputs map[string]string
	// secrets are values never to write into a recording.
	secrets []string
	state   map[string]string
}

// ErrUnreachable is wrapped by Run's error when the base URL does not
// answer at all (connection refused, no such host, a TLS failure): the
// report would only repeat it once per probe.
var ErrUnreachable = errors.New("cannot reach the base URL")

// Run runs the probes of the given vendors against cfg.BaseURL.
func Run(ctx context.Context, cfg Config, vendors ...string) (*Report, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("contract: a base URL is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("contract: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if len(vendors) == 0 {
		return nil, errors.New("contract: no vendor given (easemob, yunxin, op)")
	}
	for _, v := range vendors {
		if !slices.Contains(Vendors, v) {
			return nil, fmt.Errorf("contract: unknown vendor %q (want easemob, yunxin or op)", v)
		}
	}
	client := cfg.Client
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		defer tr.CloseIdleConnections()
		client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	}
	now := cfg.Now
	if now == nil {
		now = clock.Wall().WallNow
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	rep := &Report{Target: base, Mode: "live"}
	rep.Chatemu, err = isChatemu(ctx, client, base)
	if err != nil {
		return nil, fmt.Errorf("contract: %w %s: %w", ErrUnreachable, base, err)
	}
	var tenants gjson.Result
	if rep.Chatemu {
		tenants = chatemuTenants(ctx, client, base, cfg.ControlToken)
	}
	for _, v := range vendors {
		s := &session{cfg: &cfg, vendor: v, base: base, client: client, now: now, chatemu: rep.Chatemu,
			inputs: map[string]string{}, state: map[string]string{}}
		if cfg.ControlToken != "" {
			s.secrets = append(s.secrets, cfg.ControlToken)
		}
		probes, err := s.prepare(ctx, tenants)
		if err != nil {
			return nil, err
		}
		first := len(rep.Results)
		for _, p := range probes {
			rep.Results = append(rep.Results, s.runProbe(ctx, p))
		}
		for i := first; i < len(rep.Results); i++ {
			rep.Results[i].secrets = s.secrets
		}
	}
	rep.finish()
	return rep, nil
}

// prepare fills the vendor's inputs (from chatemu's tenants when the target
// is chatemu and a credential is missing) and returns its probes.
func (s *session) prepare(ctx context.Context, tenants gjson.Result) ([]probe, error) {
	switch s.vendor {
	case "easemob":
		return s.easemobProbes(ctx, tenants)
	case "yunxin":
		return s.yunxinProbes(tenants)
	default:
		return s.opProbes(tenants)
	}
}

func (s *session) runProbe(ctx context.Context, p probe) Result {
	res := Result{Vendor: s.vendor, Probe: p.name, About: p.about, inputs: s.inputs, spec: p.compare}
	obs, skip, err := p.do(ctx, s)
	switch {
	case err != nil:
		res.Verdict, res.Reason = Error, err.Error()
		return res
	case skip != "":
		res.Verdict, res.Reason = Skip, skip
		return res
	}
	res.Failures, res.Checks = Check(obs.doc, p.rules(s))
	res.Failures = fold(append(obs.extra, res.Failures...))
	res.Checks += obs.extraChecks
	res.Verdict = Pass
	if len(res.Failures) > 0 {
		res.Verdict = Fail
	}
	res.exchange, res.doc = obs.ex, obs.doc
	return res
}

// isChatemu reports whether base answers chatemu's health route; the probe
// is a harmless GET (a 404 on a vendor). The error is the transport's, when
// base does not answer at all.
func isChatemu(ctx context.Context, client *http.Client, base string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/_chatemu/health", nil)
	if err != nil {
		return false, err
	}
	res, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
	return res.StatusCode == http.StatusOK && gjson.GetBytes(b, "status").Str == "ok", nil
}

// chatemuTenants reads chatemu's GET /_chatemu/tenants (empty on failure).
func chatemuTenants(ctx context.Context, client *http.Client, base, token string) gjson.Result {
	b, status, err := control(ctx, client, base, token, http.MethodGet, "tenants", nil)
	if err != nil || status != http.StatusOK {
		return gjson.Result{}
	}
	return gjson.ParseBytes(b)
}

// control calls chatemu's control API.
func control(ctx context.Context, client *http.Client, base, token, method, route string, body any) ([]byte, int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/_chatemu/"+route, rd)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	return b, res.StatusCode, err
}

// advance moves a chatemu target's clock by d (negative: back) through the
// control API.
func (s *session) advance(ctx context.Context, d time.Duration) error {
	b, status, err := control(ctx, s.client, s.base, s.cfg.ControlToken, http.MethodPost, "clock", map[string]string{"advance": d.String()})
	if err != nil {
		return fmt.Errorf("moving chatemu's clock: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("moving chatemu's clock: HTTP %d %s (pass --control-token?)", status, bytes.TrimSpace(b))
	}
	return nil
}

// chatemuNow reads a chatemu target's clock.
func (s *session) chatemuNow(ctx context.Context) (time.Time, error) {
	b, status, err := control(ctx, s.client, s.base, s.cfg.ControlToken, http.MethodGet, "clock", nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading chatemu's clock: %w", err)
	}
	if status != http.StatusOK {
		return time.Time{}, fmt.Errorf("reading chatemu's clock: HTTP %d %s (pass --control-token?)", status, bytes.TrimSpace(b))
	}
	return time.Parse(time.RFC3339Nano, gjson.GetBytes(b, "now").Str)
}

// call is one HTTP request of a probe.
type call struct {
	method string
	url    string // absolute, or a path under the base URL
	header map[string]string
	body   []byte
}

// send performs c and returns the response with its body read.
func (s *session) send(ctx context.Context, c call) (*http.Response, []byte, error) {
	u := c.url
	if strings.HasPrefix(u, "/") {
		u = s.base + u
	}
	var rd io.Reader
	if c.body != nil {
		rd = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, rd)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, nil, err
	}
	return res, b, nil
}

// recordedHeaders are the response headers a recording keeps.
var recordedHeaders = []string{"Content-Type", "Server"}

// exchange sends c and builds the observation of a JSON (or XML) answer.
func (s *session) exchange(ctx context.Context, c call) (*observed, error) {
	res, body, err := s.send(ctx, c)
	if err != nil {
		return nil, err
	}
	doc := Doc{Status: res.StatusCode, Header: map[string]string{}}
	for k, v := range res.Header {
		doc.Header[k] = v[0]
	}
	doc.JSON, body = parseBody(res.Header.Get("Content-Type"), body)
	return &observed{doc: doc, ex: s.record(c, doc, body, false)}, nil
}

// parseBody turns a response body into the document rules read: JSON as
// is, an XML error document as {"Root":{"Child":"text",…}} (children in
// order), anything else as a JSON string.
func parseBody(contentType string, body []byte) (gjson.Result, []byte) {
	trim := bytes.TrimSpace(body)
	if gjson.ValidBytes(trim) && len(trim) > 0 {
		return gjson.ParseBytes(trim), trim
	}
	if strings.Contains(contentType, "xml") || bytes.HasPrefix(trim, []byte("<?xml")) {
		if j, err := xmlToJSON(trim); err == nil {
			return gjson.ParseBytes(j), j
		}
	}
	j, _ := json.Marshal(string(body))
	return gjson.ParseBytes(j), j
}

// xmlToJSON converts a flat XML document (an OSS error) into a JSON object
// keeping element order; nested elements nest, text is a string.
func xmlToJSON(b []byte) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out bytes.Buffer
	type frame struct {
		name     string
		children int
		text     strings.Builder
	}
	var stack []*frame
	out.WriteByte('{')
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				if parent.children == 0 {
					out.WriteByte('{')
				} else {
					out.WriteByte(',')
				}
				parent.children++
			}
			k, _ := json.Marshal(t.Name.Local)
			out.Write(k)
			out.WriteByte(':')
			stack = append(stack, &frame{name: t.Name.Local})
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.children > 0 {
				out.WriteByte('}')
			} else {
				v, _ := json.Marshal(f.text.String())
				out.Write(v)
			}
		}
	}
	out.WriteByte('}')
	if !gjson.ValidBytes(out.Bytes()) {
		return nil, errors.New("not a simple XML document")
	}
	return out.Bytes(), nil
}

// record builds the Exchange of a call, secrets redacted.
func (s *session) record(c call, doc Doc, body []byte, synthetic bool) *Exchange {
	u, _ := url.Parse(c.url)
	if strings.HasPrefix(c.url, "/") {
		u, _ = url.Parse(s.base + c.url)
	}
	ex := &Exchange{
		Request:   RequestSummary{Method: c.method, Header: map[string]string{}},
		Status:    doc.Status,
		Header:    map[string]string{},
		Synthetic: synthetic,
	}
	if u != nil {
		ex.Request.Path = u.EscapedPath()
		ex.Request.Query = redactQuery(u.RawQuery)
	}
	for k, v := range c.header {
		ex.Request.Header[k] = redactHeader(k, v)
	}
	if len(ex.Request.Header) == 0 {
		ex.Request.Header = nil
	}
	if c.body != nil {
		ex.Request.Body = redactJSON(c.body, s.secrets)
	}
	for _, h := range recordedHeaders {
		if v, ok := doc.Header[h]; ok {
			ex.Header[h] = v
		}
	}
	if len(ex.Header) == 0 {
		ex.Header = nil
	}
	ex.Body = redactJSON(body, s.secrets)
	return ex
}

// synthetic builds an observation from a document a probe assembled from
// several requests; last is the last request made.
func (s *session) synthetic(last call, status int, header map[string]string, doc any) *observed {
	b, _ := json.Marshal(doc)
	d := Doc{Status: status, Header: header, JSON: gjson.ParseBytes(b)}
	if d.Header == nil {
		d.Header = map[string]string{}
	}
	return &observed{doc: d, ex: s.record(last, d, b, true)}
}

func (s *session) secret(vs ...string) {
	for _, v := range vs {
		if v != "" {
			s.secrets = append(s.secrets, v)
		}
	}
}
