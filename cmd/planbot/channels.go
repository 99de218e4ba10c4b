package main

import (
	"context"
	"log/slog"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/bot/line"
)

// setupChannels enables each chat channel whose credentials are set.
func setupChannels(ctx context.Context, a *app, d *bot.Deps, dedup chat.Deduper, getenv func(string) string, log *slog.Logger) error {
	if secret, token := getenv("LINE_CHANNEL_SECRET"), getenv("LINE_CHANNEL_ACCESS_TOKEN"); secret != "" && token != "" {
		lb, err := line.New(line.Config{ChannelSecret: secret, AccessToken: token, APIBaseURL: getenv("LINE_API_BASE_URL")},
			line.Deps{Asker: d.Asker(), Dedup: dedup, Feedback: d.Feedback, Metrics: d.Metrics, Logger: log})
		if err != nil {
			return err
		}
		d.LINE = lb
		a.closers = append(a.closers, lb.Close)
	}
	return nil
}
