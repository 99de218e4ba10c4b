package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestHangingAPIAndBusyWorkers: with chat.postMessage hanging, events are
// still acknowledged at once; with every worker busy, new work is dropped
// with a log line rather than queued without bound; after the time-out the
// bot answers again, and closing leaves no goroutine behind.
func TestHangingAPIAndBusyWorkers(t *testing.T) {
	if _, err := live(); err != nil {
		t.Fatal(err)
	}
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })

	e := newEnv(t, Config{Workers: 1, HTTPClient: &http.Client{Timeout: hangFor / 2}})
	e.postStatus = []int{0}
	send := func(id, ts string) {
		t.Helper()
		start := time.Now()
		rec := serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(id, mention("<@UBOT> 地方債", ts)), time.Now()))
		if rec.Code != 200 || time.Since(start) > time.Second {
			t.Fatalf("%s: status %d after %v", id, rec.Code, time.Since(start))
		}
	}
	send("EvHang", "20.1") // takes the only worker, which waits on the API
	for e.postCalls.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	send("EvBusy", "20.2")
	if !strings.Contains(e.logs.String(), "workers busy") {
		t.Errorf("no log line for dropped work:\n%s", e.logs.String())
	}
	waitLog(t, e, "API call failed")
	send("EvAfter", "20.3")
	if p := e.nextPost(t); p.threadTS != "20.3" || !strings.Contains(p.blocks, "財政課") {
		t.Errorf("after the time-out: %+v", p)
	}
	e.noPost(t) // the dropped event stays dropped
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.bot.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func waitLog(t *testing.T, e *env, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.logs.String(), s) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(e.logs.String(), s) {
		t.Fatalf("no log line with %q:\n%s", s, e.logs.String())
	}
}
