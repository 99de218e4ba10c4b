package bot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"planbot/bot"
	"planbot/bot/budget"
	"planbot/bot/line"
	"planbot/data/versions"
	"planbot/index"
)

const lineSecret = "flood-test-secret"

// webhookService is the real service with LINE on, replying to a fake
// LINE API that counts the replies, on loopback.
type webhookService struct {
	*httptest.Server
	replies atomic.Int64
	bodies  *budget.Budget
}

func newWebhookService(tb testing.TB, unverified *budget.Budget) *webhookService {
	tb.Helper()
	lex, err := lexicon()
	if err != nil {
		tb.Fatal(err)
	}
	store, err := versions.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store}
	if _, err := r.Boot(context.Background()); err != nil {
		tb.Fatal(err)
	}
	s := &webhookService{bodies: unverified}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		s.replies.Add(1)
		w.Write([]byte(`{"sentMessages":[]}`))
	}))
	tb.Cleanup(api.Close)
	lb, err := line.New(line.Config{ChannelSecret: lineSecret, AccessToken: "t", APIBaseURL: api.URL}, line.Deps{Asker: r.Live})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lb.Close(context.Background()) })
	s.Server = httptest.NewServer(bot.NewServer(bot.Deps{Live: r.Live, Reloader: r, LINE: lb, Unverified: unverified,
		Logger: slog.New(slog.DiscardHandler)}))
	tb.Cleanup(s.Close)
	return s
}

func lineSign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(lineSecret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// postLINE posts body to the webhook on a connection of its own and
// returns the status, or 0 when the server closed the connection first
// (as it does to a refused body it does not read).
func (s *webhookService) postLINE(body []byte, signature string) int {
	return s.postReader(bytes.NewReader(body), int64(len(body)), signature)
}

func (s *webhookService) postReader(body io.Reader, n int64, signature string) int {
	req, _ := http.NewRequest("POST", s.URL+"/line/webhook", body)
	req.ContentLength = n
	req.Header.Set("x-line-signature", signature)
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func signedEvent(i int) []byte {
	return fmt.Appendf(nil, `{"destination":"U","events":[{"type":"message","mode":"active","timestamp":1,"webhookEventId":"flood%d",`+
		`"replyToken":"tok%d","source":{"type":"user","userId":"U1"},"message":{"type":"text","id":"%d","text":"地方債の担当は？"}}]}`, i, i, i)
}

// gated reads half of a body, then waits for open before the rest, as
// bodies sent from afar arrive: so the server holds every body it reads
// at the same time.
type gated struct {
	io.Reader
	half    int
	read    int
	arrived func()
	open    chan struct{}
}

func (g *gated) Read(p []byte) (int, error) {
	if g.read == g.half {
		g.arrived()
		<-g.open
		g.half = -1
	}
	if g.half > 0 && g.read+len(p) > g.half {
		p = p[:g.half-g.read]
	}
	n, err := g.Reader.Read(p)
	g.read += n
	return n, err
}

// flood sends n unsigned 1 MiB bodies at once, each its first half until
// every one has been refused or sent that far (3 s at most), then the
// rest; and meanwhile signed deliveries. It returns the statuses of each
// and the peak growth of the heap in use over the heap before, sampled
// every millisecond.
func (s *webhookService) flood(n, signed int) (unsigned, ok map[int]int, peak uint64) {
	big := bytes.Repeat([]byte(`{"events":[]}`+" "), (1<<20)/14)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		var top uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				sampled <- top
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapInuse)
			}
		}
	}()
	var mu sync.Mutex
	unsigned, ok = map[int]int{}, map[int]int{}
	var wg sync.WaitGroup
	open := make(chan struct{})
	var opened sync.Once
	var waiting atomic.Int64
	waiting.Store(int64(n))
	arrived := func() {
		if waiting.Add(-1) == 0 {
			opened.Do(func() { close(open) })
		}
	}
	timeout := time.AfterFunc(3*time.Second, func() { opened.Do(func() { close(open) }) })
	defer timeout.Stop()
	for range n {
		wg.Go(func() {
			var once sync.Once
			g := &gated{Reader: bytes.NewReader(big), half: len(big) / 2, open: open, arrived: func() { once.Do(arrived) }}
			st := s.postReader(g, int64(len(big)), "forged")
			g.arrived() // refused before its first half: not waited for
			mu.Lock()
			unsigned[st]++
			mu.Unlock()
		})
	}
	for i := range signed {
		wg.Go(func() {
			bd := signedEvent(i)
			st := s.postLINE(bd, lineSign(bd))
			mu.Lock()
			ok[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	close(stop)
	if top := <-sampled; top > base {
		peak = top - base
	}
	return unsigned, ok, peak
}

// TestUnsignedFlood: 200 unsigned 1 MiB bodies at once on loopback are all
// refused, the heap grows by a fraction of what they weigh (it grew by
// all of it: 400 such bodies took the process from 198 to 687 MB), no
// more than the budget is held at any moment, and the signed deliveries
// sent meanwhile and after are answered.
func TestUnsignedFlood(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(10)) // garbage collected promptly: the heap in use is what is held
	unverified := budget.New(budget.DefaultTotal)
	s := newWebhookService(t, unverified)
	var held atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				if h := unverified.Held(); h > held.Load() {
					held.Store(h)
				}
				runtime.Gosched()
			}
		}
	}()
	unsigned, signed, peak := s.flood(200, 20)
	close(stop)
	t.Logf("unsigned: %v, signed: %v, heap growth %d MiB, most held %d MiB", unsigned, signed, peak>>20, held.Load()>>20)
	if unsigned[http.StatusOK] != 0 || unsigned[http.StatusServiceUnavailable] == 0 {
		t.Errorf("unsigned bodies: %v", unsigned)
	}
	if signed[http.StatusOK] != 20 {
		t.Errorf("signed deliveries during the flood: %v", signed)
	}
	if h := held.Load(); h > budget.DefaultTotal || h == 0 {
		t.Errorf("held %d bytes at most, budget %d", h, budget.DefaultTotal)
	}
	if peak > 48<<20 {
		t.Errorf("the heap grew by %d MiB under the flood", peak>>20)
	}
	bd := signedEvent(1000)
	if st := s.postLINE(bd, lineSign(bd)); st != http.StatusOK {
		t.Errorf("signed delivery after the flood: %d", st)
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.replies.Load() < 21 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.replies.Load(); n != 21 {
		t.Errorf("%d replies, want 21", n)
	}
}

// BenchmarkUnsignedFlood: one op is 200 unsigned 1 MiB bodies sent at once
// to the LINE webhook on loopback; peak-MiB is the most the heap in use
// grew meanwhile (GOGC=10, so that it is what is held, not garbage). The
// "unbounded" case lifts the budget, as before it existed.
func BenchmarkUnsignedFlood(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	for _, bc := range []struct {
		name  string
		total int64
	}{{"budget", budget.DefaultTotal}, {"unbounded", 1 << 40}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newWebhookService(b, budget.New(bc.total))
			var top uint64
			for b.Loop() {
				_, _, peak := s.flood(200, 0)
				top = max(top, peak)
			}
			b.ReportMetric(float64(top)/(1<<20), "peak-MiB")
		})
	}
}
