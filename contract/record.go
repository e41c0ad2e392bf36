package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// RecordingVersion is the format version written into recordings.
const RecordingVersion = 1

// Recording is one probe's recorded exchange, as stored in
// {dir}/{vendor}/{probe}.json: the run's non-secret inputs (so that a
// replay asks the same questions), the request summary, the status, the
// selected headers and the checked document, with secrets redacted.
type Recording struct {
	Version int               `json:"chatemu_contract_recording"`
	Vendor  string            `json:"vendor"`
	Probe   string            `json:"probe"`
	About   string            `json:"about"`
	Inputs  map[string]string `json:"inputs"`
	Exchange
}

// WriteRecordings stores every probe of rep that got an answer under
// dir/{vendor}/{probe}.json. Secrets are already redacted in the
// exchanges; message arrays keep one message of each kind.
func WriteRecordings(dir string, rep *Report) ([]string, error) {
	var written []string
	for _, r := range rep.Results {
		if r.exchange == nil {
			continue
		}
		rec := Recording{Version: RecordingVersion, Vendor: r.Vendor, Probe: r.Probe, About: r.About, Inputs: r.inputs, Exchange: *r.exchange}
		rec.Body = trimContent(rec.Body, r.spec.content)
		b, err := json.MarshalIndent(rec, "", "  ")
		if err != nil {
			return written, err
		}
		b = unescapeHTML(b)
		// A last guard: a known secret never reaches the disk.
		b = []byte(scrub(string(b), r.secrets))
		p := filepath.Join(dir, r.Vendor, r.Probe+".json")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, err
		}
		if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// unescapeHTML undoes encoding/json's \u003c \u003e \u0026 so recordings
// read like the vendors' bodies.
func unescapeHTML(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte(`\u003c`), []byte("<"))
	b = bytes.ReplaceAll(b, []byte(`\u003e`), []byte(">"))
	return bytes.ReplaceAll(b, []byte(`\u0026`), []byte("&"))
}

// LoadRecordings reads dir/{vendor}/*.json for the given vendors (all
// vendors with a directory when none is given), sorted by vendor order and
// file name.
func LoadRecordings(dir string, vendors ...string) ([]Recording, error) {
	if len(vendors) == 0 {
		vendors = Vendors
	}
	var out []Recording
	for _, v := range vendors {
		files, err := filepath.Glob(filepath.Join(dir, v, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var r Recording
			if err := json.Unmarshal(b, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if r.Version != RecordingVersion {
				return nil, fmt.Errorf("%s: not a chatemu contract recording (version %d)", f, r.Version)
			}
			if r.Vendor != v || r.Probe+".json" != filepath.Base(f) {
				return nil, fmt.Errorf("%s: holds %s/%s", f, r.Vendor, r.Probe)
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no recordings under " + dir + " (want {vendor}/{probe}.json)")
	}
	return out, nil
}

// trimContent keeps, in each message array of the document, the first
// message of every kind.
func trimContent(body json.RawMessage, content map[string]string) json.RawMessage {
	if len(content) == 0 || !gjson.ValidBytes(body) {
		return body
	}
	var out bytes.Buffer
	jsonRewrite{keep: func(path string) func(gjson.Result) bool {
		kindPath, isContent := content[pattern(path)]
		if !isContent {
			return nil
		}
		var seen []string
		return func(el gjson.Result) bool {
			k := el.Get(kindPath).Raw
			if slices.Contains(seen, k) {
				return false
			}
			seen = append(seen, k)
			return true
		}
	}}.write(&out, gjson.ParseBytes(body), "", "")
	return out.Bytes()
}

// RecordedInputs merges the inputs of a vendor's recordings: what a replay
// must ask to put the same questions.
func RecordedInputs(recs []Recording, vendor string) map[string]string {
	in := map[string]string{}
	for _, r := range recs {
		if r.Vendor != vendor {
			continue
		}
		for k, v := range r.Inputs {
			if strings.TrimSpace(v) != "" {
				in[k] = v
			}
		}
	}
	return in
}

// CompareRecording adds to a probe's result the differences between what
// the target answered and the recording: status, recorded headers and the
// body field by field, values the probe calls volatile compared by shape
// only. A skipped or failed probe cannot be compared and is an error.
func CompareRecording(res Result, rec Recording) Result {
	if res.Verdict == Skip || res.Verdict == Error {
		if res.Verdict == Skip {
			res.Verdict, res.Reason = Error, "recorded, but skipped in the replay: "+res.Reason
		}
		return res
	}
	var fails []Failure
	n := 1
	if res.doc.Status != rec.Status {
		fails = append(fails, Failure{Path: "(status)", Expected: "as recorded: HTTP " + strconv.Itoa(rec.Status), Observed: "HTTP " + strconv.Itoa(res.doc.Status)})
	}
	for name, v := range rec.Header {
		n++
		if got := res.doc.Header[name]; got != v {
			fails = append(fails, Failure{Path: "(header " + name + ")", Expected: "as recorded: " + strconv.Quote(v), Observed: strconv.Quote(got)})
		}
	}
	if !gjson.ValidBytes(rec.Body) {
		fails = append(fails, Failure{Path: "(body)", Expected: "a JSON body in the recording", Observed: "invalid JSON"})
	} else {
		f, c := compareDocs(res.spec, gjson.ParseBytes(rec.Body), res.doc.JSON)
		fails, n = append(fails, f...), n+c
	}
	res.Failures = fold(append(res.Failures, fails...))
	res.Checks += n
	if len(res.Failures) > 0 {
		res.Verdict = Fail
	}
	return res
}
