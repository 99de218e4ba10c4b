package chat

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"planbot/index"
)

func TestMemDeduper(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	d := NewMemDeduper()
	d.now = func() time.Time { return now }
	if d.Seen(ctx, "a", time.Minute) {
		t.Fatal("first delivery reported as seen")
	}
	now = now.Add(59 * time.Second)
	if !d.Seen(ctx, "a", time.Minute) {
		t.Fatal("redelivery within the TTL not seen")
	}
	now = now.Add(time.Second)
	if d.Seen(ctx, "a", time.Minute) {
		t.Fatal("key still seen after its TTL")
	}
}

func TestMemDeduperSweepsExpiredKeys(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	d := NewMemDeduper()
	d.now = func() time.Time { return now }
	for i := range minSweep - 1 {
		d.Seen(ctx, fmt.Sprint("old", i), time.Minute)
	}
	now = now.Add(2 * time.Minute)
	d.Seen(ctx, "live", time.Hour) // reaches minSweep: the expired keys go
	if n := d.Len(); n != 1 {
		t.Fatalf("after sweep %d keys, want 1", n)
	}
	if !d.Seen(ctx, "live", time.Hour) {
		t.Fatal("sweep dropped a live key")
	}
	// Live keys are never swept, and the sweep threshold grows with them.
	for i := range 3 * minSweep {
		if d.Seen(ctx, fmt.Sprint("k", i), time.Hour) {
			t.Fatalf("fresh key k%d reported as seen", i)
		}
	}
	for i := range 3 * minSweep {
		if !d.Seen(ctx, fmt.Sprint("k", i), time.Hour) {
			t.Fatalf("live key k%d forgotten", i)
		}
	}
}

// BenchmarkMemDeduper measures a fresh key with many live keys held: the
// cost must not grow with their number.
func BenchmarkMemDeduper(b *testing.B) {
	ctx := context.Background()
	d := NewMemDeduper()
	i := 0
	for b.Loop() {
		d.Seen(ctx, fmt.Sprint("event", i), time.Hour)
		i++
	}
}

// TestAPIClientKeepsConnections: workers calling an API at once reuse
// their connections instead of dialling for every call.
func TestAPIClientKeepsConnections(t *testing.T) {
	var dials atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // let the workers overlap
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	const workers = 6
	c := APIClient(time.Second, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range 30 {
				res, err := c.Get(srv.URL)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				time.Sleep(time.Millisecond) // the connection waits idle meanwhile
			}
		})
	}
	wg.Wait()
	// A request may dial while a connection is on its way back to the
	// pool (net/http races the two), so a few more than one per worker is
	// normal; one per call is what a pool of the default size does.
	if n := dials.Load(); n > 2*workers {
		t.Errorf("%d connections for %d workers", n, workers)
	}
}

// asker answers every question with the same answer; it cannot tell the
// plan it serves (it is no Served).
type asker struct{ a index.Answer }

func (s asker) Ask(string) (index.Answer, error) { return s.a, nil }

func TestLeadPickVotable(t *testing.T) {
	m := index.Match{ID: "1.2.3.4", Departments: []string{"財政課"}, DepartmentsEN: []string{"Finance Division"}, Content: "地方債の適正化"}
	for _, tc := range []struct {
		a    index.Answer
		want string
	}{
		{index.Answer{Intent: index.IntentWho, Text: "財政課が担当しています。\n地方債"}, ""},
		{index.Answer{Intent: index.IntentWho, Topics: 2, Text: "2 つのことをお尋ねですね。\n・a\n・b"}, "2 つのことをお尋ねですね。"},
		{index.Answer{Intent: index.IntentWho, Topics: 2, Truncated: true, Text: "（長い）\n2 つ\n・a"}, "（長い）\n2 つ"},
		{index.Answer{Intent: index.IntentDepartment, Text: "財政課の担当は1件です。\n・地方債"}, "財政課の担当は1件です。"},
		{index.Answer{Intent: index.IntentNotCovered, Truncated: true, Text: "（長い）\n申し訳ありません。"}, "（長い）"},
	} {
		if got := Lead(tc.a); got != tc.want {
			t.Errorf("Lead(%q) = %q, want %q", tc.a.Text, got, tc.want)
		}
	}
	a := index.Answer{Intent: index.IntentSuggest, Lang: index.English, Suggestions: []index.Match{m}, Answers: []index.Match{}}
	s := asker{a}
	if got, ok := Pick(s, a, m.ID); !ok || got.ID != m.ID {
		t.Errorf("Pick of a suggestion: %v %v", got, ok)
	}
	for _, id := range []string{"", "9.9.9.9", index.ContactID} {
		if _, ok := Pick(s, a, id); ok {
			t.Errorf("Pick(%q) accepted", id)
		}
	}
	if c := Card(a, m); c.Intent != index.IntentWho || len(c.Answers) != 1 || !strings.HasPrefix(c.Text, "Finance Division (財政課)") {
		t.Errorf("Card: %+v", c)
	}
	if Votable(s, index.ContactID) || Votable(s, "") || !Votable(s, m.ID) {
		t.Error("Votable: the contact desk or an empty id accepted, or an action refused")
	}
}
