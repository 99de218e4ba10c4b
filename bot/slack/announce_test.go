package slack

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestAnnounce posts to slacktest's chat.postMessage, through a 429 with
// Retry-After, and clips a long report.
func TestAnnounce(t *testing.T) {
	e := newEnv(t, Config{})
	e.postStatus = []int{http.StatusTooManyRequests}
	logs := &syncBuffer{}
	a, err := NewAnnouncer(AnnounceConfig{BotToken: "xoxb-test", Channel: "C0PLAN", APIURL: e.slack.GetAPIURL(),
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.Announce("計画を更新しました\n" + strings.Repeat("+ 1.1.1.1 [総務課] 行 \n", 400))
	select {
	case p := <-e.posts:
		if p.channel != "C0PLAN" || !strings.HasPrefix(p.text, "計画を更新しました") || len([]rune(p.text)) > maxAnnouncement {
			t.Errorf("posted %q to %s (%d characters)", p.text[:40], p.channel, len([]rune(p.text)))
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing posted; log: %s", logs.String())
	}
	if err := a.Close(context.Background()); err != nil {
		t.Error(err)
	}
	if _, err := NewAnnouncer(AnnounceConfig{BotToken: "xoxb-test"}); err == nil {
		t.Error("announcer without a channel accepted")
	}
}

// TestAnnounceFailureLogged: Slack refusing the post is logged, and Close
// does not wait for ever.
func TestAnnounceFailureLogged(t *testing.T) {
	e := newEnv(t, Config{})
	e.postStatus = []int{http.StatusInternalServerError}
	logs := &syncBuffer{}
	a, _ := NewAnnouncer(AnnounceConfig{BotToken: "xoxb-test", Channel: "C0PLAN", APIURL: e.slack.GetAPIURL(),
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	a.Announce("計画を更新しました")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "announcement not posted") {
		t.Errorf("log: %s", logs.String())
	}
}
