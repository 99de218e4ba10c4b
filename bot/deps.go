// Package bot wires the front ends (web chat, LINE, Slack, admin) into one
// HTTP service over the answer model.
package bot

// Temporary: pins the channel SDKs in go.mod while the channel packages are written.
import (
	_ "github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	_ "github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	_ "github.com/slack-go/slack"
	_ "github.com/slack-go/slack/slacktest"
	_ "github.com/slack-go/slack/socketmode"
)
