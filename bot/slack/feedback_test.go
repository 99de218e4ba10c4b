package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"planbot/bot/chat"
)

// TestFeedbackOnePerUser: a user's clicks on an action count once (the
// last), another user's count too, and made-up or overlong IDs get a
// polite reply and count nothing.
func TestFeedbackOnePerUser(t *testing.T) {
	e := newEnv(t, Config{})
	click := func(user, action, id string) string {
		t.Helper()
		serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interactionWith(trigger(), user, action, id, e.respURL), time.Now()))
		return fmt.Sprint(e.nextResponse(t)["text"])
	}
	for _, a := range []string{actionUp, actionUp, actionDown, actionUp, actionDown} {
		if r := click("U1", a, "1.1.1.1"); !strings.Contains(r, "ありがとう") {
			t.Errorf("vote: %q", r)
		}
	}
	click("U2", actionUp, "1.1.1.1")
	for _, id := range []string{strings.Repeat("9", 10000), "9.9.9.9", "contact"} {
		if r := click("U3", actionUp, id); !strings.Contains(r, "記録できませんでした") {
			t.Errorf("vote on %.12q…: %q", id, r)
		}
	}
	counts, _ := e.feedback.Counts(context.Background())
	if len(counts) != 1 || counts["1.1.1.1"] != (chat.Votes{Helpful: 1, NotHelpful: 1}) {
		t.Errorf("counts %v, want U1's last (not helpful) and U2's", counts)
	}
}
