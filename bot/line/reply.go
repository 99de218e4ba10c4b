package line

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"planbot/bot/chat"
	"planbot/index"
)

// LINE's limits on a reply.
const (
	maxMessages    = 5
	maxTextUnits   = 5000 // UTF-16 code units in a text message
	maxAltText     = 400
	maxQuickReply  = 13
	maxLabel       = 20
	maxPostback    = 300
	maxCarousel    = 10
	bubblesPerPage = 3 // matches shown per "more results"
)

// cachedReplies is how many encoded replies a Bot keeps.
const cachedReplies = 1024

// renderKey names a reply: the question as asked and the first match shown.
type renderKey struct {
	query string
	from  int
}

// cachedReply is a reply encoded once, with the answer it was rendered from.
type cachedReply struct {
	answer index.Answer
	msgs   []messaging_api.MessageInterface
}

// answerMessages renders an answer, starting at match from (0 for a new
// question, later for "more results"). Replies are kept encoded: the SDK's
// encoding of a Flex message costs more than answering a cached question.
// The first time a reply is sent costs a little more than it would uncached
// (it is encoded, then split into messages).
// A kept reply is used only for an answer equal to the one it was rendered
// from, so after a reindex a changed answer is rendered afresh.
func (b *Bot) answerMessages(a index.Answer, from int) []messaging_api.MessageInterface {
	k := renderKey{a.Query, from}
	if r, ok := b.replies.Get(k); ok && reflect.DeepEqual(r.answer, a) {
		return r.msgs
	}
	msgs := render(a, from)
	enc, err := encode(msgs)
	if err != nil {
		b.deps.Logger.Error("line: encode reply", "err", err)
		return msgs
	}
	b.replies.Add(k, cachedReply{a, enc})
	return enc
}

// encoded is a message already in the Messaging API's JSON; the SDK passes
// message types it does not know to encoding/json as they are.
type encoded struct {
	typ string
	raw json.RawMessage
}

func (e encoded) GetType() string              { return e.typ }
func (e encoded) MarshalJSON() ([]byte, error) { return e.raw, nil }

// encode turns msgs into the JSON the SDK itself would send for them.
func encode(msgs []messaging_api.MessageInterface) ([]messaging_api.MessageInterface, error) {
	raw, err := json.Marshal(&messaging_api.ReplyMessageRequest{Messages: msgs})
	if err != nil {
		return nil, err
	}
	var req struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, err
	}
	if len(req.Messages) != len(msgs) {
		return nil, fmt.Errorf("encoded %d messages of %d", len(req.Messages), len(msgs))
	}
	out := make([]messaging_api.MessageInterface, len(msgs))
	for i, m := range req.Messages {
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(m, &head); err != nil {
			return nil, err
		}
		out[i] = encoded{head.Type, m}
	}
	return out, nil
}

// render builds the reply messages for an answer from match from on.
// Quick replies go on the last message, the only one LINE shows them on.
func render(a index.Answer, from int) []messaging_api.MessageInterface {
	en := a.Lang == index.English
	var msgs []messaging_api.MessageInterface
	next := from
	switch {
	case a.Intent == index.IntentWho && from < len(a.Answers):
		// One card (one per topic when the question asked about several);
		// "more results" pages three at a time.
		n := chat.Shown(a)
		if from > 0 {
			n = bubblesPerPage
		}
		shown := a.Answers[from:min(len(a.Answers), from+n, from+maxCarousel)]
		next = from + len(shown)
		bubbles := make([]messaging_api.FlexBubble, len(shown))
		for i, m := range shown {
			bubbles[i] = bubble(a, m)
		}
		alt := clipUnits(a.Text, maxAltText)
		if from > 0 {
			alt = clipUnits(altFor(a, shown), maxAltText)
		} else if lead := chat.Lead(a); lead != "" {
			// What the text says before the cards (a long message answered
			// from its beginning, two topics) is a message of its own: a
			// Flex message shows its alt text only in notifications.
			msgs = append(msgs, &messaging_api.TextMessage{Text: clipUnits(lead, maxTextUnits)})
		}
		// Containers go in as pointers: the SDK names their type ("bubble",
		// "carousel") only in its pointer methods, and LINE refuses a
		// container without one.
		if len(bubbles) == 1 {
			msgs = append(msgs, &messaging_api.FlexMessage{AltText: alt, Contents: &bubbles[0]})
		} else {
			msgs = append(msgs, &messaging_api.FlexMessage{AltText: alt, Contents: &messaging_api.FlexCarousel{Contents: bubbles}})
		}
	case a.Intent == index.IntentWho:
		text := "これ以上の候補はありません。"
		if en {
			text = "There are no more results."
		}
		msgs = append(msgs, &messaging_api.TextMessage{Text: text})
	default:
		// Department (its summary and a line per action, each action a
		// quick reply that shows its card), did-you-mean (the choices as
		// quick replies), the contact desk (address and phone, with the
		// call button), greeting, help, thanks, not covered.
		msgs = append(msgs, &messaging_api.TextMessage{Text: clipUnits(a.Text, maxTextUnits)})
	}
	qr := quickReplies(a, from, next)
	switch m := msgs[len(msgs)-1].(type) {
	case *messaging_api.FlexMessage:
		m.QuickReply = qr
	case *messaging_api.TextMessage:
		m.QuickReply = qr
	}
	return msgs
}

func altFor(a index.Answer, ms []index.Match) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(deptHeader(a, m) + ": " + m.Content + "\n")
	}
	return b.String()
}

func deptHeader(a index.Answer, m index.Match) string { return chat.Departments(a, m) }

// bubble shows one match as every channel's card does (chat.Describe):
// who is in charge as the header, then the action, its place in the plan,
// the plan and its date, and the desk for questions about the plan. Flex
// values are set explicitly: the SDK sends "flex": 0 when left at zero,
// which is the right value only in the vertical boxes used here.
func bubble(a index.Answer, m index.Match) messaging_api.FlexBubble {
	d := chat.Describe(a, m)
	text := func(s, size, color string, bold bool) messaging_api.FlexText {
		t := messaging_api.FlexText{Text: clipUnits(s, 2000), Size: size, Color: color, Wrap: true, Flex: 0}
		if bold {
			t.Weight = messaging_api.FlexTextWEIGHT_BOLD
		}
		return t
	}
	body := []messaging_api.FlexComponentInterface{
		text(d.Action, "md", "#1d2733", false),
		messaging_api.FlexSeparator{},
		text(d.Path, "xs", "#5b6776", false),
		text(d.Plan, "xxs", "#5b6776", false),
	}
	if d.Desk != "" {
		body = append(body, text(d.Desk, "xxs", "#5b6776", false))
	}
	return messaging_api.FlexBubble{
		Header: &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Flex: 0,
			Contents: []messaging_api.FlexComponentInterface{text(d.Charge, "lg", "#0b6bcb", true)}},
		Body: &messaging_api.FlexBox{Layout: messaging_api.FlexBoxLAYOUT_VERTICAL, Flex: 0, Spacing: "md", Contents: body},
	}
}

// quickReplies offers the cards of a did-you-mean answer's choices or of
// a department's actions, feedback on the matches shown, more results, a
// call to the contact desk and related topics, within LINE's 13 items.
// Feedback is never offered on the contact desk, which is no action.
func quickReplies(a index.Answer, from, next int) *messaging_api.QuickReply {
	en := a.Lang == index.English
	var items []messaging_api.QuickReplyItem
	add := func(act messaging_api.ActionInterface) {
		if len(items) < maxQuickReply {
			items = append(items, messaging_api.QuickReplyItem{Type: "action", Action: act})
		}
	}
	phone := a.Plan.Contact.Phone
	picks := func(ms []index.Match, withDept bool) {
		for _, m := range ms {
			if phone != "" && len(items) >= maxQuickReply-1 {
				break // keep room for the call
			}
			if m.ID == index.ContactID {
				continue
			}
			add(&messaging_api.PostbackAction{Label: label(pickLabel(a, m, withDept, 10)), Data: pickPostback(a.Query, m.ID),
				DisplayText: pickLabel(a, m, withDept, 40)})
		}
	}
	switch {
	case a.Intent == index.IntentSuggest:
		picks(a.Suggestions, true)
	case a.Intent == index.IntentDepartment:
		picks(a.Answers, false)
	case a.Intent == index.IntentWho && next > from:
		yes, no := "役に立った", "役に立たなかった"
		if en {
			yes, no = "Helpful", "Not helpful"
		}
		fb := func(id, v string) string {
			return url.Values{"a": {"fb"}, "id": {id}, "v": {v}, "l": {a.Lang}}.Encode()
		}
		if from == 0 && chat.Shown(a) > 1 {
			// A card per topic: feedback on each, named by its department.
			for _, m := range a.Answers[:next] {
				if m.ID == index.ContactID {
					continue
				}
				name, lp, rp := shortDept(a, m), "（", "）"
				if en {
					lp, rp = " (", ")"
				}
				add(&messaging_api.PostbackAction{Label: label("👍 " + name), Data: fb(m.ID, "1"), DisplayText: yes + lp + name + rp})
				add(&messaging_api.PostbackAction{Label: label("👎 " + name), Data: fb(m.ID, "0"), DisplayText: no + lp + name + rp})
			}
		} else if top := a.Answers[next-1]; top.ID != index.ContactID {
			add(&messaging_api.PostbackAction{Label: label("👍 " + yes), Data: fb(top.ID, "1"), DisplayText: yes})
			add(&messaging_api.PostbackAction{Label: label("👎 " + no), Data: fb(top.ID, "0"), DisplayText: no})
		}
		if next < len(a.Answers) {
			more := "ほかの候補"
			if en {
				more = "More results"
			}
			add(&messaging_api.PostbackAction{Label: label(more), Data: morePostback(a, from, next), DisplayText: more})
		}
	}
	if phone != "" {
		call := "電話で問い合わせ"
		if en {
			call = "Call the city"
		}
		add(&messaging_api.UriAction{Label: label(call), Uri: "tel:" + phone})
	}
	for _, r := range a.Related {
		add(&messaging_api.MessageAction{Label: label(r), Text: r})
	}
	if len(items) == 0 {
		return nil
	}
	return &messaging_api.QuickReply{Items: items}
}

// shortDept names m's first department briefly for a button: in English
// by its English name alone; "他"/"+" when there are more.
func shortDept(a index.Answer, m index.Match) string {
	if len(m.Departments) == 0 {
		return ""
	}
	name, more := m.Departments[0], "他"
	if a.Lang == index.English {
		more = " +"
		if len(m.DepartmentsEN) > 0 && m.DepartmentsEN[0] != "" {
			name = m.DepartmentsEN[0]
		}
	}
	if len(m.Departments) > 1 {
		name += more
	}
	return name
}

// pickLabel is the text of a button that shows m's card: the department
// (for a did-you-mean choice, clipped to dept runes so that the action
// shows too) and the beginning of the action; label clips it to LINE's
// limit. With a larger dept it is the text the chat shows as sent.
func pickLabel(a index.Answer, m index.Match, withDept bool, dept int) string {
	if !withDept {
		return clipRunes(m.Content, 2*dept)
	}
	return clipRunes(shortDept(a, m), dept) + ": " + clipRunes(m.Content, 2*dept)
}

// clipRunes cuts s to at most n runes, the last an ellipsis when cut.
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// pickPostback asks for the card of action id, offered for question q
// (asked again to find it, as more results does).
func pickPostback(q, id string) string {
	return withQuestion(url.Values{"a": {"pick"}, "id": {id}}, q)
}

// morePostback carries the question itself, clipped so the data stays
// within LINE's 300 characters; no user identity is involved. A page of
// further results (from > 0), which may be a follow-up's ("ほかには？" asks
// nothing of its own), carries its answer's actions too, so that its
// button goes on with them for whoever taps it (in a group every member
// sees it); when they would leave the question too little room, the
// button asks the question again as a first answer's does.
func morePostback(a index.Answer, from, next int) string {
	v := url.Values{"a": {"more"}, "n": {strconv.Itoa(next)}}
	if from > 0 {
		ids := make([]string, 0, len(a.Answers))
		for _, m := range a.Answers {
			ids = append(ids, m.ID)
		}
		v.Set("ids", strings.Join(ids, " "))
		if len(v.Encode()) > maxPostback*2/3 {
			v.Del("ids")
		}
	}
	return withQuestion(v, a.Query)
}

// withQuestion adds the question to postback data, clipped so the data
// stays within LINE's 300 characters.
func withQuestion(v url.Values, q string) string {
	for r := []rune(q); ; r = r[:len(r)*3/4] {
		v.Set("q", string(r))
		if d := v.Encode(); len(d) <= maxPostback || len(r) == 0 {
			return d
		}
	}
}

func label(s string) string {
	if r := []rune(s); len(r) > maxLabel {
		return string(r[:maxLabel-1]) + "…"
	}
	return s
}

// clipUnits cuts s to at most n UTF-16 code units, at a rune boundary.
func clipUnits(s string, n int) string {
	units := 0
	for i, r := range s {
		w := len(utf16.Encode([]rune{r}))
		if units+w > n-1 {
			if len(utf16.Encode([]rune(s))) <= n {
				return s
			}
			return s[:i] + "…"
		}
		units += w
	}
	return s
}
