package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// AnnounceConfig configures the posting of reindex reports to a channel
// (SLACK_ANNOUNCE_CHANNEL). It needs only the bot token, with chat:write
// and the bot invited to the channel.
type AnnounceConfig struct {
	BotToken   string
	Channel    string        // channel ID (C…) or name (#plan-updates)
	APIURL     string        // default https://slack.com/api/ (tests)
	HTTPClient *http.Client  // default: 10 s time-out
	Timeout    time.Duration // one announcement, retries included; default 1 minute
	Logger     *slog.Logger
}

// Announcer posts messages to one channel in the background, retrying
// when Slack rate-limits it; a failure is logged, never returned to the
// reindex that caused it.
type Announcer struct {
	cfg    AnnounceConfig
	api    *slack.Client
	log    *slog.Logger
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

// NewAnnouncer checks the configuration.
func NewAnnouncer(cfg AnnounceConfig) (*Announcer, error) {
	if cfg.BotToken == "" || cfg.Channel == "" {
		return nil, errors.New("slack: announcing needs a bot token (SLACK_BOT_TOKEN) and a channel (SLACK_ANNOUNCE_CHANNEL)")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []slack.Option{slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(strings.TrimRight(cfg.APIURL, "/")+"/"))
	}
	a := &Announcer{cfg: cfg, api: slack.New(cfg.BotToken, opts...), log: cfg.Logger}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

// Announce posts text to the channel in the background.
func (a *Announcer) Announce(text string) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(a.ctx, a.cfg.Timeout)
		defer cancel()
		if err := a.Post(ctx, text); err != nil {
			a.log.Error("slack: announcement not posted", "channel", a.cfg.Channel, "err", err)
		}
	}()
}

// Post posts text to the channel now, honouring 429 Retry-After a few
// times.
func (a *Announcer) Post(ctx context.Context, text string) error {
	for attempt := 1; ; attempt++ {
		_, _, err := a.api.PostMessageContext(ctx, a.cfg.Channel, slack.MsgOptionText(clip(text, maxAnnouncement), false))
		if err == nil {
			return nil
		}
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || attempt >= maxRetries {
			return fmt.Errorf("chat.postMessage: %w", err)
		}
		select {
		case <-time.After(min(max(rl.RetryAfter, 100*time.Millisecond), maxRetryWait)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// maxAnnouncement bounds a message: Slack accepts 40,000 characters, a
// channel reads far fewer.
const maxAnnouncement = 3900

// Close waits for announcements in flight, until ctx ends (then they are
// abandoned).
func (a *Announcer) Close(ctx context.Context) error {
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	defer a.cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slack: announcements: %w", ctx.Err())
	}
}
