package budget

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// hold is a handler that reads its body and then waits for release.
type hold struct {
	entered chan struct{}
	release chan struct{}
	calls   atomic.Int32
	err     atomic.Value
}

func newHold() *hold { return &hold{entered: make(chan struct{}, 100), release: make(chan struct{})} }

func (h *hold) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.calls.Add(1)
	if _, err := io.ReadAll(r.Body); err != nil {
		h.err.Store(err)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
	}
	h.entered <- struct{}{}
	<-h.release
}

func request(n int) *http.Request {
	return httptest.NewRequest("POST", "/line/webhook", bytes.NewReader(make([]byte, n)))
}

// TestLimit: bodies are admitted while they fit; over the budget or over
// the size cap a request is refused at once, unread, its connection
// closed; small bodies keep half the budget whatever large ones hold.
func TestLimit(t *testing.T) {
	const total, max = 4 << 20, 1 << 20
	b := New(total)
	var refused []int
	b.Refused = func(_ *http.Request, status int) { refused = append(refused, status) }
	h := newHold()
	lim := b.Limit(max, h)
	serve := func(r *http.Request) chan *httptest.ResponseRecorder {
		c := make(chan *httptest.ResponseRecorder, 1)
		go func() { rec := httptest.NewRecorder(); lim.ServeHTTP(rec, r); c <- rec }()
		return c
	}
	// Large bodies: two fit in half the budget.
	var held []chan *httptest.ResponseRecorder
	for range 2 {
		held = append(held, serve(request(max)))
		<-h.entered
	}
	if got := b.Held(); got != 2*max {
		t.Fatalf("held %d, want %d", got, 2*max)
	}
	rec := <-serve(request(max))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || rec.Header().Get("Connection") != "close" {
		t.Errorf("a third large body: %d %v", rec.Code, rec.Header())
	}
	// Small bodies have the other half, and no more.
	for range (total - 2*max) / Small {
		held = append(held, serve(request(Small)))
		<-h.entered
	}
	if rec := <-serve(request(1)); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("a body over the total: %d", rec.Code)
	}
	// Over the cap: 413 before anything is read.
	if rec := <-serve(request(max + 1)); rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("Connection") != "close" {
		t.Errorf("oversized: %d", rec.Code)
	}
	if n := h.calls.Load(); int(n) != len(held) {
		t.Errorf("the handler ran %d times, want %d", n, len(held))
	}
	close(h.release)
	for _, c := range held {
		if rec := <-c; rec.Code != http.StatusOK {
			t.Errorf("admitted request: %d", rec.Code)
		}
	}
	if b.Held() != 0 {
		t.Errorf("held %d after every request", b.Held())
	}
	if want := []int{503, 503, 413}; len(refused) != 3 || refused[0] != want[0] || refused[1] != want[1] || refused[2] != want[2] {
		t.Errorf("refused %v, want %v", refused, want)
	}
	// Freed: a large body fits again.
	rec = httptest.NewRecorder()
	b.Limit(max, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, request(max))
	if rec.Code != http.StatusOK {
		t.Errorf("after release: %d", rec.Code)
	}
}

// TestChunked: a body of unknown length is counted at the cap and cut
// there.
func TestChunked(t *testing.T) {
	const max = 1 << 10
	b := New(16 << 10)
	h := newHold()
	close(h.release)
	r := httptest.NewRequest("POST", "/slack/events", io.MultiReader(strings.NewReader(strings.Repeat("x", max+1))))
	r.ContentLength = -1
	var during int64
	lim := b.Limit(max, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during = b.Held()
		h.ServeHTTP(w, r)
	}))
	rec := httptest.NewRecorder()
	lim.ServeHTTP(rec, r)
	if during != max || rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: held %d, status %d", during, rec.Code)
	}
}

// TestRead: a body of known length costs its length, once.
func TestRead(t *testing.T) {
	const n = 1 << 20
	body := bytes.Repeat([]byte("x"), n)
	least := uint64(1 << 62) // the least of a few reads: other goroutines allocate too
	for range 5 {
		var ms0, ms1 runtime.MemStats
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		runtime.ReadMemStats(&ms0)
		got, err := Read(httptest.NewRecorder(), r, n)
		runtime.ReadMemStats(&ms1)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("read %d bytes: %v", len(got), err)
		}
		least = min(least, ms1.TotalAlloc-ms0.TotalAlloc)
	}
	if least > n+64<<10 {
		t.Errorf("reading %d bytes allocated %d", n, least)
	}
	// A length that is wrong either way: read as it is, or refused.
	r := httptest.NewRequest("POST", "/", strings.NewReader("0123456789"))
	r.ContentLength = 4
	if got, err := Read(httptest.NewRecorder(), r, n); err != nil || string(got) != "0123456789" {
		t.Errorf("body longer than its length: %q %v", got, err)
	}
	r = httptest.NewRequest("POST", "/", strings.NewReader("0123"))
	r.ContentLength = 10
	if _, err := Read(httptest.NewRecorder(), r, n); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("body shorter than its length: %v", err)
	}
	r = httptest.NewRequest("POST", "/", bytes.NewReader(body))
	var tooLarge *http.MaxBytesError
	if _, err := Read(httptest.NewRecorder(), r, n-1); !errors.As(err, &tooLarge) {
		t.Errorf("over the cap: %v", err)
	}
}
