// Package origin reads a plan where an admin keeps it: a file, or the
// city's web page at an http(s) URL. A URL is fetched with a time-out and
// a size cap, and its Content-Type is kept for data.ParseSource (the
// charset of a page is often only there). A Watcher polls either for
// changes: a file by its content, a page with conditional GETs (ETag,
// Last-Modified), so an unchanged page costs the city's server a 304.
package origin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// MaxBytes caps a plan read from a file or a URL, and an uploaded one.
const MaxBytes = 16 << 20

// Timeout bounds one fetch of a URL, headers and body.
const Timeout = 30 * time.Second

// ErrTooLarge is wrapped by the error for a plan over MaxBytes.
var ErrTooLarge = fmt.Errorf("plan larger than %d MiB", MaxBytes>>20)

// ErrFetch is wrapped by every error of reading a URL: unreachable, a
// time-out, an HTTP error status. The admin API answers it 502.
var ErrFetch = errors.New("cannot fetch the plan")

// Doc is a plan as read from its origin.
type Doc struct {
	Text        []byte
	ContentType string // the HTTP Content-Type; "" for a file
	Source      string // how versions describe it: "file plan.txt" or the URL
}

// IsURL reports whether location is an http or https URL rather than a
// file name.
func IsURL(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// Client is the HTTP client for plan pages: it follows redirects, and
// Timeout bounds each fetch.
var Client = &http.Client{Timeout: Timeout}

// Read reads the plan at location, a file name or an http(s) URL, with
// client (nil: Client).
func Read(ctx context.Context, location string, client *http.Client) (Doc, error) {
	w := &Watcher{Location: location, Client: client}
	d, err := w.fetch(ctx)
	if err != nil {
		return Doc{}, err
	}
	return *d, nil
}

// Watcher reads one origin repeatedly and tells whether it changed. It is
// not safe for concurrent use.
type Watcher struct {
	Location string
	Client   *http.Client // nil: Client

	etag, lastModified string
	sum                [32]byte
	polled             bool
}

// Poll returns the plan when it differs from what the last Poll saw (the
// first Poll always returns it), and nil when it is unchanged. A page that
// answers 304 Not Modified, or whose body hashes the same, is unchanged; so
// is a file that is missing for the moment (an editor saving it in two
// steps): that is an error only on the first Poll.
func (w *Watcher) Poll(ctx context.Context) (*Doc, error) {
	d, err := w.fetch(ctx)
	if err != nil {
		if w.polled && !IsURL(w.Location) && errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	if d == nil {
		return nil, nil // 304
	}
	sum := sha256.Sum256(d.Text)
	if w.polled && sum == w.sum {
		return nil, nil
	}
	w.sum, w.polled = sum, true
	return d, nil
}

func (w *Watcher) fetch(ctx context.Context) (*Doc, error) {
	if !IsURL(w.Location) {
		f, err := os.Open(w.Location)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		b, err := readCapped(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.Location, err)
		}
		return &Doc{Text: b, Source: "file " + w.Location}, nil
	}
	client := w.Client
	if client == nil {
		client = Client
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.Location, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	req.Header.Set("User-Agent", "planbot (plan watcher)")
	req.Header.Set("Accept", "text/html, text/plain;q=0.9, */*;q=0.5")
	if w.polled {
		if w.etag != "" {
			req.Header.Set("If-None-Match", w.etag)
		}
		if w.lastModified != "" {
			req.Header.Set("If-Modified-Since", w.lastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && w.polled:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, nil
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("%w: %s: %s", ErrFetch, w.Location, resp.Status)
	}
	if resp.ContentLength > MaxBytes {
		return nil, fmt.Errorf("%w: %s: %w (Content-Length %d)", ErrFetch, w.Location, ErrTooLarge, resp.ContentLength)
	}
	b, err := readCapped(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrFetch, w.Location, err)
	}
	w.etag, w.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return &Doc{Text: b, ContentType: resp.Header.Get("Content-Type"), Source: w.Location}, nil
}

// readCapped reads r whole, refusing more than MaxBytes.
func readCapped(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBytes {
		return nil, ErrTooLarge
	}
	return b, nil
}
