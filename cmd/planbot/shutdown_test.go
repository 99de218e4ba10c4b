package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// slowLINE is LINE's Messaging API holding every reply until open is
// closed, then taking delay over each; it records the tokens it answered.
type slowLINE struct {
	*httptest.Server
	open chan struct{}
	mu   sync.Mutex
	sent []string
}

func newSlowLINE(t *testing.T, delay time.Duration) *slowLINE {
	f := &slowLINE{open: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Token string `json:"replyToken"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		select {
		case <-f.open:
		case <-r.Context().Done():
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return // the caller gave up: not sent
		}
		f.mu.Lock()
		f.sent = append(f.sent, req.Token)
		f.mu.Unlock()
		w.Write([]byte(`{"sentMessages":[]}`))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *slowLINE) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sent)
}

// queueLINE posts n signed text events to the service's webhook, one
// delivery each.
func queueLINE(t *testing.T, base, secret string, n int) {
	t.Helper()
	for i := range n {
		body := fmt.Appendf(nil, `{"destination":"U","events":[{"type":"message","mode":"active","timestamp":1,"webhookEventId":"q%d",`+
			`"replyToken":"tok%d","source":{"type":"user","userId":"U1"},"message":{"type":"text","id":"%d","text":"地方債の担当は？"}}]}`, i, i, i)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		req, _ := http.NewRequest("POST", base+"/line/webhook", strings.NewReader(string(body)))
		req.Header.Set("x-line-signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("delivery %d: %d", i, resp.StatusCode)
		}
	}
}

// logCount reads key=N from the JSON log line whose msg contains msg.
func logCount(t *testing.T, logs, msg, key string) int {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, msg) {
			m := regexp.MustCompile(`"` + key + `":(\d+)`).FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("no %s in %s", key, l)
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	t.Fatalf("no log line %q:\n%s", msg, logs)
	return 0
}

// TestShutdownDrains: on SIGTERM (the context) with 80 LINE events
// queued behind a slow API and an HTTP request that never finishes, serve
// answers every queued event though the request holds HTTP shutdown up
// (cut off when its share of the limit ends), logs the counts from SIGTERM
// and returns nil (exit 0), within the limit.
func TestShutdownDrains(t *testing.T) {
	const secret, n = "line-secret", 80
	api := newSlowLINE(t, 100*time.Millisecond)
	slack := newFakeSlack(t)
	s := startServe(t, env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_SHUTDOWN_TIMEOUT", "8s",
		"LINE_CHANNEL_SECRET", secret, "LINE_CHANNEL_ACCESS_TOKEN", "t", "LINE_API_BASE_URL", api.URL, "LINE_WORKERS", "2",
		"SLACK_BOT_TOKEN", "xoxb-t", "SLACK_SIGNING_SECRET", "s", "SLACK_API_URL", slack.URL+"/"))
	queueLINE(t, s.base, secret, n)
	// A delivery whose body never ends: HTTP shutdown cannot finish.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /line/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"events\":")
	time.Sleep(200 * time.Millisecond) // the request is in its handler

	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	time.Sleep(100 * time.Millisecond)
	close(api.open) // the API answers only once the service is stopping
	err = <-stopped
	took := time.Since(start)
	logs := s.logs.String()
	if err != nil {
		t.Errorf("serve returned %v after a clean drain:\n%s", err, logs)
	}
	if took < 3*time.Second || took > 8*time.Second {
		t.Errorf("stopped after %v: want after the HTTP share (3.2 s), within the limit (8 s)", took)
	}
	if got := api.count(); got != n {
		t.Errorf("%d of %d queued events answered", got, n)
	}
	if !strings.Contains(logs, "HTTP requests still running were cut off") {
		t.Errorf("no log line for the cut-off request:\n%s", logs)
	}
	const msg = "every queued event answered"
	if logCount(t, logs, msg, "replied") != n || logCount(t, logs, msg, "unsent") != 0 || logCount(t, logs, msg, "failed") != 0 {
		t.Errorf("drain counts:\n%s", logs)
	}
}

// TestShutdownLimit: with the API too slow for the queue, serve stops by
// its limit, says how many replies it answered and how many it could not
// send, and returns an error (exit 1).
func TestShutdownLimit(t *testing.T) {
	const secret, n = "line-secret", 20
	api := newSlowLINE(t, time.Second)
	s := startServe(t, env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_SHUTDOWN_TIMEOUT", "3s",
		"LINE_CHANNEL_SECRET", secret, "LINE_CHANNEL_ACCESS_TOKEN", "t", "LINE_API_BASE_URL", api.URL, "LINE_WORKERS", "1"))
	queueLINE(t, s.base, secret, n)
	close(api.open)
	start := time.Now()
	err := s.stop()
	took := time.Since(start)
	logs := s.logs.String()
	if err == nil || !strings.Contains(err.Error(), "queued replies not sent") {
		t.Errorf("serve returned %v", err)
	}
	if took > 3500*time.Millisecond {
		t.Errorf("stopped after %v with a 3 s limit", took)
	}
	const msg = "stopped before every queued event was answered"
	replied, unsent := logCount(t, logs, msg, "replied"), logCount(t, logs, msg, "unsent")
	sent := api.count()
	// The first call may have been answered before the service stopped.
	if unsent == 0 || replied+unsent < n-1 || replied+unsent > n || sent < replied || sent > replied+2 {
		t.Errorf("replied %d, unsent %d of %d; the API answered %d:\n%s", replied, unsent, n, sent, logs)
	}
}

func TestBadShutdownTimeout(t *testing.T) {
	for _, v := range []string{"soon", "1s", "-5"} {
		_, _, err := runCmd(t, "", env("PLANBOT_DATA_DIR", t.TempDir(), "PLANBOT_ADDR", "127.0.0.1:0", "PLANBOT_SHUTDOWN_TIMEOUT", v), "serve")
		if err == nil || !strings.Contains(err.Error(), "PLANBOT_SHUTDOWN_TIMEOUT") {
			t.Errorf("%s: %v", v, err)
		}
	}
}

// TestAskStops: ask reading questions from stdin stops when the context
// ends (SIGTERM), though stdin stays open.
func TestAskStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, feed := io.Pipe()
	defer feed.Close()
	outR, out := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"ask", "--json"}, env(), in, out, io.Discard); out.Close() }()
	fmt.Fprintln(feed, "地方債の担当は？")
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil || !strings.Contains(line, "財政課") {
		t.Fatalf("first answer %q: %v", line, err)
	}
	go io.Copy(io.Discard, outR)
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "stopped") {
			t.Errorf("ask returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ask did not stop")
	}
}
