// Package budget bounds the memory held by request bodies that are read
// before they can be verified. LINE's and Slack's webhooks sign the raw
// body, so a handler must read all of it before it knows whether the
// sender is the platform: anyone can make the service hold whatever bodies
// they send. A Budget admits a body only while the bodies being read fit
// in its total, and answers the rest at once (503), reading nothing.
package budget

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"planbot/bot/chat"
)

// DefaultTotal is the bytes of unverified bodies held at once by default:
// with the collector's headroom that is at most about 32 MiB of heap, well
// within the 250 MB a serving process may reach (it idles near 125 MB).
const DefaultTotal = 16 << 20

// Small is the size up to which a body may use the whole budget. Larger
// bodies share half of it, so a flood of large bodies leaves room for the
// platforms' own deliveries, which are a few KiB.
const Small = 64 << 10

// ReadTimeout bounds the reading of one admitted body, so a sender that
// trickles its body holds its share of the budget for seconds, not for the
// server's read time-out. LINE and Slack send a body in milliseconds.
const ReadTimeout = 10 * time.Second

// Budget admits request bodies within a total of bytes. Create it with
// New; it is safe for concurrent use.
type Budget struct {
	// Logger receives a throttled line for refused requests; nil: none.
	Logger *slog.Logger
	// Refused, when set, is told of each request refused (413 or 503).
	Refused func(r *http.Request, status int)

	total int64
	all   *semaphore.Weighted // every admitted body
	large *semaphore.Weighted // bodies over Small, within half the total
	held  atomic.Int64
	drops chat.DropLog
}

// New returns a Budget of total bytes.
func New(total int64) *Budget {
	return &Budget{total: total, all: semaphore.NewWeighted(total), large: semaphore.NewWeighted(total / 2)}
}

// Held reports the bytes reserved by the bodies being read now.
func (b *Budget) Held() int64 { return b.held.Load() }

// Limit admits a request to h only if its body, of at most max bytes, fits
// in the budget; it holds its share until h returns. A body whose
// Content-Length is over max is refused with 413 and one without a length
// (chunked) is counted at max and cut there. A refused request is answered
// at once with its connection closed, its body unread; a refused platform
// delivery is retried by the platform (Slack always, LINE when webhook
// redelivery is on).
func (b *Budget) Limit(max int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.ContentLength
		if n > max {
			b.refuse(w, r, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		if n < 0 {
			n = max
		}
		if !b.acquire(n) {
			w.Header().Set("Retry-After", "1")
			b.refuse(w, r, http.StatusServiceUnavailable, "busy; try again shortly")
			return
		}
		defer b.release(n)
		r.Body = http.MaxBytesReader(w, r.Body, max)
		// Unsupported only by test recorders; the server resets it for the
		// connection's next request.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(ReadTimeout))
		h.ServeHTTP(w, r)
	})
}

func (b *Budget) acquire(n int64) bool {
	if n > Small {
		if !b.large.TryAcquire(n) {
			return false
		}
		if !b.all.TryAcquire(n) {
			b.large.Release(n)
			return false
		}
	} else if !b.all.TryAcquire(n) {
		return false
	}
	b.held.Add(n)
	return true
}

func (b *Budget) release(n int64) {
	b.held.Add(-n)
	b.all.Release(n)
	if n > Small {
		b.large.Release(n)
	}
}

func (b *Budget) refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if b.Refused != nil {
		b.Refused(r, status)
	}
	if b.Logger != nil {
		b.drops.Drop(b.Logger, "request bodies refused before verification", "reason", msg,
			"path", r.URL.Path, "remote", r.RemoteAddr, "content_length", strconv.FormatInt(r.ContentLength, 10))
	}
	// The body is not read: closing the connection saves discarding it.
	w.Header().Set("Connection", "close")
	http.Error(w, msg, status)
}

// Read reads r's body of at most max bytes into one buffer of its length
// when the length is known, so a body costs its size in memory and no
// more (io.ReadAll grows its buffer by doubling, leaving garbage up to
// twice the body). Over max it returns an *http.MaxBytesError.
func Read(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, max)
	n := r.ContentLength
	if n < 0 || n > max {
		return io.ReadAll(body)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	// The server stops a body at its length; a body from elsewhere may
	// run on.
	var one [1]byte
	if k, _ := body.Read(one[:]); k == 0 {
		return buf, nil
	}
	rest, err := io.ReadAll(body)
	return append(append(buf, one[0]), rest...), err
}
