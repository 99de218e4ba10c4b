package bot_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data"
)

// TestFeedbackValidated: only actions of the plan served are rated (404
// otherwise, however long the ID), one vote per client and action (its
// last vote counts), and a flood of made-up IDs stores nothing.
func TestFeedbackValidated(t *testing.T) {
	fb := chat.NewMemFeedback()
	s, h := serviceWith(t, bot.Deps{Feedback: fb, TrustedProxies: loopback})
	key := data.Default().Items[0].Key()
	for _, id := range []string{"9.9.9.9", "contact", strings.Repeat("1", 10000), "1.1.1.1.1", "../1.1.1.1"} {
		if code, b := s.vote(t, "198.51.100.1", id, true); code != http.StatusNotFound {
			t.Errorf("vote on %.20q…: %d %s", id, code, b)
		}
	}
	if code, _ := s.do(t, "POST", "/api/feedback", "", []byte(`{"id":"`+strings.Repeat("1", 20000)+`"}`)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("20 KB vote: %d", code)
	}
	// The same client votes 5 times: one vote, the last.
	for i, helpful := range []bool{true, true, false, true, false} {
		if code, b := s.vote(t, "198.51.100.1", "1.1.1.1", helpful); code != http.StatusNoContent {
			t.Fatalf("vote %d: %d %s", i, code, b)
		}
	}
	counts, _ := fb.Counts(t.Context())
	if len(counts) != 1 || counts[key] != (chat.Votes{NotHelpful: 1}) {
		t.Errorf("5 votes from one client: %+v", counts)
	}
	// Another client, and another address of the first one's IPv6 /64.
	s.vote(t, "198.51.100.2", "1.1.1.1", true)
	s.vote(t, "2001:db8:1:2::1", "1.1.1.1", true)
	s.vote(t, "2001:db8:1:2::2", "1.1.1.1", true)
	if counts, _ := fb.Counts(t.Context()); counts[key] != (chat.Votes{Helpful: 2, NotHelpful: 1}) {
		t.Errorf("three clients: %+v", counts)
	}

	// 50,000 made-up IDs, straight to the handler: all refused, nothing
	// stored, the admin's list unchanged.
	for i := range 50000 {
		b, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("%d.%d.%d.%d", 9, i/1000, i%1000, i%7), "helpful": true})
		req := httptest.NewRequest("POST", "/api/feedback", bytes.NewReader(b))
		req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1", i>>16&255, i>>8&255, i&255)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Fatalf("made-up id %d: %d", i, rec.Code)
		}
	}
	if counts, _ := fb.Counts(t.Context()); len(counts) != 1 || fb.Ballots() != 3 {
		t.Errorf("after 50,000 made-up IDs: %d keys, %d ballots", len(counts), fb.Ballots())
	}
	if code, b := s.do(t, "GET", "/admin/feedback", adminToken, nil); code != 200 || len(b) > 1000 || !strings.Contains(string(b), `"other_keys":0`) {
		t.Errorf("admin feedback: %d %d bytes %s", code, len(b), b)
	}
}
