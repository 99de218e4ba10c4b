package index

// Stage 5 of the question path: the decision. Small talk, a department
// or the plan's desk asked for by name are recognised first. Otherwise
// each candidate action gets the evidence of the question's words found
// in it: the sum of their weights. Words the plan does not use (the
// asker's family, feelings, dialect, politeness) neither help nor hurt;
// a concrete noun the plan lacks lowers confidence, and one that restricts
// a matched word (公園の遊具, where the plan's 遊具 are the schools')
// leaves that word little weight. Enough evidence with enough confidence
// answers; weaker evidence offers the likeliest actions as suggestions.
// docs/answering.md shows how the thresholds were calibrated.

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Thresholds are the decision's parameters. docs/answering.md shows how
// answers change as they move.
type Thresholds struct {
	// Answer is the evidence an answer needs: about one word as specific
	// as a plan word of one or two actions.
	Answer float64
	// Margin is what the evidence must exceed once Unknown is taken off
	// for each concrete noun the plan lacks in the clauses it comes from.
	Margin  float64
	Unknown float64
	// Suggest is the evidence a suggestion needs.
	Suggest float64
	// Governed is what is left of a word restricted by a concrete noun
	// the plan lacks (井戸のポンプ).
	Governed float64
}

// DefaultThresholds are calibrated on the public question sets and the
// project's own probe sets (index/testdata).
var DefaultThresholds = Thresholds{Answer: 0.9, Margin: 0.55, Unknown: 0.5, Suggest: 0.35, Governed: 0.3}

const (
	// deptOtherEvidence is the most evidence the rest of a department
	// question may carry and still ask only what the department does.
	deptOtherEvidence = 0.3
	maxMatches        = 5
	maxCategory       = 10 // answers to a question for every action about a topic
	maxSuggestions    = 3
	relatedShare      = 0.6 // further matches need this share of the best evidence
)

type hit struct {
	item     int
	bleve    float64
	evidence float64
	matched  []int // the question's words found in the action
}

// decide fills in the intent and answers of a.
func (ix *Index) decide(q *question, a *Answer, t Thresholds) error {
	if in, ok := ix.smallTalk(q); ok {
		a.Intent = in
		a.Related = ix.examples(q.lang)
		return nil
	}
	if d, ok := ix.departmentAsked(q); ok {
		a.Intent, a.Department = IntentDepartment, d
		for _, it := range ix.plan.ItemsOf(d) {
			a.Answers = append(a.Answers, ix.match(it, 1))
		}
		return nil
	}
	if ix.contactAsked(q) {
		a.Intent = IntentContact
		if m, ok := ix.Desk(); ok {
			a.Answers = append(a.Answers, m)
		}
		return nil
	}
	hits, err := ix.candidates(q)
	if err != nil || len(hits) == 0 {
		a.Intent = IntentNotCovered
		a.Related = ix.examples(q.lang)
		return err
	}
	for i := range hits {
		hits[i].evidence, hits[i].matched = ix.evidence(q, hits[i].item, nil, t)
	}
	sortHits(hits)
	best := hits[0]
	switch {
	case ix.asksCategory(q) && best.evidence >= t.Suggest:
		// 研修関係ぜんぶ: every action about the topic, however many share it
		a.Intent = IntentWho
		for _, h := range hits {
			if len(a.Answers) >= maxCategory || h.evidence < relatedShare*best.evidence {
				break
			}
			a.Answers = append(a.Answers, ix.match(ix.plan.Items[h.item], h.evidence))
		}
		a.Related = ix.related(a.Answers)
	case ix.confident(q, best, t):
		a.Intent = IntentWho
		a.Answers = append(a.Answers, ix.match(ix.plan.Items[best.item], best.evidence))
		if second, ok := ix.secondTopic(q, hits, t); ok {
			a.Topics = 2
			a.Answers = append(a.Answers, ix.match(ix.plan.Items[second.item], second.evidence))
		}
		for _, h := range hits[1:] {
			if len(a.Answers) >= maxMatches || h.evidence < relatedShare*best.evidence || h.evidence < t.Suggest {
				break
			}
			if !slices.ContainsFunc(a.Answers, func(m Match) bool { return m.ID == ix.plan.Items[h.item].ID }) {
				a.Answers = append(a.Answers, ix.match(ix.plan.Items[h.item], h.evidence))
			}
		}
		a.Related = ix.related(a.Answers)
	case best.evidence >= t.Suggest:
		a.Intent = IntentSuggest
		for _, h := range hits {
			if len(a.Suggestions) >= maxSuggestions || h.evidence < relatedShare*best.evidence {
				break
			}
			a.Suggestions = append(a.Suggestions, ix.match(ix.plan.Items[h.item], h.evidence))
		}
	default:
		a.Intent = IntentNotCovered
		a.Related = ix.examples(q.lang)
	}
	return nil
}

// asksCategory reports a question for every action about a topic: it
// has a category word (関係, 系, ぜんぶ, all) and no concrete noun the plan
// lacks.
func (ix *Index) asksCategory(q *question) bool {
	if !slices.ContainsFunc(q.terms, func(t term) bool { return ix.lex.is(classCategory, t.base) }) {
		return false
	}
	return !slices.ContainsFunc(q.words, func(w word) bool { return w.concrete && !w.known() })
}

// sortHits orders hits by evidence, then by bleve's score, then in plan
// order: the same answer every time.
func sortHits(hits []hit) {
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.evidence, a.evidence), cmp.Compare(b.bleve, a.bleve), cmp.Compare(a.item, b.item))
	})
}

// subordinateFactor is what the words of a clause of reason or concession
// (東京で働いてるけど) tell beside the question itself.
const subordinateFactor = 0.6

// evidence is how much of the question action i holds: the weights of the
// words found in it, each by its best variant there. A word is weak where
// its modifier is not found, or where it restricts a noun the plan lacks;
// words of subordinate clauses tell less. skip excludes words.
func (ix *Index) evidence(q *question, i int, skip func(w int) bool, t Thresholds) (float64, []int) {
	d := &ix.docs[i]
	found := make([]float64, len(q.words))
	by := make([]string, len(q.words)) // the plan word each is found by
	for wi, w := range q.words {
		for _, v := range w.variants {
			c := d.contains(v)
			if e := v.spec * v.boost * c * lengthFactor(v); e > found[wi] {
				found[wi], by[wi] = e, v.folded
				if c < 1 {
					by[wi] = "\x00" + d.deptFolded // a department's name is one piece of evidence (年金, 保険: 保険年金課)
				}
			}
		}
		if q.subordinate[w.clause] {
			found[wi] *= subordinateFactor
		}
	}
	present := slices.Clone(found) // for the modifiers: 通学路の交通安全 holds both
	for wi, w := range q.words {
		if w.restricts || w.modifier >= 0 && present[w.modifier] == 0 {
			found[wi] *= t.Governed
		}
	}
	// Two words found by one plan word (floods, heavy rain: 洪水) are
	// one piece of evidence: the strongest counts.
	for wi := range q.words {
		for wj := range wi {
			if by[wj] == by[wi] && found[wj] > 0 {
				if found[wi] > found[wj] {
					found[wj] = 0
				} else {
					found[wi] = 0
				}
			}
		}
	}
	var sum float64
	var matched []int // every word found, those counted once among them too
	for wi := range q.words {
		if present[wi] == 0 || skip != nil && skip(wi) {
			continue
		}
		sum += found[wi]
		matched = append(matched, wi)
	}
	return sum, matched
}

// lengthFactor is what a variant of one character tells: half of what a
// word tells, as the plan's one-character words are mostly the ends of
// compounds (新地町's 町, 広報紙's 紙).
func lengthFactor(v variant) float64 {
	if utf8.RuneCountInString(v.folded) < 2 {
		return 0.5
	}
	return 1
}

// confident reports whether a hit's evidence answers the question: it
// is enough, and still enough once Unknown is taken off for each concrete
// noun the plan lacks in the clauses the evidence comes from, as each may
// be what the question is really about (住民票ってコンビニで取れる？). A clause with no noun of its own
// (直してもらえますか) is about the nouns of the clause before it; a topic
// marked as such (住民票って) weighs on every clause; a detail the plan never
// gives (開館時間) denies an answer.
func (ix *Index) confident(q *question, h hit, t Thresholds) bool {
	if h.evidence < t.Answer {
		return false
	}
	clauses := map[int]bool{}
	headed := map[int]bool{} // clauses asking about a headline (体操、何曜日？)
	about := map[int]bool{}  // clauses about the opening headline, whose unknown things count against it
	for _, wi := range h.matched {
		for c := q.words[wi].clause; c >= 0; c-- {
			clauses[c] = true
			if q.hasNoun(c) {
				break
			}
		}
		if c := q.words[wi].clause; q.headline(c) {
			headed[c+1] = true
			if c == 0 {
				// The main clauses after an opening headline that name no plan
				// word of their own ask about it (ハザードマップ、なくしたんだけど
				// 再発行って手数料かかる？); the background ones (なくしたんだけど,
				// 息子が春から一年生なんだけど) tell of the asker.
				for next := c + 1; next < len(q.clauses) && !q.namesPlanWord(next); next++ {
					about[next] = !q.subordinate[next]
				}
			}
		}
	}
	modifies := map[int]bool{} // counted already, in the evidence of the word they modify
	for _, wi := range h.matched {
		if m := q.words[wi].modifier; m >= 0 {
			modifies[m] = true
		}
	}
	unknown := 0
	for wi, w := range q.words {
		if !w.concrete || w.known() || w.described || modifies[wi] {
			continue
		}
		if w.detail && headed[w.clause] {
			return false
		}
		if clauses[w.clause] || w.topic || about[w.clause] {
			if w.detail {
				return false // 図書館の開館時間: the plan never says
			}
			unknown++
		}
	}
	return h.evidence-t.Unknown*float64(unknown) >= t.Margin
}

// namesPlanWord reports whether clause c has a word of the plan.
func (q *question) namesPlanWord(c int) bool {
	return slices.ContainsFunc(q.words, func(w word) bool { return w.clause == c && w.planWord() })
}

// headline reports whether clause c ends in a noun set before the question
// (骨太けんこう体操、何曜日にやってる？): a detail the next clause asks is
// the headline's.
func (q *question) headline(c int) bool {
	if c+1 >= len(q.clauses) {
		return false
	}
	last := -1
	for i, w := range q.words {
		if w.clause == c && (last < 0 || w.end > q.words[last].end) {
			last = i
		}
	}
	if last < 0 || !q.words[last].noun {
		return false
	}
	text := q.text
	if q.lang == English { // parsed from norm, romaji too
		text = q.norm
	}
	end, next := q.words[last].end, q.clauses[c+1]
	return end <= next && strings.Trim(text[end:next], " 、,，。") == ""
}

// hasNoun reports whether clause c names a thing: a noun the plan uses or
// a concrete one it lacks.
func (q *question) hasNoun(c int) bool {
	return slices.ContainsFunc(q.words, func(w word) bool { return w.clause == c && w.noun && (w.known() || w.concrete) })
}

// secondTopic finds a second topic: an action that the words the best one
// leaves unexplained answer on their own, from clauses where the best
// action found nothing (ごみ出しのことと、通学路の交通安全のこと).
func (ix *Index) secondTopic(q *question, hits []hit, t Thresholds) (hit, bool) {
	bestClauses := map[int]bool{}
	for _, wi := range hits[0].matched {
		bestClauses[q.words[wi].clause] = true
	}
	skip := func(wi int) bool { return bestClauses[q.words[wi].clause] }
	var best hit
	for _, h := range hits[1:] {
		e, m := ix.evidence(q, h.item, skip, t)
		if e > best.evidence {
			best = hit{item: h.item, bleve: h.bleve, evidence: e, matched: m}
		}
	}
	return best, ix.confident(q, best, t)
}

// smallTalk recognises greetings, thanks and requests for help: short
// messages made only of such words and question words.
func (ix *Index) smallTalk(q *question) (Intent, bool) {
	bare := strings.Trim(q.norm, " !?！？。.、")
	if bare == "" {
		return IntentHelp, true
	}
	for _, w := range q.words {
		if w.known() || w.concrete {
			return "", false
		}
	}
	if slices.ContainsFunc(q.terms, func(t term) bool { return ix.lex.is(classContactTrigger, t.base) }) {
		return "", false // how do I contact them: not how to use the bot
	}
	for _, in := range []struct {
		intent Intent
		class  string
	}{{IntentHelp, classHelp}, {IntentThanks, classThanks}, {IntentGreeting, classGreeting}} {
		if ix.lex.is(in.class, bare) {
			return in.intent, true
		}
		found, other := false, false
		for _, t := range q.terms {
			switch {
			case ix.lex.is(in.class, t.base):
				found = true
			case t.word >= 0 || !ix.lex.isAny(t.base, classEnStop, classAsk, classAsker) && !isShort(t.base):
				other = true
			}
		}
		if found && !other {
			return in.intent, true
		}
	}
	return "", false
}

func isShort(s string) bool { return len([]rune(s)) < 2 }

// departmentAsked finds a question about what a department does: it names
// a department — in kanji, by its reading in kana or romaji (ぜいむか,
// zaisei-ka), or by its English name — and asks nothing else of the plan.
func (ix *Index) departmentAsked(q *question) (string, bool) {
	m := ix.mentionedDept(q)
	if m.dept == "" {
		return "", false
	}
	if m.core && !slices.ContainsFunc(q.terms, func(t term) bool { return ix.lex.is(classDeptWhat, t.base) }) {
		return "", false // 土木 alone is a word, 土木は何するの a department
	}
	var other float64
	for _, w := range q.words {
		if m.holds(w) {
			continue
		}
		if w.known() {
			other += w.weight
		}
		if w.concrete && !w.known() {
			return "", false // 図書館の開館時間: about something else of the department
		}
	}
	return m.dept, other <= deptOtherEvidence
}

// contactAsked reports a question for the enquiry desk itself: it has a
// contact word, or asks where to take a question or an opinion about the
// plan itself (この計画について質問したい), and no topic of the plan.
func (ix *Index) contactAsked(q *question) bool {
	trigger, meta, desk := false, false, false
	for _, t := range q.terms {
		trigger = trigger || ix.lex.is(classContactTrigger, t.base)
		meta = meta || ix.lex.is(classMeta, t.base) || ix.title[t.base]
		desk = desk || ix.lex.is(classDesk, t.base)
	}
	opinion := func(w word) bool { return meta && ix.lex.is(classOpinion, w.text) }
	// この計画に意見を言いたい: to the plan's desk, wherever the opinion is said
	trigger = trigger || meta && desk || slices.ContainsFunc(q.words, opinion)
	for _, w := range q.words {
		if opinion(w) {
			continue
		}
		if w.planWord() {
			return false // a topic of the plan: ハザードマップの問い合わせ先
		}
		if w.concrete && !w.known() && !(meta && trigger) {
			return false // クマを見たらどこに連絡？ asks of something else; but this plan's page, its 外線番号 are the plan's
		}
	}
	return trigger
}

// related suggests the initiatives of the answers as follow-up topics.
func (ix *Index) related(ms []Match) []string {
	var out []string
	for _, m := range ms {
		if !slices.Contains(out, m.Initiative) {
			out = append(out, m.Initiative)
		}
	}
	return out
}

// examples are questions to show in help, greetings and not-covered
// replies, drawn from the plan so they follow reindexes.
func (ix *Index) examples(lang string) []string {
	var out []string
	seen := map[string]bool{}
	step := max(1, len(ix.plan.Items)/3)
	for i := 0; i < len(ix.plan.Items) && len(out) < 3; i += step {
		d := ix.plan.Items[i].Departments[0]
		if seen[d] {
			continue
		}
		seen[d] = true
		if lang == English {
			out = append(out, whatDoes(ix.lex.englishNameOnly(d)))
		} else {
			out = append(out, d+"は何をしていますか")
		}
	}
	return out
}

// whatDoes asks in English what a department does, its name plural or
// not: What does the Finance Division do? What do the District Community
// Centers do? What do All City Departments do?
func whatDoes(name string) string {
	verb, article := "does", "the "
	if strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") {
		verb = "do"
	}
	if strings.HasPrefix(name, "All ") || !strings.ContainsFunc(name, unicode.IsUpper) {
		article = "" // All City Departments; a name left in Japanese (全庁)
	}
	return fmt.Sprintf("What %s %s%s do?", verb, article, name)
}

func (l *Lexicon) englishNameOnly(d string) string {
	if en := l.English[d]; en != "" {
		return en
	}
	return d
}
