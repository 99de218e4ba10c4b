package line

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"planbot/bot/chat"
	"planbot/index"
)

// gatedAPI is a LINE Messaging API that holds every reply call until open
// is closed, then takes delay over it; a reply token starting with "fail"
// gets a 500. It records the tokens it answered 200.
type gatedAPI struct {
	*httptest.Server
	open  chan struct{}
	delay time.Duration

	mu   sync.Mutex
	sent []string
}

func newGatedAPI(t *testing.T, delay time.Duration) *gatedAPI {
	g := &gatedAPI{open: make(chan struct{}), delay: delay}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Token string `json:"replyToken"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		select {
		case <-g.open:
		case <-r.Context().Done():
			return
		}
		select {
		case <-time.After(g.delay):
		case <-r.Context().Done():
			return // the client gave up: not sent
		}
		if strings.HasPrefix(req.Token, "fail") {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"message":"fake failure"}`))
			return
		}
		g.mu.Lock()
		g.sent = append(g.sent, req.Token)
		g.mu.Unlock()
		w.Write([]byte(`{"sentMessages":[]}`))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gatedAPI) tokens() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.sent...)
}

// newBotDeps is newBot with the API at url and deps of the test's own;
// unset deps get the seed index and a log buffer.
func newBotDeps(t *testing.T, url string, cfg Config, deps Deps) (*Bot, *logBuffer) {
	t.Helper()
	if deps.Asker == nil {
		lv, err := live()
		if err != nil {
			t.Fatal(err)
		}
		deps.Asker = lv
	}
	logs := &logBuffer{}
	deps.Logger = slog.New(slog.NewTextHandler(logs, nil))
	cfg.ChannelSecret, cfg.AccessToken, cfg.APIBaseURL = secret, "test-token", url
	b, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	return b, logs
}

// count reads key=N from the log line with msg.
func count(t *testing.T, logs, msg, key string) int {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		if !strings.Contains(l, msg) {
			continue
		}
		m := regexp.MustCompile(`\b` + key + `=(\d+)`).FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("no %s in %q", key, l)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	t.Fatalf("no log line %q:\n%s", msg, logs)
	return 0
}

func postAll(t *testing.T, b *Bot, tokens ...string) {
	t.Helper()
	for i, tok := range tokens {
		bd := body(textEvent(fmt.Sprint("ev-", tok, i), tok, "地方債の担当は？"))
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Fatalf("%s: status %d", tok, rec.Code)
		}
	}
}

// TestCloseDrains: every event queued when Close is called is answered
// before it returns nil, and its log line counts them: replied, failed at
// the API (not the drain's fault: still a clean drain), none unsent.
func TestCloseDrains(t *testing.T) {
	api := newGatedAPI(t, 20*time.Millisecond)
	b, logs := newBotDeps(t, api.URL, Config{Workers: 2}, Deps{})
	var tokens []string
	for i := range 40 {
		tokens = append(tokens, fmt.Sprint("q", i))
	}
	postAll(t, b, append(tokens, "fail-1", "fail-2", "fail-3")...)
	time.AfterFunc(50*time.Millisecond, func() { close(api.open) }) // the API answers once Close waits
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("close after a clean drain: %v", err)
	}
	if got := api.tokens(); len(got) != 40 {
		t.Errorf("%d replies sent, want 40", len(got))
	}
	const msg = "every queued event answered"
	l := logs.String()
	if count(t, l, msg, "replied") != 40 || count(t, l, msg, "failed") != 3 || count(t, l, msg, "unsent") != 0 ||
		count(t, l, msg, "deliveries_queued") < 41 {
		t.Errorf("drain counts:\n%s", l)
	}
}

// TestCloseGivesUp: with the API too slow for the queue, Close stops at
// its deadline, returns an error, and counts exactly what was sent and
// what was not.
func TestCloseGivesUp(t *testing.T) {
	api := newGatedAPI(t, 200*time.Millisecond)
	b, logs := newBotDeps(t, api.URL, Config{Workers: 1}, Deps{})
	var tokens []string
	for i := range 20 {
		tokens = append(tokens, fmt.Sprint("q", i))
	}
	postAll(t, b, tokens...)
	close(api.open)
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Close(ctx)
	if took := time.Since(start); err == nil || took > 2700*time.Millisecond {
		t.Fatalf("close: %v after %v", err, took)
	}
	const msg = "stopped before every queued event was answered"
	l := logs.String()
	replied, unsent := count(t, l, msg, "replied"), count(t, l, msg, "unsent")
	sent := len(api.tokens())
	if replied+unsent != 20 || unsent == 0 || sent < replied || sent > replied+1 {
		t.Errorf("replied %d + unsent %d, want 20; the API sent %d:\n%s", replied, unsent, sent, l)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(unsent)+" queued replies not sent") {
		t.Errorf("error %q does not count %d", err, unsent)
	}
}

// stuckAsker never answers a question containing 止まって, until released.
type stuckAsker struct {
	chat.Asker
	stuck   atomic.Int32
	release chan struct{}
}

func (s *stuckAsker) Ask(q string) (index.Answer, error) {
	if strings.Contains(q, "止まって") {
		s.stuck.Add(1)
		<-s.release
	}
	return s.Asker.Ask(q)
}

// TestCloseStuckWorkers: with every worker stuck where it cannot be
// cancelled, Close still returns by its deadline and counts the stuck
// events and the queued ones as not sent.
func TestCloseStuckWorkers(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	asker := &stuckAsker{Asker: lv, release: make(chan struct{})}
	t.Cleanup(func() { close(asker.release) })
	api := newGatedAPI(t, 0)
	close(api.open)
	b, logs := newBotDeps(t, api.URL, Config{Workers: 2}, Deps{Asker: asker})
	for i := range 2 {
		bd := body(textEvent(fmt.Sprint("stuck", i), fmt.Sprint("ts", i), "止まって"))
		post(b, bd, sign(bd))
	}
	waitUntil(t, "both workers stuck", func() bool { return asker.stuck.Load() == 2 })
	var tokens []string
	for i := range 10 {
		tokens = append(tokens, fmt.Sprint("q", i))
	}
	postAll(t, b, tokens...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err = b.Close(ctx)
	if took := time.Since(start); err == nil || took > 2500*time.Millisecond {
		t.Fatalf("close with stuck workers: %v after %v", err, took)
	}
	const msg = "stopped before every queued event was answered"
	if l := logs.String(); count(t, l, msg, "unsent") != 12 || count(t, l, msg, "replied") != 0 {
		t.Errorf("counts with stuck workers:\n%s", l)
	}
	if n := len(api.tokens()); n != 0 {
		t.Errorf("%d replies sent", n)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
