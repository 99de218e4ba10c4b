package redisstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"planbot/bot"
	"planbot/data"
	"planbot/data/versions"
)

// callBound is the generous bound on any call while Redis is away or
// hung: the time-out is 50 ms, and the breaker refuses at once.
const callBound = 500 * time.Millisecond

// redisProc starts redis-server on port (0: a free one) and returns its
// URL and process, which the test stops (by its PID) at the end.
func redisProc(t *testing.T, port int) (string, *os.Process) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not installed (CI must install it: see .ci/run)")
		}
		t.Skip("redis-server not installed: apt-get install redis-server")
	}
	if port == 0 {
		port = freePort(t)
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT) // a stopped one must be able to die
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 100 {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "redis://" + addr + "/0", cmd.Process
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// logBuffer collects JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func openLogged(t *testing.T, url string) (*Store, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	s, err := OpenWith(context.Background(), url, Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Probe: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bounded runs f and fails the test if it takes longer than callBound.
func bounded(t *testing.T, what string, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > callBound {
		t.Errorf("%s took %v with Redis away (bound %v)", what, d, callBound)
	}
}

func up(t *testing.T, s *Store) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collector())
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "planbot_redis_up" {
		t.Fatalf("gather: %v %v", mfs, err)
	}
	return mfs[0].Metric[0].GetGauge().GetValue()
}

// TestStartWithoutRedis: the Store opens with Redis stopped, answers from
// in-process state (de-duplication, limits, the not-covered log), says so
// once, and connects by itself when Redis starts.
func TestStartWithoutRedis(t *testing.T) {
	ctx := context.Background()
	port := freePort(t)
	url := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	s, logs := openLogged(t, url)
	s.RatePerSecond, s.Burst = 1, 1
	if s.Up() || up(t, s) != 0 {
		t.Fatal("Store reports Redis up with no redis-server")
	}
	if !strings.Contains(logs.String(), "REDIS UNREACHABLE at start") {
		t.Errorf("no start-up warning: %s", logs)
	}
	bounded(t, "dedup", func() {
		if s.Seen(ctx, "evt", time.Minute) || !s.Seen(ctx, "evt", time.Minute) {
			t.Error("in-process de-duplication does not catch the redelivery")
		}
	})
	allowed := 0
	bounded(t, "rate limit", func() {
		for range 10 {
			if s.Allow(ctx, "10.0.0.1") {
				allowed++
			}
		}
	})
	if allowed < 1 || allowed > 3 {
		t.Errorf("in-process limit let %d of 10 through at 1/s burst 2", allowed)
	}
	bounded(t, "not-covered log", func() { s.Add(ctx, bot.Question{Text: "停電中の質問", At: time.Now().UTC()}) })
	if qs, err := s.Recent(ctx, 10); err != nil || len(qs) != 1 || qs[0].Text != "停電中の質問" {
		t.Errorf("recent while away: %+v %v", qs, err)
	}
	if err := s.Check(ctx); err == nil {
		t.Error("Check without Redis is nil")
	}

	redisProc(t, port)
	eventually(t, "the Store to see Redis", s.Up)
	if up(t, s) != 1 {
		t.Error("planbot_redis_up is not 1 after reconnecting")
	}
	other := open(t, url)
	if s.Seen(ctx, "evt-2", time.Minute) || !other.Seen(ctx, "evt-2", time.Minute) {
		t.Error("dedup not shared through Redis after reconnecting")
	}
	// The question logged while away is still listed, with the shared ones.
	s.Add(ctx, bot.Question{Text: "復旧後の質問", At: time.Now().UTC().Add(time.Second)})
	if qs, _ := other.Recent(ctx, 10); len(qs) != 1 || qs[0].Text != "復旧後の質問" {
		t.Errorf("shared log: %+v", qs)
	}
	if qs, _ := s.Recent(ctx, 10); len(qs) != 2 || qs[0].Text != "復旧後の質問" {
		t.Errorf("this replica's log: %+v", qs)
	}
	text := logs.String()
	if !strings.Contains(text, "redis reachable") {
		t.Errorf("reconnection not logged: %s", text)
	}
	// go-redis's own lines go through slog: every line is one JSON object.
	sawRedis := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("log line is not JSON: %q", sc.Text())
		}
		sawRedis = sawRedis || line["component"] == "go-redis"
	}
	if !sawRedis {
		t.Errorf("no go-redis line in the log: %s", text)
	}
}

// TestHungRedis: with redis-server stopped by SIGSTOP (connections open,
// no answers), every call returns within the bound, the breaker opens,
// and when the server continues the Store is up again.
func TestHungRedis(t *testing.T) {
	ctx := context.Background()
	url, proc := redisProc(t, 0)
	s, _ := openLogged(t, url)
	if !s.Up() {
		t.Fatal("not up with Redis running")
	}
	s.Seen(ctx, "warm", time.Minute) // a pooled connection to hang on
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range 100 {
		bounded(t, "dedup", func() { s.Seen(ctx, fmt.Sprint("evt-", i), time.Minute) })
		bounded(t, "rate limit", func() {
			if !s.Allow(ctx, fmt.Sprint("10.0.0.", i)) {
				t.Error("limit refuses while Redis hangs")
			}
		})
		bounded(t, "not-covered log", func() { s.Add(ctx, bot.Question{Text: "q"}) })
		bounded(t, "feedback", func() { s.Vote(ctx, "chat", "k", true) })
	}
	// The breaker opened after a few time-outs: 400 calls, not 400 × 50 ms.
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("400 calls took %v with Redis hung", d)
	}
	eventually(t, "the Store to report Redis down", func() bool { return !s.Up() })
	if s.Check(ctx) == nil {
		t.Error("Check is nil with Redis hung")
	}
	proc.Signal(syscall.SIGCONT)
	eventually(t, "the Store to see Redis again", s.Up)
	if s.Seen(ctx, "after", time.Minute) || !open(t, url).Seen(ctx, "after", time.Minute) {
		t.Error("dedup not shared after Redis continued")
	}
}

// TestReindexDuringOutageShared: a version accepted by a replica whose
// announcement fails (Redis hung after the service's check) is served
// there, reported as accepted, and shared when Redis returns: the replica
// is not reverted to the older shared version, and the others adopt it.
func TestReindexDuringOutageShared(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, proc := redisProc(t, 0)
	r1, r2 := replica(t, ctx, url), replica(t, ctx, url)
	base := r1.Current().Hash
	if r2.Current().Hash != base {
		t.Fatal("replicas start apart")
	}
	proc.Signal(syscall.SIGSTOP)
	renamed := []byte(strings.Replace(string(data.DefaultText()), " 地域防災対策室\n", " 危機管理課\n", 1))
	rep, err := r1.Reindex(ctx, renamed, "test", false)
	if err != nil {
		t.Fatalf("reindex reported as failed though applied: %v", err)
	}
	if r1.Current().Hash != versions.Hash(renamed) || rep.Version.Hash != versions.Hash(renamed) {
		t.Fatal("replica 1 does not serve its new version")
	}
	time.Sleep(300 * time.Millisecond)
	proc.Signal(syscall.SIGCONT)
	eventually(t, "replica 2 to adopt the version accepted during the outage", func() bool {
		return r2.Current().Hash == versions.Hash(renamed)
	})
	time.Sleep(500 * time.Millisecond) // a revert would come now
	if r1.Current().Hash != versions.Hash(renamed) {
		t.Error("replica 1 reverted to the older shared version")
	}
	if v, _, err := open(t, url).Current(ctx); err != nil || v.Hash != versions.Hash(renamed) {
		t.Errorf("shared plan: %s %v", v.ID, err)
	}
}

// TestSharedPlanLost: Redis restarted without its data (or first used by
// replicas that already serve a version) holds no shared plan; the
// replicas share the one they serve, so a replica started then begins on
// it instead of staying apart on its own stored version.
func TestSharedPlanLost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	port := freePort(t)
	url, proc := redisProc(t, port)
	r1 := replica(t, ctx, url)
	renamed := []byte(strings.Replace(string(data.DefaultText()), " 地域防災対策室\n", " 危機管理課\n", 1))
	if _, err := r1.Reindex(ctx, renamed, "test", false); err != nil {
		t.Fatal(err)
	}
	proc.Kill()
	proc.Wait()
	redisProc(t, port) // empty
	s := open(t, url)
	eventually(t, "replica 1 to share its version again", func() bool {
		v, _, err := s.Current(ctx)
		return err == nil && v.Hash == versions.Hash(renamed)
	})
	if r3 := replica(t, ctx, url); r3.Current().Hash != versions.Hash(renamed) {
		t.Errorf("a replica started after Redis lost its data serves %s, not replica 1's %s", r3.Current().ID, r1.Current().ID)
	}
}
