package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data"
	"planbot/data/versions"
	"planbot/index"
)

// redisServer starts a real redis-server on a free loopback port for the
// test and returns its URL and a function that stops it.
func redisServer(t *testing.T) (url string, stop func()) {
	t.Helper()
	return redisServerOn(t, 0)
}

// redisServerOn starts redis-server on port (0: a free one).
func redisServerOn(t *testing.T, port int) (url string, stop func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not installed (CI must install it: see .ci/run)")
		}
		t.Skip("redis-server not installed: apt-get install redis-server")
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 100 {
			t.Fatalf("redis-server did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "redis://" + addr + "/0", stop
}

// open opens a Store whose calls may take a second, so that a busy test
// machine does not read as an outage (the outage tests use the defaults).
func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), url, Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSharedState(t *testing.T) {
	ctx := context.Background()
	url, _ := redisServer(t)
	a, b := open(t, url), open(t, url)

	if a.Seen(ctx, "evt-1", time.Minute) || !b.Seen(ctx, "evt-1", time.Minute) {
		t.Error("dedup key not shared between replicas")
	}
	a.Vote(ctx, "line:U1", "1.1.1.1", true)
	b.Vote(ctx, "line:U2", "1.1.1.1", false)
	b.Vote(ctx, "line:U3", "1.1.1.1", true)
	counts, err := a.Counts(ctx)
	if err != nil || counts["1.1.1.1"].Helpful != 2 || counts["1.1.1.1"].NotHelpful != 1 {
		t.Errorf("counts = %+v, %v", counts, err)
	}
	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for i := 0; i < unansweredCap+5; i++ {
		a.Add(ctx, bot.Question{Text: fmt.Sprint("q", i), At: start.Add(time.Duration(i) * time.Second)})
	}
	qs, err := b.Recent(ctx, 300)
	if err != nil || len(qs) != unansweredCap || qs[0].Text != fmt.Sprint("q", unansweredCap+4) {
		t.Errorf("recent: %d, first %+v, %v", len(qs), qs[0], err)
	}
	a.RatePerSecond, a.Burst = 1, 1
	allowed := 0
	for i := 0; i < 5; i++ {
		if a.Allow(ctx, "10.0.0.1") {
			allowed++
		}
	}
	if allowed < 1 || allowed > 4 {
		t.Errorf("allowed %d of 5 with limit 2/s", allowed)
	}
}

// TestRedisAway: with Redis gone, requests still go through (dedup says
// unseen, limits allow); when it comes back, state works again.
func TestRedisAway(t *testing.T) {
	ctx := context.Background()
	url, stop := redisServer(t)
	s := open(t, url)
	stop()
	if s.Seen(ctx, "k", time.Minute) || !s.Allow(ctx, "c") {
		t.Error("store blocks events while Redis is away")
	}
	if err := s.Vote(ctx, "line:U1", "1", true); err == nil {
		t.Error("vote without Redis reported success")
	}
	// Redis comes back on the same address: the same Store works again.
	redisServerOn(t, portOf(t, url))
	deadline := time.Now().Add(10 * time.Second)
	for s.Vote(ctx, "line:U1", "1", true) != nil {
		if time.Now().After(deadline) {
			t.Fatal("store did not reconnect")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s.Seen(ctx, "k2", time.Minute) || !s.Seen(ctx, "k2", time.Minute) {
		t.Error("dedup does not work after Redis came back")
	}
}

func portOf(t *testing.T, url string) int {
	var port int
	if _, err := fmt.Sscanf(url[strings.LastIndex(url, ":")+1:], "%d", &port); err != nil {
		t.Fatal(err)
	}
	return port
}

var lexicon = sync.OnceValues(func() (*index.Lexicon, error) { return index.DefaultLexicon() })

// replica is one planbot process: a Reloader announcing through Redis and
// following the other replicas.
func replica(t *testing.T, ctx context.Context, url string) *index.Reloader {
	t.Helper()
	lex, err := lexicon()
	if err != nil {
		t.Fatal(err)
	}
	s := open(t, url)
	store, _ := versions.Open(t.TempDir())
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store, Announce: s.Announce}
	if v, text, err := s.Current(ctx); err == nil {
		if _, err := r.Adopt(ctx, v, text); err != nil {
			t.Fatal(err)
		}
	} else if _, err := r.Boot(ctx); err != nil {
		t.Fatal(err)
	}
	go s.Follow(ctx, r.Current, func(v versions.Version) ([]byte, error) {
		_, text, err := store.Get(v.ID)
		return text, err
	}, func(ctx context.Context, v versions.Version, text []byte) error {
		_, err := r.Adopt(ctx, v, text)
		return err
	})
	return r
}

func TestReindexReachesEveryReplica(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _ := redisServer(t)
	r1, r2 := replica(t, ctx, url), replica(t, ctx, url)
	renamed := []byte(strings.Replace(string(data.DefaultText()), " 地域防災対策室\n", " 危機管理課\n", 1))
	if _, err := r1.Reindex(ctx, renamed, "test", false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r2.Current().Hash != versions.Hash(renamed) {
		if time.Now().After(deadline) {
			t.Fatal("replica 2 did not adopt the new plan")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a, _ := r2.Live.Ask("ハザードマップ"); a.Answers[0].Departments[0] != "危機管理課" {
		t.Errorf("replica 2 answers %v", a.Answers[0].Departments)
	}
	// A third replica started later begins on the shared version.
	r3 := replica(t, ctx, url)
	if r3.Current().Hash != versions.Hash(renamed) {
		t.Error("new replica did not start from the shared plan")
	}
}

// TestFeedbackByKeyShared: replicas vote by action ID and count by the
// action's key in Redis, so a replica serving a renumbered plan sees the
// same counts for the same action.
func TestFeedbackByKeyShared(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _ := redisServer(t)
	r1 := replica(t, ctx, url)
	fb1 := chat.ByKey(open(t, url), r1.Live)
	for i, helpful := range []bool{true, true, false} {
		if err := fb1.Vote(ctx, fmt.Sprint("line:U", i), "1.1.1.1", helpful); err != nil {
			t.Fatal(err)
		}
	}
	if err := fb1.Vote(ctx, "line:U1", "9.9.9.9", true); !errors.Is(err, chat.ErrNotAction) {
		t.Errorf("vote on no action: %v", err)
	}
	counts, err := open(t, url).Counts(ctx)
	key := data.Default().Items[0].Key()
	if err != nil || counts[key].Helpful != 2 || counts[key].NotHelpful != 1 || len(counts) != 1 {
		t.Errorf("counts = %+v, %v", counts, err)
	}
}
