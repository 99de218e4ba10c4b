package chat

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestMemFeedbackOneVote: one vote per voter and action, the last counts.
func TestMemFeedbackOneVote(t *testing.T) {
	ctx := context.Background()
	f := NewMemFeedback()
	for _, helpful := range []bool{true, true, true, true, true} {
		f.Vote(ctx, "line:U1", "k1", helpful)
	}
	f.Vote(ctx, "line:U2", "k1", false)
	f.Vote(ctx, "line:U1", "k2", false)
	f.Vote(ctx, "line:U2", "k1", true) // U2 changes its mind
	counts, _ := f.Counts(ctx)
	want := map[string]Votes{"k1": {Helpful: 2}, "k2": {NotHelpful: 1}}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	// Voters are kept only as salted hashes.
	for _, k := range f.ballots.Keys() {
		if strings.Contains(k, "U1") {
			t.Errorf("voter kept in clear: %q", k)
		}
	}
	if string(voterHash(f.salt, "line:U1")) == string(voterHash(NewMemFeedback().salt, "line:U1")) {
		t.Error("two stores hash a voter alike: the salt is not secret")
	}
}

// TestMemFeedbackBounded: 50,000 voters and 5,000 actions stay within the
// bounds, the oldest forgotten first; ballots past their time go.
func TestMemFeedbackBounded(t *testing.T) {
	ctx := context.Background()
	f := newMemFeedback(1000, 100, time.Hour)
	now := time.Now()
	f.now = func() time.Time { return now }
	for i := range 50000 {
		f.Vote(ctx, fmt.Sprint("web:10.0.", i/256, ".", i%256), fmt.Sprint("k", i%50), true)
		if f.ballots.Len() > 1000 {
			t.Fatalf("after %d voters: %d ballots", i+1, f.ballots.Len())
		}
	}
	if counts, _ := f.Counts(ctx); len(counts) != 50 || counts["k0"].Helpful != 1000 {
		t.Errorf("%d actions; k0 %+v", len(counts), counts["k0"])
	}
	for i := range 5000 {
		f.Vote(ctx, "line:U1", fmt.Sprint("m", i), true)
		if f.votes.Len() > 100 {
			t.Fatalf("after %d actions: %d kept", i+1, f.votes.Len())
		}
	}
	counts, _ := f.Counts(ctx)
	if _, ok := counts["m4999"]; len(counts) != 100 || !ok {
		t.Errorf("%d actions kept, the last voted on among them: %v", len(counts), ok)
	}
	// An hour later the old ballots are gone with the next vote, and their
	// voters may vote again.
	now = now.Add(time.Hour + time.Second)
	f.Vote(ctx, "line:U1", "m4999", true)
	if f.Ballots() != 1 {
		t.Errorf("%d ballots kept past their time", f.Ballots())
	}
	if counts, _ := f.Counts(ctx); counts["m4999"].Helpful != 2 {
		t.Errorf("a voter whose ballot expired: %+v", counts["m4999"])
	}
}

// TestByKeyRefuses: a Feedback by key counts nothing for IDs that name
// no action of the plan served.
func TestByKeyRefuses(t *testing.T) {
	ctx := context.Background()
	store := NewMemFeedback()
	lv, err := live() // followup_test.go
	if err != nil {
		t.Fatal(err)
	}
	fb := ByKey(store, lv)
	for _, id := range []string{"9.9.9.9", "contact", "", strings.Repeat("1.", 5000)} {
		if err := fb.Vote(ctx, "line:U1", id, true); err != ErrNotAction {
			t.Errorf("vote on %.12q: %v", id, err)
		}
	}
	if err := fb.Vote(ctx, "line:U1", "1.1.1.1", true); err != nil {
		t.Fatal(err)
	}
	if counts, _ := store.Counts(ctx); len(counts) != 1 || store.Ballots() != 1 {
		t.Errorf("counts %v", counts)
	}
}
