package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// loggedDrops sums the "dropped" counts of the log lines with msg, and
// counts the lines; check, when set, is called with each line.
func (e *env) loggedDrops(t *testing.T, msg string, check func(line string)) (sum, lines int) {
	t.Helper()
	for _, s := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var rec struct {
			Msg     string `json:"msg"`
			Dropped int    `json:"dropped"`
		}
		if json.Unmarshal([]byte(s), &rec) == nil && rec.Msg == msg {
			sum += rec.Dropped
			lines++
			if check != nil {
				check(s)
			}
		}
	}
	return sum, lines
}

// burst sends n mentions at once, each acknowledged 200 within a second.
func (e *env) burst(t *testing.T, n int, prefix string) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("%s%d", prefix, i)
			start := time.Now()
			rec := serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(id, mention("<@UBOT> 地方債", fmt.Sprintf("%d.1", 30+i))), time.Now()))
			if rec.Code != 200 || time.Since(start) > time.Second {
				t.Errorf("%s: status %d after %v", id, rec.Code, time.Since(start))
			}
		})
	}
	wg.Wait()
}

// TestBurstQueued: 16 mentions at once while chat.postMessage takes 250 ms
// are all answered, each once: what the workers cannot take at once waits
// in the queue.
func TestBurstQueued(t *testing.T) {
	e := newEnv(t, Config{})
	e.postDelay = 250 * time.Millisecond
	const n = 16
	e.burst(t, n, "EvBurst")
	threads := map[string]bool{}
	for range n {
		p := e.nextPost(t)
		if threads[p.threadTS] || !strings.Contains(p.blocks, "財政課") {
			t.Errorf("post %+v (answered already: %v)", p, threads[p.threadTS])
		}
		threads[p.threadTS] = true
	}
	e.noPost(t)
	if d := e.metrics.drops("queue_full"); d != 0 || strings.Contains(e.logs.String(), "dropped") {
		t.Errorf("%d dropped; logs:\n%s", d, e.logs.String())
	}
}

// TestBurstTinyQueue: with 2 workers and a queue of 2, a burst of 16 is
// answered as far as they hold, and every mention dropped is counted,
// exactly, in the metrics and the log.
func TestBurstTinyQueue(t *testing.T) {
	e := newEnv(t, Config{Workers: 2, Queue: 2})
	e.postDelay = 250 * time.Millisecond
	const n = 16
	e.burst(t, n, "EvTiny")
	e.waitIdle(t)
	answered := len(e.posts)
	dropped := e.metrics.drops("queue_full")
	if answered+dropped != n || answered < 2 || answered > 4+2 {
		t.Errorf("%d answered, %d dropped, of %d", answered, dropped, n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.bot.Close(ctx); err != nil { // logs what is pending
		t.Fatal(err)
	}
	logged, lines := e.loggedDrops(t, "slack: work queue full, work dropped", func(s string) {
		if !strings.Contains(s, `"queue":2`) {
			t.Errorf("line without the queue's size: %s", s)
		}
	})
	if logged != dropped || lines > 2 {
		t.Errorf("%d drops logged in %d lines, %d counted in metrics; logs:\n%s", logged, lines, dropped, e.logs.String())
	}
}

// TestCloseDropsQueuedWork: when Close gives up (abandonWait before its
// deadline) the work in progress is cancelled and the work still queued is
// dropped without calling Slack, all counted and logged, and Close returns
// by its deadline; work that comes later is refused and counted.
func TestCloseDropsQueuedWork(t *testing.T) {
	e := newEnv(t, Config{Workers: 1})
	e.postDelay = 300 * time.Millisecond
	const n = 6
	for i := range n {
		serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(fmt.Sprint("EvClose", i), mention("<@UBOT> 地方債", fmt.Sprintf("%d.2", 40+i))), time.Now()))
	}
	for e.postCalls.Load() == 0 { // the worker has taken the first
		time.Sleep(time.Millisecond)
	}
	const limit = abandonWait + 400*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	if err := e.bot.Close(ctx); err == nil || !strings.Contains(err.Error(), "not sent") {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > limit+100*time.Millisecond {
		t.Errorf("Close took %v, limit %v", d, limit)
	}
	time.Sleep(50 * time.Millisecond) // the fake API notices the client went
	answered := len(e.posts)
	shut := e.metrics.drops("shutdown")
	if answered+shut != n || answered > 2 {
		t.Errorf("%d answered, %d dropped at shutdown, of %d", answered, shut, n)
	}
	if want := fmt.Sprintf(`"msg":"slack: stopped before all queued work was done","queued":%d,"unsent":%d`, n-1, shut); !strings.Contains(e.logs.String(), want) ||
		strings.Contains(e.logs.String(), "API call failed") {
		t.Errorf("want %s in the log:\n%s", want, e.logs.String())
	}
	// After Close, new work is refused and counted.
	serve(e.bot.Events(), signed("POST", "/slack/events", eventBody("EvLate", mention("<@UBOT> 地方債", "49.1")), time.Now()))
	if e.metrics.drops("shutdown") != shut+1 {
		t.Errorf("work after Close not counted: %d", e.metrics.drops("shutdown"))
	}
}

// TestCloseClean: a drain that does all the queued work returns nil and
// says so.
func TestCloseClean(t *testing.T) {
	e := newEnv(t, Config{Workers: 1})
	e.postDelay = 50 * time.Millisecond
	for i := range 4 {
		serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(fmt.Sprint("EvClean", i), mention("<@UBOT> 地方債", fmt.Sprintf("%d.3", 50+i))), time.Now()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.bot.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.posts) != 4 || !strings.Contains(e.logs.String(), `"msg":"slack: stopped; all queued work done"`) {
		t.Errorf("%d answered; logs:\n%s", len(e.posts), e.logs.String())
	}
}

// TestCloseCountsWorkBehindAStuckWorker: when the work in progress ignores
// its cancellation (a reindex that goes on building), Close abandons it by
// its deadline and counts it and the work queued behind it as not sent:
// it does not report a clean drain.
func TestCloseCountsWorkBehindAStuckWorker(t *testing.T) {
	e := newEnv(t, Config{Workers: 1, AdminUsers: []string{"UADMIN"}})
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	e.bot.deps.Reindex = func(context.Context) (string, error) {
		close(started)
		<-release // deaf to its context
		return "変更なし (no changes)", nil
	}
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("reindex", "UADMIN", e.respURL), time.Now()))
	<-started
	const queued = 3
	for i := range queued {
		serve(e.bot.Events(), signed("POST", "/slack/events", eventBody(fmt.Sprint("EvStuck", i), mention("<@UBOT> 地方債", fmt.Sprintf("%d.4", 70+i))), time.Now()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), abandonWait+200*time.Millisecond)
	defer cancel()
	if err := e.bot.Close(ctx); err == nil || !strings.Contains(err.Error(), fmt.Sprint(queued+1, " answers not sent")) {
		t.Errorf("Close: %v; logs:\n%s", err, e.logs.String())
	}
	if want := fmt.Sprintf(`"queued":%d,"unsent":%d`, queued, queued+1); !strings.Contains(e.logs.String(), want) {
		t.Errorf("want %s in the log:\n%s", want, e.logs.String())
	}
	if d := e.metrics.drops("shutdown"); d != queued {
		t.Errorf("%d queued answers counted as dropped at shutdown, want %d", d, queued)
	}
	if len(e.posts) != 0 {
		t.Errorf("%d answered after Close", len(e.posts))
	}
}
