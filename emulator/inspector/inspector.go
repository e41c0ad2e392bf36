// Package inspector is chatemu's browser UI, served by the emulator itself
// at /_chatemu/ui: the tenants with their credentials and a ready curl per
// vendor, the world (Easemob archive hours and records, Yunxin rooms and
// pages, Op users and records), the request journal live, the clock, the
// faults and a form per vendor that injects a message.
//
// The pages are html/template documents with a small plain script and a
// style sheet, all embedded (go:embed): no build step, no CDN, nothing
// fetched from elsewhere. The pages hold no data. Everything they show
// comes from the public control API (/_chatemu/…), called by the script
// with the control token the person types when the server has one (kept
// in the tab's sessionStorage and sent as a Bearer token), so serving the
// pages needs no token, and the UI is a working example of that API.
//
// inspector imports faults (the preset names) and no vendor package, no
// world and not the control package: it knows the control API only as a
// client does.
package inspector

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/chatemu/chatemu/emulator/faults"
)

// Path is where the inspector is mounted: the emulator serves every path
// under it with Handler.
const Path = "/_chatemu/ui"

// ControlPath is the control API's prefix the pages call.
const ControlPath = "/_chatemu/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// page is one page of the inspector: its path under Path, its title in the
// navigation, and its template.
type page struct {
	Slug  string
	Title string
}

// pages are the inspector's pages in navigation order; the first is also
// the index.
var pages = []page{
	{"tenants", "Tenants"},
	{"world", "World"},
	{"journal", "Journal"},
	{"clock", "Clock"},
	{"faults", "Faults"},
	{"inject", "Inject"},
}

// view is what a page's template is rendered with: static facts of the
// control API, never data (the script fetches that).
type view struct {
	Page    page
	Pages   []page
	Base    string // Path
	API     string // ControlPath
	Vendors []string
	// Presets are the fault kinds a vendor renders, and drop.
	Presets []faults.Kind
}

// Handler serves the inspector's pages and assets. It is safe for
// concurrent use and holds no state but its parsed templates.
type Handler struct {
	pages  map[string]*template.Template
	assets http.Handler
}

// New parses the embedded templates. It fails only if they are broken,
// which the package's tests rule out.
func New() (*Handler, error) {
	h := &Handler{pages: map[string]*template.Template{}}
	for _, p := range append(pages, page{"notfound", "Not found"}) {
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+p.Slug+".html")
		if err != nil {
			return nil, err
		}
		h.pages[p.Slug] = t
	}
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, err
	}
	h.assets = http.StripPrefix(Path+"/assets/", http.FileServerFS(sub))
	return h, nil
}

// securityHeaders are sent with every answer: the pages load only their
// own script and style and talk only to their own origin.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "no-referrer",
	// The pages are small and the assets change with the binary: always
	// revalidate, so an upgraded emulator never runs an old script.
	"Cache-Control": "no-cache",
}

// ServeHTTP serves GET and HEAD of Path (redirected to Path/), the pages
// and the assets.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, Path)
	switch {
	case !ok || (rest != "" && rest[0] != '/'):
		h.render(w, r, "notfound", http.StatusNotFound)
	case rest == "":
		http.Redirect(w, r, Path+"/", http.StatusMovedPermanently)
	case strings.HasPrefix(rest, "/assets/"):
		h.assets.ServeHTTP(w, r)
	case rest == "/":
		h.render(w, r, pages[0].Slug, http.StatusOK)
	default:
		slug := strings.TrimPrefix(path.Clean(rest), "/")
		if _, known := h.pages[slug]; !known || slug == "notfound" {
			slug = "notfound"
		}
		status := http.StatusOK
		if slug == "notfound" {
			status = http.StatusNotFound
		}
		h.render(w, r, slug, status)
	}
}

// render writes a page. A template error (impossible once the tests pass)
// is a plain 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, slug string, status int) {
	v := view{Pages: pages, Base: Path, API: ControlPath, Vendors: faults.Vendors,
		Presets: append(append([]faults.Kind{}, faults.Presets...), faults.Drop)}
	v.Page = page{Slug: slug, Title: "Not found"}
	for _, p := range pages {
		if p.Slug == slug {
			v.Page = p
		}
	}
	var buf bytes.Buffer
	if err := h.pages[slug].Execute(&buf, v); err != nil {
		http.Error(w, "inspector: rendering "+slug+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
