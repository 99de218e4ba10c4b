package index

// A question with no topic of its own may ask something of the answer
// before it in a conversation: 電話番号は？, ほかには？, それはいつから？.
// The index does not keep conversations; it says what such a question asks
// (Answer.Followup), and a channel that remembers the last answer (bot/chat)
// answers it from there.

import (
	"slices"
	"unicode/utf8"
)

// Followup is what a question asks of the answer before it.
type Followup string

const (
	FollowupContact Followup = "contact" // how to reach whoever handles it: 電話番号は？, what's their number?
	FollowupDetail  Followup = "detail"  // what the plan does not say of it: それはいつから？, how much does it cost?
	FollowupMore    Followup = "more"    // the results not shown yet: ほかには？, more
)

// maxFollowupRunes bounds a follow-up: a longer message asks something of
// its own.
const maxFollowupRunes = 60

// followup tells what q asks of the answer before it, or "" when q has a
// topic of its own or asks nothing of the kind. A question naming the plan
// itself (この計画の問い合わせ先) asks of the plan, not of the last answer.
func (ix *Index) followup(q *question, a *Answer) Followup {
	switch a.Intent {
	case IntentContact, IntentNotCovered, IntentHelp, IntentSuggest:
	default:
		return ""
	}
	if utf8.RuneCountInString(q.norm) > maxFollowupRunes {
		return ""
	}
	l := ix.lex
	in := func(classes ...string) bool {
		return slices.ContainsFunc(q.terms, func(t term) bool { return l.isAny(t.base, classes...) })
	}
	for _, w := range q.words {
		if w.detail || l.isAny(w.text, classFollowDetail, classMore) {
			continue
		}
		if w.planWord() || w.concrete {
			return "" // a topic of its own
		}
	}
	detail := slices.ContainsFunc(q.words, func(w word) bool { return w.detail })
	switch {
	case in(classMeta) || slices.ContainsFunc(q.terms, func(t term) bool { return ix.title[t.base] }):
		return ""
	case in(classContactTrigger) || in(classWhere) && !detail:
		return FollowupContact // 電話番号は？; where is it?
	case detail || in(classFollowDetail):
		return FollowupDetail
	case in(classMore):
		return FollowupMore
	}
	return ""
}
