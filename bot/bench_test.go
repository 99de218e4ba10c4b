package bot_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"planbot/scripts/loadtest"
)

// BenchmarkAPIAsk serves GET /api/ask through the service's handler, the
// load test's questions in turn, so the answers come from the answer
// cache: what the web API costs beyond answering.
func BenchmarkAPIAsk(b *testing.B) {
	h := newService(b, "", nil).Config.Handler
	qs := loadtest.Questions()
	reqs := make([]*http.Request, len(qs))
	for i, q := range qs {
		reqs[i] = httptest.NewRequest("GET", "/api/ask?q="+url.QueryEscape(q), nil)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.Code != http.StatusOK {
			b.Fatalf("%s: status %d", reqs[i%len(reqs)].URL, w.Code)
		}
		i++
	}
}
