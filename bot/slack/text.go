package slack

import (
	"regexp"
	"strings"
)

// Slack sends a message's text in its own markup: mentions, channels,
// special mentions and links as <…> tokens, emoji as :shortcodes: (a skin
// tone as a second one, :+1::skin-tone-2:), and &, < and > escaped as
// entities. See https://api.slack.com/reference/surfaces/formatting.
var (
	tokenRe = regexp.MustCompile(`<([^<>]*)>`)
	emojiRe = regexp.MustCompile(`(?::[a-z0-9_+'-]+:)+`)

	unescape = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
)

// question is a message's text as its writer typed it, for the answering:
// user and channel mentions, @here-style mentions and emoji dropped, a
// link's label kept (a bare link kept as its address), entities unescaped,
// spaces collapsed.
func question(text string) string {
	text = tokenRe.ReplaceAllStringFunc(text, func(tok string) string {
		if t := token(tok[1 : len(tok)-1]); t != "" {
			return t // in place: "<https://…|図書館>の担当" is 図書館の担当
		}
		return " " // "地方債<#C1|tax>について" is not 地方債について
	})
	text = dropEmoji(text)
	return strings.Join(strings.Fields(unescape.Replace(text)), " ")
}

// token is what a <…> token reads as.
func token(t string) string {
	target, label, labelled := strings.Cut(t, "|")
	switch {
	case strings.HasPrefix(t, "@"), strings.HasPrefix(t, "#"):
		return "" // a user (<@U…>) or a channel (<#C…|name>)
	case strings.HasPrefix(t, "!date^"):
		return label // a date shown in the reader's time zone; the label is its fallback
	case strings.HasPrefix(t, "!"):
		return "" // <!here>, <!channel>, <!everyone>, <!subteam^S…|@team>
	case labelled:
		return label
	}
	return strings.TrimPrefix(target, "mailto:")
}

// dropEmoji removes :shortcodes: standing on their own: not glued to
// ASCII letters or digits on either side ("10:30:45" and "a:b:c" are text),
// and with a letter in the name or the name ±1.
func dropEmoji(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range emojiRe.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start > 0 && isAlnum(s[start-1]) || end < len(s) && isAlnum(s[end]) || !emojiNames(s[start:end]) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteByte(' ')
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// emojiNames reports whether every name in ":a::b:" can be an emoji's.
func emojiNames(s string) bool {
	for _, name := range strings.Split(strings.Trim(s, ":"), "::") {
		if name != "+1" && name != "-1" && !strings.ContainsAny(name, "abcdefghijklmnopqrstuvwxyz") {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
