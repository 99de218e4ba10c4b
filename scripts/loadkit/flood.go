package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// flood sends n forged (unsigned) bodies of size bytes at once to a
// webhook, each on its own connection: first half of each body, then, once
// every request has sent that far or been refused (5 s at most), the rest;
// as bodies sent from afar arrive, so that the service holds at the same
// time every body it reads. It prints how the requests ended.
func flood(args []string) error {
	fs := flag.NewFlagSet("flood", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080/line/webhook", "webhook `URL`")
	n := fs.Int("n", 400, "requests at once")
	size := fs.Int("size", 1<<20, "body `bytes`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	body := bytes.Repeat([]byte(" "), *size)
	open := make(chan struct{})
	var opened sync.Once
	var waiting atomic.Int64
	waiting.Store(int64(*n))
	arrived := func() {
		if waiting.Add(-1) == 0 {
			opened.Do(func() { close(open) })
		}
	}
	timeout := time.AfterFunc(5*time.Second, func() { opened.Do(func() { close(open) }) })
	defer timeout.Stop()
	var mu sync.Mutex
	ended := map[string]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for range *n {
		wg.Go(func() {
			var once sync.Once
			g := &halfway{Reader: bytes.NewReader(body), half: len(body) / 2, open: open, arrived: func() { once.Do(arrived) }}
			req, err := http.NewRequest("POST", *url, g)
			if err != nil {
				return
			}
			req.ContentLength = int64(len(body))
			req.Header.Set("x-line-signature", "forged")
			req.Header.Set("X-Slack-Signature", "v0=forged")
			req.Close = true
			resp, err := http.DefaultClient.Do(req)
			g.arrived() // refused before its first half: not waited for
			end := "connection closed"
			if err == nil {
				end = resp.Status
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			mu.Lock()
			ended[end]++
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, k := range slices.Sorted(maps.Keys(ended)) {
		fmt.Printf("%s: %d\n", k, ended[k])
	}
	fmt.Printf("%d requests in %v\n", *n, time.Since(start).Round(time.Millisecond))
	return nil
}

// halfway reads half of a body, then waits for open before the rest.
type halfway struct {
	io.Reader
	half, read int
	arrived    func()
	open       chan struct{}
}

func (h *halfway) Read(p []byte) (int, error) {
	if h.read == h.half {
		h.arrived()
		<-h.open
		h.half = -1
	}
	if h.half > 0 && h.read+len(p) > h.half {
		p = p[:h.half-h.read]
	}
	n, err := h.Reader.Read(p)
	h.read += n
	return n, err
}
