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
// still acknowledged at once; with every worker busy new work waits in the
// queue, and only when the queue is full is it dropped, with a log line;
// after the time-out the bot answers the queued work and new work, and
// closing leaves no goroutine behind.
func TestHangingAPIAndBusyWorkers(t *testing.T) {
	if _, err := live(); err != nil {
		t.Fatal(err)
	}
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })

	e := newEnv(t, Config{Workers: 1, Queue: 1, HTTPClient: &http.Client{Timeout: hangFor / 2}})
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
	send("EvQueued", "20.2") // waits in the queue
	send("EvDropped", "20.3")
	if !strings.Contains(e.logs.String(), "work queue full") || e.metrics.drops("queue_full") != 1 {
		t.Errorf("no log line or metric for dropped work (%d):\n%s", e.metrics.drops("queue_full"), e.logs.String())
	}
	waitLog(t, e, "API call failed")
	if p := e.nextPost(t); p.threadTS != "20.2" || !strings.Contains(p.blocks, "財政課") {
		t.Errorf("the queued event after the time-out: %+v", p)
	}
	send("EvAfter", "20.4")
	if p := e.nextPost(t); p.threadTS != "20.4" {
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
