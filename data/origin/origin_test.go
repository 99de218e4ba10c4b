package origin

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// page is a fake city web server: one page with an ETag, Last-Modified or
// neither, counting full answers and 304s.
type page struct {
	mu           sync.Mutex
	body         []byte
	contentType  string
	etag         bool
	lastModified time.Time
	full, notMod atomic.Int32
}

func (p *page) set(body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.body = []byte(body)
	p.lastModified = p.lastModified.Add(time.Minute)
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	body, lm, etag := p.body, p.lastModified, p.etag
	p.mu.Unlock()
	tag := `"` + string(rune('a'+len(body)%26)) + `"`
	if etag {
		w.Header().Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			p.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else if !lm.IsZero() {
		w.Header().Set("Last-Modified", lm.UTC().Format(http.TimeFormat))
		if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !lm.Truncate(time.Second).After(since) {
			p.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	p.full.Add(1)
	w.Header().Set("Content-Type", p.contentType)
	w.Write(body)
}

func TestReadURL(t *testing.T) {
	p := &page{body: []byte("<html>計画</html>"), contentType: "text/html; charset=Shift_JIS"}
	srv := httptest.NewServer(p)
	defer srv.Close()
	d, err := Read(context.Background(), srv.URL+"/plan.html", nil)
	if err != nil || string(d.Text) != "<html>計画</html>" || d.ContentType != "text/html; charset=Shift_JIS" || d.Source != srv.URL+"/plan.html" {
		t.Fatalf("Read = %+v, %v", d, err)
	}
	if !IsURL(srv.URL) || !IsURL("HTTPS://example.jp/") || IsURL("plan.txt") || IsURL("/tmp/http://x") {
		t.Error("IsURL")
	}
}

func TestReadErrors(t *testing.T) {
	ctx := context.Background()
	huge := bytes.Repeat([]byte("あ"), MaxBytes/3+1)
	mux := http.NewServeMux()
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusNotFound) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write(huge) })
	mux.HandleFunc("/chunked-huge", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(huge); i += 1 << 20 {
			w.Write(huge[i:min(i+1<<20, len(huge))])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for path, want := range map[string]error{"/gone": ErrFetch, "/huge": ErrTooLarge, "/chunked-huge": ErrTooLarge} {
		if _, err := Read(ctx, srv.URL+path, nil); !errors.Is(err, want) || !errors.Is(err, ErrFetch) {
			t.Errorf("%s: %v, want %v", path, err, want)
		}
	}
	quick := &http.Client{Timeout: 200 * time.Millisecond}
	start := time.Now()
	if _, err := Read(ctx, srv.URL+"/slow", quick); !errors.Is(err, ErrFetch) || time.Since(start) > 3*time.Second {
		t.Errorf("slow page: %v after %v", err, time.Since(start))
	}
	if _, err := Read(ctx, "http://127.0.0.1:1/plan", nil); !errors.Is(err, ErrFetch) {
		t.Errorf("unreachable: %v", err)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	os.WriteFile(big, huge, 0o644)
	if _, err := Read(ctx, big, nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big file: %v", err)
	}
	if _, err := Read(ctx, filepath.Join(dir, "none.txt"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestWatchURL: the first poll fetches; later polls send the validators
// and a 304 is no change; a new body is a change; a body fetched again
// with the same bytes is no change.
func TestWatchURL(t *testing.T) {
	for _, etag := range []bool{true, false} {
		p := &page{body: []byte("v1"), contentType: "text/plain", etag: etag, lastModified: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		srv := httptest.NewServer(p)
		w := &Watcher{Location: srv.URL}
		ctx := context.Background()
		d, err := w.Poll(ctx)
		if err != nil || d == nil || string(d.Text) != "v1" {
			t.Fatalf("etag %v: first poll %+v %v", etag, d, err)
		}
		for range 3 {
			if d, err := w.Poll(ctx); d != nil || err != nil {
				t.Errorf("etag %v: unchanged page polled as %+v %v", etag, d, err)
			}
		}
		if p.notMod.Load() != 3 || p.full.Load() != 1 {
			t.Errorf("etag %v: %d full answers and %d 304s, want 1 and 3", etag, p.full.Load(), p.notMod.Load())
		}
		p.set("v22")
		if d, err := w.Poll(ctx); err != nil || d == nil || string(d.Text) != "v22" || d.ContentType != "text/plain" {
			t.Errorf("etag %v: changed page polled as %+v %v", etag, d, err)
		}
		// Validators changed, body not: no change to act on.
		p.mu.Lock()
		p.lastModified = p.lastModified.Add(time.Hour)
		p.etag = false
		p.mu.Unlock()
		if d, err := w.Poll(ctx); d != nil || err != nil {
			t.Errorf("etag %v: same body polled as %+v %v", etag, d, err)
		}
		srv.Close()
		if _, err := w.Poll(ctx); !errors.Is(err, ErrFetch) {
			t.Errorf("etag %v: server gone: %v", etag, err)
		}
	}
}

func TestWatchFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plan.txt")
	w := &Watcher{Location: path}
	if _, err := w.Poll(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("first poll of a missing file: %v", err)
	}
	os.WriteFile(path, []byte("a"), 0o644)
	if d, err := w.Poll(ctx); err != nil || d == nil || d.Source != "file "+path || d.ContentType != "" {
		t.Fatalf("first poll: %+v %v", d, err)
	}
	if d, _ := w.Poll(ctx); d != nil {
		t.Error("unchanged file reported")
	}
	os.WriteFile(path, []byte("b"), 0o644)
	if d, _ := w.Poll(ctx); d == nil || string(d.Text) != "b" {
		t.Errorf("changed file: %+v", d)
	}
	// Removing the file is no change to act on (an editor saving in two
	// steps); writing it back as it was is none either.
	os.Remove(path)
	if d, err := w.Poll(ctx); d != nil || err != nil {
		t.Errorf("removed file: %+v %v", d, err)
	}
	os.WriteFile(path, []byte("b"), 0o644)
	if d, _ := w.Poll(ctx); d != nil {
		t.Error("file written back unchanged reported")
	}
	// An emptied file is a change (the reloader refuses it).
	os.WriteFile(path, nil, 0o644)
	if d, _ := w.Poll(ctx); d == nil || len(d.Text) != 0 {
		t.Errorf("emptied file: %+v", d)
	}
}
