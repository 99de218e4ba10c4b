package slack

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"planbot/index"
)

// Block Kit limits, counted in runes.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonValue = 2000
	maxContextText = 3000
)

// Action IDs of the buttons planbot sends.
const (
	actionMore  = "planbot_more"
	actionUp    = "planbot_up"
	actionDown  = "planbot_down"
	actionShare = "planbot_share"
)

// blocks renders an answer from match `from` on (0 for a new question).
// share adds a button to post an ephemeral answer in the channel.
func blocks(a index.Answer, from int, share bool) []slack.Block {
	en := a.Lang == index.English
	var bs []slack.Block
	next := from
	switch {
	case (a.Intent == index.IntentWho || a.Intent == index.IntentDepartment) && from < len(a.Answers):
		n := 1
		if a.Intent == index.IntentDepartment {
			n = len(a.Answers)
			bs = append(bs, section(a.Text[:strings.IndexByte(a.Text+"\n", '\n')]))
		} else if from > 0 {
			n = 3
		}
		for _, m := range a.Answers[from:min(len(a.Answers), from+n)] {
			if len(bs)+4 > maxBlocks-2 {
				break
			}
			bs = append(bs,
				slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(deptHeader(a, m), maxHeaderText), true, false)),
				section(m.Content),
				slack.NewContextBlock("", slack.NewTextBlockObject(slack.PlainTextType, clip(m.Path()+"\n"+source(a), maxContextText), false, false)),
			)
			next++
		}
	default:
		bs = append(bs, section(a.Text))
	}
	var buttons []slack.BlockElement
	if a.Intent == index.IntentWho && next > from {
		top := a.Answers[from]
		yes, no, more := "👍 役に立った", "👎 役に立たなかった", "ほかの候補"
		if en {
			yes, no, more = "👍 Helpful", "👎 Not helpful", "More results"
		}
		buttons = append(buttons,
			button(actionUp, yes, top.ID),
			button(actionDown, no, top.ID))
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

func section(text string) slack.Block {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(text, maxSectionText), false, false), nil, nil)
}

func button(id, label, value string) *slack.ButtonBlockElement {
	return slack.NewButtonBlockElement(id, value, slack.NewTextBlockObject(slack.PlainTextType, clip(label, 75), true, false))
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
