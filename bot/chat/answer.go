package chat

import (
	"strings"

	"planbot/data"
	"planbot/index"
)

// Served is implemented by an Asker that can tell which index it answers
// from: *index.Live, and the Asker the service gives its channels.
type Served interface {
	Current() *index.Index
}

// servedItem looks id up among the actions of the plan asker serves.
// known is false when the asker cannot tell (it is no Served, or no plan
// is loaded yet).
func servedItem(asker Asker, id string) (it data.Item, found, known bool) {
	s, ok := asker.(Served)
	if !ok {
		return data.Item{}, false, false
	}
	ix := s.Current()
	if ix == nil || ix.Plan() == nil {
		return data.Item{}, false, false
	}
	for _, it := range ix.Plan().Items {
		if it.ID == id {
			return it, true, true
		}
	}
	return data.Item{}, false, true
}

// Votable reports whether feedback on id may be counted: it must name an
// action of the plan being served, and never the contact desk (the
// contact answer's ContactID), which is no action. When the asker cannot
// tell the plan, any ID but ContactID is accepted.
func Votable(asker Asker, id string) bool {
	if id == "" || id == index.ContactID {
		return false
	}
	_, found, known := servedItem(asker, id)
	return found || !known
}

// Pick finds the action id that a "did you mean" or department-list
// button asks to show, for the answer a to the question the button was
// offered for (asked again). The id must be an action of the plan being
// served; the match comes from a's suggestions or answers when it is one
// of them (with its English department names), else from the plan. ok is
// false for an unknown id (a forged button, or one from before a reindex
// removed the action) and always for the contact desk. When the asker
// cannot tell the plan, only the ids among a's matches are accepted.
func Pick(asker Asker, a index.Answer, id string) (index.Match, bool) {
	if id == "" || id == index.ContactID {
		return index.Match{}, false
	}
	it, found, known := servedItem(asker, id)
	if known && !found {
		return index.Match{}, false
	}
	for _, ms := range [][]index.Match{a.Suggestions, a.Answers} {
		for _, m := range ms {
			if m.ID == id {
				return m, true
			}
		}
	}
	if !found {
		return index.Match{}, false
	}
	return index.Match{ID: it.ID, Departments: it.Departments, Content: it.Content,
		Policy: it.Policy, Measure: it.Measure, Initiative: it.Initiative}, true
}

// Card is the answer that shows the one action m, picked from a's
// suggestions or department list: a "who" answer of that action alone, in
// a's language, from a's plan.
func Card(a index.Answer, m index.Match) index.Answer {
	text := Departments(a, m) + "が担当しています。\n" + m.Content
	if a.Lang == index.English {
		text = Departments(a, m) + " is in charge.\n" + m.Content
	}
	return index.Answer{Query: a.Query, Lang: a.Lang, Intent: index.IntentWho, Text: text,
		Answers: []index.Match{m}, Plan: a.Plan}
}

// Lead is what a's Text says before its matches, for a channel that shows
// the matches as cards of its own: the note on a message too long to read
// whole, the line saying the question asked about several things, and a
// department answer's summary. It is empty when Text says none of these.
func Lead(a index.Answer) string {
	n := 0
	if a.Truncated {
		n++
	}
	if a.Intent == index.IntentDepartment || (a.Intent == index.IntentWho && a.Topics > 1) {
		n++
	}
	if n == 0 {
		return ""
	}
	lines := strings.SplitN(a.Text, "\n", n+1)
	return strings.TrimSpace(strings.Join(lines[:min(n, len(lines))], "\n"))
}

// Shown is how many of a's answers a channel shows at first as cards: one
// for each topic the question asked about, else the best.
func Shown(a index.Answer) int {
	return min(max(a.Topics, 1), len(a.Answers))
}
