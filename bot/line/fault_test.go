package line

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestAPIFaultsRecover: the LINE API rate-limits, fails and hangs in turn,
// then works again. Each failure costs one call and one log line with its
// status (no retry storm), the webhook keeps answering at once, the next
// reply gets through, and closing leaves no goroutine behind.
func TestAPIFaultsRecover(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(t, 200)
	api.script = []int{429, 500, 0}
	b, _, logs := newBot(t, api, Config{APITimeout: 300 * time.Millisecond})
	for i, want := range []string{"status=429", "status=500", "Timeout", ""} {
		bd := body(textEvent(fmt.Sprint("fault", i), fmt.Sprint("tok", i), "地方債の担当は？"))
		start := time.Now()
		if rec := post(b, bd, sign(bd)); rec.Code != 200 || time.Since(start) > time.Second {
			t.Fatalf("event %d: status %d after %v", i, rec.Code, time.Since(start))
		}
		select {
		case r := <-api.replies:
			if r.Token != fmt.Sprint("tok", i) {
				t.Fatalf("event %d: reply to %q", i, r.Token)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d: no call to the API", i)
		}
		if want == "" {
			continue // the API works again: the reply above got through
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(logs.String(), want) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("event %d: no log line with %q:\n%s", i, want, logs.String())
		}
	}
	select {
	case r := <-api.replies:
		t.Fatalf("a failed reply was retried: %+v", r)
	case <-time.After(300 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// noLeaks checks, after every other cleanup of the test has run, that no
// goroutine started during the test is left. The shared index is built
// first: its goroutines live for the whole test binary.
func noLeaks(t *testing.T) {
	if _, err := live(); err != nil {
		t.Fatal(err)
	}
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}
