package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"planbot/bot/chat"
	"planbot/index"
)

// replay posts one signed request n times, as an attacker who captured it
// would within its 5 minutes; each is acknowledged 200.
func (e *env) replay(t *testing.T, h http.Handler, path string, body []byte, n int) {
	t.Helper()
	first := signed("POST", path, body, time.Now())
	for range n {
		r := signed("POST", path, body, time.Now())
		r.Header = first.Header.Clone()
		if rec := serve(h, r); rec.Code != 200 {
			t.Fatalf("%s: status %d", path, rec.Code)
		}
	}
}

func (e *env) noResponse(t *testing.T) {
	t.Helper()
	select {
	case m := <-e.responses:
		t.Errorf("unexpected response %v", m)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestReplayedButtonCountsOnce: one signed 👍 posted five times is one vote
// and one reply, by its trigger_id, or by its payload when it has none;
// another press of the same button is a press of its own.
func TestReplayedButtonCountsOnce(t *testing.T) {
	e := newEnv(t, Config{})
	e.replay(t, e.bot.Interactive(), "/slack/interactive", interactionWith(trigger(), "U1", actionUp, "1.1.1.1", e.respURL), 5)
	e.nextResponse(t)
	e.noResponse(t)
	e.replay(t, e.bot.Interactive(), "/slack/interactive", interactionWith("", "U2", actionUp, "1.1.1.1", e.respURL), 5)
	e.nextResponse(t)
	e.noResponse(t)
	counts, _ := e.feedback.Counts(context.Background())
	if counts["1.1.1.1"] != (chat.Votes{Helpful: 2}) || e.metrics.drops("duplicate") != 8 {
		t.Errorf("votes %+v, %d duplicates", counts, e.metrics.drops("duplicate"))
	}
	// U1 presses again (a new trigger_id): handled.
	serve(e.bot.Interactive(), signed("POST", "/slack/interactive", interactionWith(trigger(), "U1", actionMore, "1|防災", e.respURL), time.Now()))
	e.nextResponse(t)
}

// TestReplayedCommandAnsweredOnce: a slash command posted twice is one
// answer.
func TestReplayedCommandAnsweredOnce(t *testing.T) {
	e := newEnv(t, Config{})
	e.replay(t, e.bot.Commands(), "/slack/commands", command("地方債", "U1", e.respURL), 2)
	if m := e.nextResponse(t); !strings.Contains(m["text"].(string), "財政課") {
		t.Errorf("answer: %v", m)
	}
	e.noResponse(t)
	// The same question asked again is a new command: answered.
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("地方債", "U1", e.respURL), time.Now()))
	e.nextResponse(t)
}

// TestRefusalsEphemeral: a refused or failed reindex is shown to the asker
// alone, by /plan and by mention; an admin's report goes to the channel.
func TestRefusalsEphemeral(t *testing.T) {
	e := newEnv(t, Config{AdminUsers: []string{"UADMIN"}})
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("reindex", "U1", e.respURL), time.Now()))
	if m := e.nextResponse(t); m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "管理者のみ") {
		t.Errorf("/plan reindex by a non-admin: %v", m)
	}
	body := eventBody("EvRefuse", mention("<@UBOT> reindex", "60.1"))
	serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now()))
	select {
	case p := <-e.ephemerals:
		if p.channel != "C1" || p.threadTS != "60.1" || !strings.HasPrefix(p.text, "U123: ") || !strings.Contains(p.text, "管理者のみ") {
			t.Errorf("mention reindex by a non-admin: %+v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no chat.postEphemeral; logs:\n%s", e.logs.String())
	}
	e.noPost(t)
	if e.reindexed.Load() != 0 {
		t.Error("a non-admin reindexed")
	}
	body = eventBody("EvAdmin", `{"type":"app_mention","user":"UADMIN","text":"<@UBOT> reindex","ts":"61.1","channel":"C1","event_ts":"61.1"}`)
	serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now()))
	if p := e.nextPost(t); !strings.Contains(p.text, "変更なし") || e.reindexed.Load() != 1 {
		t.Errorf("admin's reindex: %+v", p)
	}
	// A failed reindex: its error is for the admin alone.
	e.bot.deps.Reindex = func(context.Context) (string, error) { return "", errors.New("fetch https://example.jp/plan: 503") }
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("reindex", "UADMIN", e.respURL), time.Now()))
	if m := e.nextResponse(t); m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "503") {
		t.Errorf("failed reindex: %v", m)
	}
}

// TestMoreResultsText: the notification text of "more results" says what
// its cards show, not the answer's first result.
func TestMoreResultsText(t *testing.T) {
	e := newEnv(t, Config{})
	a := askFor(t, func(a index.Answer) bool {
		return a.Intent == index.IntentWho && a.Topics <= 1 && len(a.Answers) >= 3 && len([]rune(a.Answers[1].Content)) > 40
	}, "a who answer with several results", "公共施設", "職員研修", "防災")
	m := e.click(t, actionMore, "1|"+a.Query)
	text, _ := m["text"].(string)
	bs := responseBlocks(t, m)
	if strings.Contains(text, a.Answers[0].Content) || !strings.Contains(text, a.Answers[1].Content) {
		t.Errorf("more results' text %q", text)
	}
	for _, b := range bs {
		if b["type"] == "header" || b["type"] == "section" {
			if s := blockText(b); !strings.Contains(text, s) {
				t.Errorf("the text lacks %q, shown in the blocks:\n%s", s, text)
			}
		}
	}
	// A "more results" button from before the answer had fewer results.
	if m := e.click(t, actionMore, "99|"+a.Query); !strings.Contains(m["text"].(string), "これ以上の候補はありません") || strings.Contains(m["text"].(string), a.Answers[0].Content) {
		t.Errorf("more beyond the end: %v", m)
	}
}

// TestRejectedSignaturesLogged: a flood of forged requests is refused 401
// each and logged as a line a second at most, with the true count.
func TestRejectedSignaturesLogged(t *testing.T) {
	e := newEnv(t, Config{})
	const n = 50
	body := eventBody("EvForged", mention("<@UBOT> 地方債", "70.1"))
	for i := range n {
		r := signed("POST", "/slack/events", body, time.Now())
		if i%2 == 0 {
			r.Header.Set("X-Slack-Signature", "v0=deadbeef")
		} else {
			r.Header.Del("X-Slack-Request-Timestamp")
		}
		if rec := serve(e.bot.Events(), r); rec.Code != http.StatusUnauthorized {
			t.Fatalf("forged request %d: %d", i, rec.Code)
		}
	}
	if _, lines := e.loggedDrops(t, "slack: requests rejected for a bad or missing signature", nil); lines != 1 {
		t.Errorf("%d lines at once, want 1:\n%s", lines, e.logs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.bot.Close(ctx)
	if logged, lines := e.loggedDrops(t, "slack: requests rejected for a bad or missing signature", nil); logged != n || lines != 2 {
		t.Errorf("%d rejections logged in %d lines, want %d in 2:\n%s", logged, lines, n, e.logs.String())
	}
	e.noPost(t)
}
