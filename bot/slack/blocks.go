package slack

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"planbot/bot/chat"
	"planbot/index"
)

// Block Kit limits, counted in runes.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonValue = 2000
	maxContextText = 3000
	maxElements    = 25 // in an actions block
	maxButtonText  = 75
)

// Action IDs of the buttons planbot sends.
const (
	actionMore  = "planbot_more"
	actionUp    = "planbot_up"
	actionDown  = "planbot_down"
	actionShare = "planbot_share"
	actionPick  = "planbot_pick" // the card of a did-you-mean choice or of a department's action
)

// compactLine is how much of an action a department's list shows, in runes.
const compactLine = 80

// render is the message of an answer from match `from` on (0 for a new
// question): its blocks, and the text Slack shows in notifications, which
// says what the blocks show. share adds a button to post an ephemeral
// answer in the channel.
func render(a index.Answer, from int, share bool) ([]slack.Block, string) {
	en := a.Lang == index.English
	var bs []slack.Block
	text := a.Text
	next := from
	perCard := false // feedback buttons under each card
	switch {
	case a.Intent == index.IntentWho && from < len(a.Answers):
		// One card (one per topic when the question asked about several);
		// "more results" pages three at a time.
		n := chat.Shown(a)
		if from > 0 {
			n = 3
		} else if lead := chat.Lead(a); lead != "" {
			bs = append(bs, section(lead))
		}
		perCard = min(n, len(a.Answers)-from) > 1
		var shown strings.Builder
		for i, m := range a.Answers[from:min(len(a.Answers), from+n)] {
			if len(bs)+5 > maxBlocks-2 {
				break
			}
			bs = append(bs, card(a, m)...)
			if perCard && m.ID != index.ContactID {
				bs = append(bs, slack.NewActionBlock("planbot_feedback_"+strconv.Itoa(from+i), feedbackButtons(a, m)...))
			}
			d := chat.Describe(a, m)
			shown.WriteString(d.Charge + "\n" + d.Action + "\n")
			next++
		}
		if from > 0 {
			text = shown.String() // the cards of this page, not the answer's first
		}
	case a.Intent == index.IntentWho && from > 0:
		// A "more results" button from an answer that has fewer now.
		text = "これ以上の候補はありません。"
		if en {
			text = "There are no more results."
		}
		bs = append(bs, section(text))
	case a.Intent == index.IntentDepartment && len(a.Answers) > 0:
		// The summary, then a line per action with a button for its card:
		// a list to scan, not a wall of cards.
		lead := chat.Lead(a)
		if lead == "" {
			lead = a.Department
		}
		bs = append(bs, section(lead))
		details := "詳細"
		if en {
			details = "Details"
		}
		for _, m := range a.Answers {
			if len(bs) > maxBlocks-4 {
				break
			}
			line := slack.NewTextBlockObject(slack.PlainTextType, "・"+clip(m.Content, compactLine), false, false)
			var acc *slack.Accessory
			if m.ID != index.ContactID {
				acc = slack.NewAccessory(button(actionPick, details, pickValue(m.ID, a.Query)))
			}
			bs = append(bs, slack.NewSectionBlock(line, nil, acc))
		}
		bs = append(bs, slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, clip(chat.Source(a), maxContextText), false, false)))
	case a.Intent == index.IntentSuggest && len(a.Suggestions) > 0:
		// The text ("did you mean…", the choices, the desk), then a button
		// per choice that shows its card.
		bs = append(bs, section(a.Text))
		var picks []slack.BlockElement
		for _, m := range a.Suggestions {
			if m.ID == index.ContactID || len(picks) >= maxElements {
				continue
			}
			picks = append(picks, button(actionPick, clip(chat.Departments(a, m), 36)+": "+clip(m.Content, 36), pickValue(m.ID, a.Query)))
		}
		if len(picks) > 0 {
			bs = append(bs, slack.NewActionBlock("planbot_suggestions", picks...))
		}
	default:
		// The contact desk (desk, address and phone), greeting, help,
		// thanks, not covered: the text says it all.
		bs = append(bs, section(a.Text))
	}
	var buttons []slack.BlockElement
	if a.Intent == index.IntentWho && next > from {
		more := "ほかの候補"
		if en {
			more = "More results"
		}
		if top := a.Answers[from]; !perCard && top.ID != index.ContactID {
			buttons = append(buttons, feedbackButtons(a, top)...)
		}
		if next < len(a.Answers) {
			buttons = append(buttons, button(actionMore, more, moreValue(a, from, next)))
		}
	}
	if share {
		label := "チャンネルに共有"
		if en {
			label = "Share in channel"
		}
		buttons = append(buttons, button(actionShare, label, clip(a.Query, maxButtonValue)))
	}
	if len(buttons) > 0 {
		bs = append(bs, slack.NewActionBlock("planbot_actions", buttons...))
	}
	return bs, clip(text, maxSectionText)
}

// card shows one action as every channel's card does (chat.Describe): who
// is in charge as the header, the action, then its place in the plan, the
// plan and its date, and the desk for questions about the plan.
func card(a index.Answer, m index.Match) []slack.Block {
	d := chat.Describe(a, m)
	foot := d.Path + "\n" + d.Plan
	if d.Desk != "" {
		foot += "\n" + d.Desk
	}
	return []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(d.Charge, maxHeaderText), true, false)),
		section(d.Action),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, clip(foot, maxContextText), false, false)),
	}
}

// feedbackButtons rate the action m; never the contact desk (no action).
func feedbackButtons(a index.Answer, m index.Match) []slack.BlockElement {
	yes, no := "👍 役に立った", "👎 役に立たなかった"
	if a.Lang == index.English {
		yes, no = "👍 Helpful", "👎 Not helpful"
	}
	return []slack.BlockElement{button(actionUp, yes, m.ID), button(actionDown, no, m.ID)}
}

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(text, maxSectionText), false, false), nil, nil)
}

func button(id, label, value string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(id, value, slack.NewTextBlockObject(slack.PlainTextType, clip(label, maxButtonText), true, false))
}

// pickValue carries the action and the question it was offered for:
// "id|question".
func pickValue(id, q string) string {
	return clip(id+"|"+q, maxButtonValue)
}

// moreValue carries where to continue and the question: "n|question",
// asked again when pressed. A page of further results (from > 0), which
// may be a follow-up's ("ほかには？" asks nothing of its own), carries its
// answer's actions too, "n@id,id,…|question", so that its button goes on
// with them whoever presses it and whatever was asked since.
func moreValue(a index.Answer, from, next int) string {
	n := strconv.Itoa(next)
	if from > 0 {
		ids := make([]string, 0, len(a.Answers))
		for _, m := range a.Answers {
			ids = append(ids, m.ID)
		}
		n += "@" + strings.Join(ids, ",")
	}
	return clip(n+"|"+a.Query, maxButtonValue)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
