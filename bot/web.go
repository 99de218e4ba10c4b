package bot

import (
	"embed"
	"io/fs"
	"net/http"
)

// The web chat and admin pages: plain HTML, CSS and JavaScript embedded in
// the binary, with no build step and nothing fetched at run time.
//
//go:embed web
var webFS embed.FS

func handleWebChat() http.Handler { return servePage("web/index.html") }

func handleAdminPage() http.Handler { return servePage("web/admin.html") }

func servePage(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := webFS.ReadFile(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The Content-Security-Policy is every response's (secure).
		w.Write(b)
	})
}

func handleStatic() http.Handler {
	sub, _ := fs.Sub(webFS, "web")
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}

// handlePlan is GET /api/plan: the plan the web chat answers from and its
// enquiry desk (in English too), which the page shows before any question.
func handlePlan(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ix := d.Live.Current()
		if ix == nil {
			writeError(w, http.StatusServiceUnavailable, "the index is not ready; try again shortly")
			return
		}
		writeJSON(w, http.StatusOK, ix.Info())
	})
}
