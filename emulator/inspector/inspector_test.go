package inspector_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chatemu/chatemu/emulator/inspector"
)

func serve(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

// TestPages: every page renders with its title, the navigation marks it,
// and every answer carries the security headers; the index is the tenants
// page; other paths are 404 pages; only GET and HEAD are served.
func TestPages(t *testing.T) {
	h, err := inspector.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, title string
		status      int
	}{
		{"/_chatemu/ui/", "Tenants", 200},
		{"/_chatemu/ui/tenants", "Tenants", 200},
		{"/_chatemu/ui/world", "World", 200},
		{"/_chatemu/ui/journal", "Journal", 200},
		{"/_chatemu/ui/clock", "Clock", 200},
		{"/_chatemu/ui/faults", "Faults", 200},
		{"/_chatemu/ui/inject", "Inject", 200},
		{"/_chatemu/ui/inject/", "Inject", 200},
		{"/_chatemu/ui/nope", "Not found", 404},
		{"/_chatemu/ui/notfound", "Not found", 404},
		{"/_chatemu/uix", "Not found", 404},
	} {
		rec := serve(t, h, "GET", c.path)
		body := rec.Body.String()
		if rec.Code != c.status || !strings.Contains(body, "<title>"+c.title+" · chatemu inspector</title>") {
			t.Errorf("GET %s: %d, title %q missing", c.path, rec.Code, c.title)
		}
		if c.status == 200 && !strings.Contains(body, `aria-current="page">`+c.title+`</a>`) {
			t.Errorf("GET %s: the navigation does not mark %s", c.path, c.title)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: CSP %q", c.path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", c.path)
		}
	}
	if rec := serve(t, h, "GET", "/_chatemu/ui"); rec.Code != 301 || rec.Header().Get("Location") != "/_chatemu/ui/" {
		t.Errorf("GET /_chatemu/ui: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := serve(t, h, "HEAD", "/_chatemu/ui/clock"); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := serve(t, h, "POST", "/_chatemu/ui/clock"); rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	for _, a := range []struct{ path, ctype string }{
		{"/_chatemu/ui/assets/app.js", "text/javascript; charset=utf-8"},
		{"/_chatemu/ui/assets/app.css", "text/css; charset=utf-8"},
		{"/_chatemu/ui/assets/icon.svg", "image/svg+xml"},
	} {
		if rec := serve(t, h, "GET", a.path); rec.Code != 200 || rec.Header().Get("Content-Type") != a.ctype || rec.Body.Len() < 300 {
			t.Errorf("GET %s: %d %q, %d bytes", a.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	}
	if rec := serve(t, h, "GET", "/_chatemu/ui/assets/nope.js"); rec.Code != 404 {
		t.Errorf("a missing asset: %d", rec.Code)
	}
}

// TestPagesHoldNoData: the templates render no data (every figure comes
// from the control API, behind its token) and nothing inline that the
// content security policy forbids: no inline script, handler or style.
func TestPagesHoldNoData(t *testing.T) {
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=|<style`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(filepath.Join("templates", path))
		if err != nil {
			return err
		}
		if m := inline.Find(b); m != nil {
			t.Errorf("%s: %q breaks the content security policy", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAssetsBudget: the inspector ships under 200 KB, pages and assets
// together, and its script calls nothing but the control API.
func TestAssetsBudget(t *testing.T) {
	var total int64
	for _, dir := range []string{"templates", "assets"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			total += info.Size()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if total >= 200_000 {
		t.Errorf("the inspector is %d bytes, over its 200 KB budget", total)
	}
	js, err := os.ReadFile("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	calls := regexp.MustCompile(`fetch\(([^,)]*)`).FindAllSubmatch(js, -1)
	if len(calls) == 0 {
		t.Fatal("no fetch in app.js")
	}
	for _, c := range calls {
		if !strings.HasPrefix(string(c[1]), "API + ") {
			t.Errorf("app.js fetches %s, not the control API", c[1])
		}
	}
	if regexp.MustCompile(`https?://`).Match(js) {
		t.Error("app.js names an absolute URL: the inspector must work offline, on its own origin")
	}
}
