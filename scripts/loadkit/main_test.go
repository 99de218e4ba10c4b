package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// TestLineRequests checks that linerequests writes signed webhook requests
// that net/http parses, each with its own event ID, and that paced reads
// them back; a truncated file is refused.
func TestLineRequests(t *testing.T) {
	out := filepath.Join(t.TempDir(), "line.requests")
	if err := lineRequests([]string{"-secret", "s3", "-n", "20", "-first", "100", "-out", out}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := splitRequests(raw)
	if err != nil || len(reqs) != 20 {
		t.Fatalf("split: %d requests, %v", len(reqs), err)
	}
	ids := map[string]bool{}
	for _, b := range reqs {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte("s3"))
		mac.Write(body)
		if r.Method != "POST" || r.URL.Path != "/line/webhook" ||
			r.Header.Get("x-line-signature") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
			t.Fatalf("bad request %s %s, signature %q", r.Method, r.URL, r.Header.Get("x-line-signature"))
		}
		var cb struct {
			Events []struct {
				ID string `json:"webhookEventId"`
			} `json:"events"`
		}
		if err := json.Unmarshal(body, &cb); err != nil || len(cb.Events) != 1 {
			t.Fatalf("body %s: %v", body, err)
		}
		ids[cb.Events[0].ID] = true
	}
	if len(ids) != 20 {
		t.Errorf("%d distinct event IDs in 20 requests", len(ids))
	}
	if _, err := splitRequests(raw[:len(raw)-1]); err == nil {
		t.Error("truncated file accepted")
	}
}

// TestPacedPath checks that paced sends -rate × -seconds GETs of -path, on
// keep-alive connections, and none elsewhere.
func TestPacedPath(t *testing.T) {
	var hits, other atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/healthz" {
			hits.Add(1)
		} else {
			other.Add(1)
		}
	}))
	defer srv.Close()
	if err := paced([]string{"-url", srv.URL, "-path", "/healthz", "-rate", "200", "-seconds", "1"}); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 200 || other.Load() != 0 {
		t.Errorf("%d GET /healthz and %d other requests, want 200 and 0", hits.Load(), other.Load())
	}
}
