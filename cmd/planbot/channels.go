package main

import (
	"context"
	"log/slog"
	"strings"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/bot/line"
	"planbot/bot/slack"
)

// setupChannels enables each chat channel whose credentials are set.
func setupChannels(ctx context.Context, a *app, d *bot.Deps, dedup chat.Deduper, lineCfg line.Config, slackCfg slack.Config, getenv func(string) string, log *slog.Logger) error {
	if secret, token := getenv("LINE_CHANNEL_SECRET"), getenv("LINE_CHANNEL_ACCESS_TOKEN"); secret != "" && token != "" {
		lineCfg.ChannelSecret, lineCfg.AccessToken, lineCfg.APIBaseURL = secret, token, getenv("LINE_API_BASE_URL")
		lb, err := line.New(lineCfg,
			line.Deps{Asker: d.Asker(), Dedup: dedup, Feedback: d.Feedback, Metrics: d.Metrics, Logger: log, Followups: d.Followups})
		if err != nil {
			return err
		}
		d.LINE = lb
		a.closers = append(a.closers, lb.Close)
		a.channels = append(a.channels, "line")
	}
	botToken, signing, appToken := getenv("SLACK_BOT_TOKEN"), getenv("SLACK_SIGNING_SECRET"), getenv("SLACK_APP_TOKEN")
	if botToken == "" || (signing == "" && appToken == "") {
		return nil
	}
	r := d.Reloader
	slackCfg.BotToken, slackCfg.SigningSecret, slackCfg.AppToken, slackCfg.APIURL = botToken, signing, appToken, getenv("SLACK_API_URL")
	slackCfg.AdminUsers = strings.FieldsFunc(getenv("SLACK_ADMIN_USERS"), func(c rune) bool { return c == ',' || c == ' ' })
	sb, err := slack.New(slackCfg,
		slack.Deps{Asker: d.Asker(), Dedup: dedup, Feedback: d.Feedback, Metrics: d.Metrics, Logger: log, Followups: d.Followups,
			Reindex: func(ctx context.Context) (string, error) {
				if err := bot.CheckShared(ctx, d.Shared); err != nil {
					return "", err
				}
				rep, err := r.Reload(ctx, false)
				if err != nil {
					return "", err
				}
				return rep.Summary(announcementLines), nil
			}})
	if err != nil {
		return err
	}
	a.closers = append(a.closers, sb.Close)
	if signing != "" {
		d.Slack = &bot.SlackHandlers{Events: sb.Events(), Commands: sb.Commands(), Interactive: sb.Interactive()}
		a.channels = append(a.channels, "slack-http")
	}
	if appToken != "" {
		a.channels = append(a.channels, "slack-socket-mode")
		go func() {
			if err := sb.RunSocketMode(ctx); err != nil {
				log.Error("slack socket mode", "err", err)
			}
		}()
	}
	return nil
}
