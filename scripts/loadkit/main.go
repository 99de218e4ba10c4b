// Command loadkit supports scripts/load.sh: signed LINE webhook requests
// for wrk, and a constant-rate load generator for p99 latency at a fixed
// share of peak throughput; and a flood of forged webhook bodies
// (docs/benchmarks.md).
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"planbot/scripts/loadtest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadkit linerequests|paced|flood [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "linerequests":
		err = lineRequests(os.Args[2:])
	case "paced":
		err = paced(os.Args[2:])
	case "flood":
		err = flood(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadkit:", err)
		os.Exit(1)
	}
}

// lineRequests writes n signed LINE webhook requests, one text message
// event each with its own webhookEventId, as raw HTTP requests ready to
// send, each after a line with its length in bytes.
func lineRequests(args []string) error {
	fs := flag.NewFlagSet("linerequests", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:18480", "service base URL")
	secret := fs.String("secret", "", "channel secret")
	n := fs.Int("n", 10000, "requests")
	first := fs.Int("first", 0, "number of the first event ID")
	out := fs.String("out", "line.requests", "output file")
	fs.Parse(args)
	qs := loadtest.Questions()
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for i := *first; i < *first+*n; i++ {
		ev := map[string]any{
			"type": "message", "mode": "active", "timestamp": time.Now().UnixMilli(),
			"webhookEventId":  fmt.Sprintf("01LOADTEST%016d", i),
			"deliveryContext": map[string]any{"isRedelivery": false},
			"replyToken":      fmt.Sprintf("replytoken%08d", i),
			"source":          map[string]any{"type": "user", "userId": "U00000000000000000000000000000000"},
			"message":         map[string]any{"type": "text", "id": fmt.Sprint(i), "text": qs[i%len(qs)], "quoteToken": "q"},
		}
		body, _ := json.Marshal(map[string]any{"destination": "Uxxxxxxxx", "events": []any{ev}})
		mac := hmac.New(sha256.New, []byte(*secret))
		mac.Write(body)
		r, err := http.NewRequest("POST", *base+"/line/webhook", bytes.NewReader(body))
		if err != nil {
			return err
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("x-line-signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		var req bytes.Buffer
		if err := r.Write(&req); err != nil {
			return err
		}
		fmt.Fprintf(w, "%d\n", req.Len())
		w.Write(req.Bytes())
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// paced sends requests at a constant rate and reports latency percentiles
// and errors; unlike wrk it does not slow down when the server does, so p99
// is not hidden by coordinated omission. It asks GET /api/ask, or GETs
// -path, or sends the -requests linerequests wrote. It also reports how late
// it woke for requests it waited for: its own share of the latencies.
func paced(args []string) error {
	fs := flag.NewFlagSet("paced", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:18480", "service base URL (with -requests, only the address to connect to)")
	rate := fs.Int("rate", 500, "requests per second")
	seconds := fs.Int("seconds", 10, "duration")
	requests := fs.String("requests", "", "raw requests to send instead of asking (from linerequests)")
	path := fs.String("path", "", "a path to GET instead of asking (such as /healthz, the bare endpoint)")
	peak := fs.Int("peak", 0, "instead of pacing, measure the peak rate with this many connections in a closed loop")
	fs.Parse(args)
	if *rate <= 0 && *peak <= 0 {
		return fmt.Errorf("rate must be positive")
	}
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	// Every request is built before the clock starts.
	var reqs [][]byte
	name := "ask"
	switch {
	case *requests != "":
		raw, err := os.ReadFile(*requests)
		if err != nil {
			return err
		}
		if reqs, err = splitRequests(raw); err != nil {
			return fmt.Errorf("%s: %w", *requests, err)
		}
		name = filepath.Base(*requests)
	case *path != "":
		name = strings.TrimPrefix(*path, "/")
		reqs, err = getRequests([]string{*base + *path})
	default:
		var urls []string
		for _, q := range loadtest.Questions() {
			urls = append(urls, *base+"/api/ask?q="+url.QueryEscape(q))
		}
		reqs, err = getRequests(urls)
	}
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		return fmt.Errorf("no requests to send")
	}
	if need := *rate * *seconds; *requests != "" && *peak == 0 && need > len(reqs) {
		return fmt.Errorf("%s holds %d requests, %d needed: each is sent once", *requests, len(reqs), need)
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		lags      []time.Duration // how late the generator woke for requests it waited for
		errors    int
		wg        sync.WaitGroup
	)
	// do sends request i on c; its latency counts from when it was due, so
	// a request sent late because the server was slow is not flattered.
	do := func(c *conn, i int, due time.Time) {
		status, err := c.do(reqs[i%len(reqs)])
		d := time.Since(due)
		mu.Lock()
		defer mu.Unlock()
		if err != nil || status != http.StatusOK {
			errors++
			return
		}
		latencies = append(latencies, d)
	}
	start := time.Now()
	var sent atomic.Int64
	if *peak > 0 {
		// Closed loop: each connection sends its next request when the last
		// one is answered; this generator's own peak, to pace against.
		end := start.Add(time.Duration(*seconds) * time.Second)
		for range *peak {
			wg.Go(func() {
				c := &conn{addr: u.Host}
				defer c.close()
				for time.Now().Before(end) {
					do(c, int(sent.Add(1)-1), time.Now())
				}
			})
		}
		name += " peak"
	} else {
		// Open loop, as wrk2 does it: request i is due at start + i/rate and
		// goes out on connection i mod conns as soon as that one is free.
		const conns = 64
		total := *rate * *seconds
		interval := time.Second / time.Duration(*rate)
		for k := range conns {
			wg.Go(func() {
				c := &conn{addr: u.Host}
				defer c.close()
				for i := k; i < total; i += conns {
					due := start.Add(time.Duration(i) * interval)
					if wait := time.Until(due); wait > 0 {
						time.Sleep(wait)
						lag := time.Since(due)
						mu.Lock()
						lags = append(lags, lag)
						mu.Unlock()
					}
					sent.Add(1)
					do(c, i, due)
				}
			})
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	slices.Sort(lags)
	pct := func(ds []time.Duration, p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))]) / float64(time.Millisecond)
	}
	fmt.Printf("paced %s: %.0f req/s for %ds: %d ok, %d errors, p50 %.2f ms, p99 %.2f ms, max %.2f ms; woke late by p50 %.2f ms, p99 %.2f ms\n",
		name, float64(sent.Load())/elapsed.Seconds(), *seconds, len(latencies), errors,
		pct(latencies, 0.50), pct(latencies, 0.99), pct(latencies, 1), pct(lags, 0.5), pct(lags, 0.99))
	return nil
}

// getRequests writes a GET request for each URL, ready to send.
func getRequests(urls []string) ([][]byte, error) {
	var reqs [][]byte
	for _, u := range urls {
		r, err := http.NewRequest("GET", u, nil)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := r.Write(&b); err != nil {
			return nil, err
		}
		reqs = append(reqs, b.Bytes())
	}
	return reqs, nil
}

// conn is one keep-alive connection that writes pre-built requests and
// reads the answers with net/http's parser. It costs a fraction of
// http.Client's CPU (no transport goroutines or per-request set-up), which
// matters when the generator shares the machine with the service.
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

func (c *conn) do(req []byte) (int, error) {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return 0, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 32<<10)
	}
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		c.close()
		return 0, err
	}
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		c.close()
		return 0, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		c.close()
	}
	return res.StatusCode, err
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// splitRequests reads what linerequests wrote: a line with a length, then
// that many bytes, in turn.
func splitRequests(raw []byte) ([][]byte, error) {
	var reqs [][]byte
	for len(raw) > 0 {
		line, rest, ok := bytes.Cut(raw, []byte("\n"))
		n, err := strconv.Atoi(string(line))
		if !ok || err != nil || n <= 0 || n > len(rest) {
			return nil, fmt.Errorf("request %d: bad length line %.20q", len(reqs)+1, line)
		}
		reqs = append(reqs, rest[:n])
		raw = rest[n:]
	}
	return reqs, nil
}
