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

// blocks renders an answer from match `from` on (0 for a new question).
// share adds a button to post an ephemeral answer in the channel.
func blocks(a index.Answer, from int, share bool) []slack.Block {
	en := a.Lang == index.English
	var bs []slack.Block
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
		perCard = from == 0 && n > 1
		for i, m := range a.Answers[from:min(len(a.Answers), from+n)] {
			if len(bs)+5 > maxBlocks-2 {
				break
			}
			bs = append(bs, card(a, m)...)
			if perCard && m.ID != index.ContactID {
				bs = append(bs, slack.NewActionBlock("planbot_feedback_"+strconv.Itoa(from+i), feedbackButtons(a, m)...))
			}
			next++
		}
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
		bs = append(bs, slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, clip(source(a), maxContextText), false, false)))
	case a.Intent == index.IntentSuggest && len(a.Suggestions) > 0:
		// The text ("did you mean…", the choices, the desk), then a button
		// per choice that shows its card.
		bs = append(bs, section(a.Text))
		var picks []slack.BlockElement
		for _, m := range a.Suggestions {
			if m.ID == index.ContactID || len(picks) >= maxElements {
				continue
			}
			picks = append(picks, button(actionPick, clip(deptHeader(a, m), 36)+": "+clip(m.Content, 36), pickValue(m.ID, a.Query)))
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
			buttons = append(buttons, button(actionMore, more, moreValue(a.Query, next)))
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
	return bs
}

// card shows one action: departments as the header, the action, its place
// in the plan and the plan's title and date.
func card(a index.Answer, m index.Match) []slack.Block {
	return []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(deptHeader(a, m), maxHeaderText), true, false)),
		section(m.Content),
		slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, clip(m.Path()+"\n"+source(a), maxContextText), false, false)),
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

func source(a index.Answer) string {
	if a.Lang == index.English {
		return "Source: " + a.Plan.Title + " (updated " + a.Plan.Updated + ")"
	}
	return "出典: " + a.Plan.Title + "（更新日 " + a.Plan.Updated + "）"
}

func deptHeader(a index.Answer, m index.Match) string {
	if a.Lang != index.English {
		return strings.Join(m.Departments, "・")
	}
	names := make([]string, len(m.Departments))
	for i, d := range m.Departments {
		names[i] = d
		if i < len(m.DepartmentsEN) && m.DepartmentsEN[i] != "" {
			names[i] = m.DepartmentsEN[i] + " (" + d + ")"
		}
	}
	return strings.Join(names, ", ")
}

// pickValue carries the action and the question it was offered for:
// "id|question".
func pickValue(id, q string) string {
	return clip(id+"|"+q, maxButtonValue)
}

// moreValue carries the question and where to continue: "n|question".
func moreValue(q string, next int) string {
	return clip(strconv.Itoa(next)+"|"+q, maxButtonValue)
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
