package index

// Stage 3 of the question path: words and variants. A question becomes
// the list of its words that may name a topic, each with the plan words
// it may stand for (itself, its plan spelling, its synonyms, words read
// alike, translations) and a weight: how specific its rarest plan word is,
// lowered for verbs, procedures, feelings and the asker. Words of the
// lexicon's classes (question words, the plan itself, small talk) are
// kept as terms for the intents, never as topics.

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Language codes of questions and replies.
const (
	Japanese = "ja"
	English  = "en"
)

// question is a question analysed for answering.
type question struct {
	raw       string
	norm      string // normalised (normalizeQuestion)
	lang      string // the reply's language: English for English and romaji questions
	romaji    bool   // typed in romaji; text holds its kana
	text      string // what the Japanese analysis read: norm, or the kana of a romaji question
	truncated bool   // longer than maxQuestionRunes: only the first part was read
	clauses   []int  // byte offsets in text (Japanese) or norm (English) where a clause starts
	// subordinate marks the clauses that end in a conjunction (卒業なんだ
	// けど, 税金はらってんだから): background to the question.
	subordinate map[int]bool
	terms       []term // every content word in order, topic or not
	words       []word // the words that may name a topic
}

// term is one content word of a question.
type term struct {
	base   string // dictionary form (Japanese) or lower-case word (English)
	clause int
	word   int // index in question.words, or -1 for a class word
}

// word is a word of a question that may name a topic.
type word struct {
	text       string
	clause     int
	start, end int // byte offsets in text (Japanese) or norm (English)
	variants   []variant
	// weight is the specificity of the word's rarest plan variant, in
	// (0, 1], times its class's factor; 0 when the plan knows none.
	weight float64
	// concrete marks a noun that names a thing; unknown to the plan, it
	// may be a topic the plan does not cover.
	concrete bool
	noun     bool
	detail   bool // asks a detail the plan never gives (開館時間, 何曜日)
	// modifier is the noun that restricts this one (井戸のポンプ: 井戸), or
	// -1; the evidence of a word is weak where its modifier is not found.
	modifier int
	// restricts marks a plan word that restricts a noun the plan lacks in a
	// compound (予防接種: 予防): the question is about the other.
	restricts bool
	topic     bool // marked as the question's topic (住民票って…)
	// thing marks a noun that names a thing by its part of speech, written
	// in any script (ふるさと of ふるさと納税): it may restrict the next.
	thing bool
	// described marks a noun the question describes rather than names:
	// 水をくみ出すトラック (a matched verb before it), 地図みたいなの.
	described bool
}

type variant struct {
	base    string  // morphological term
	folded  string  // folded surface, for substring and bigram matching
	boost   float64 // 1 for the word as asked, less for synonyms and translations
	spec    float64 // how specific the plan word is (weightOf)
	curated bool    // from data/synonyms.tsv: the word means it whatever its kind
}

// known reports whether w has a plan variant.
func (w *word) known() bool { return len(w.variants) > 0 && w.weight > 0 }

// planWord reports whether the word names a topic of the plan, not just
// some weak variant of one.
func (w *word) planWord() bool { return w.known() && w.weight > deptOtherEvidence }

// Class factors: how much less than a noun a word of the kind tells of the
// topic when the plan names it, or through its synonyms.
const (
	verbalFactor    = 0.5 // a verb or adjective: 直す, 古い
	procedureFactor = 0.4 // what one does with a topic: 予約, 申請
	moodFactor      = 0.3 // what one feels: 心配
	askerFactor     = 0.3 // the asker, when the plan names them: 家族
	frameFactor     = 0.5 // the form of what is asked for: 仕組み, 制度
)

// Variant boosts: how much a synonym tells, against the word itself.
const (
	curatedBoost = 0.9 // data/synonyms.tsv: a municipal concept group
	synonymBoost = 0.8 // Sudachi's synonym dictionary
	relatedBoost = 0.7 // data/synonyms.tsv's ~word: a broader word that suggests the group (本: 絵本)
)

// maxQuestionRunes bounds the text analysed: a longer message is answered
// from its beginning, and the reply says so.
const maxQuestionRunes = 500

// maxWords bounds the topic words kept of one question.
const maxWords = 64

// parse analyses a question.
func (ix *Index) parse(raw string) *question {
	cut := false
	if rs := []rune(raw); len(rs) > 2*maxQuestionRunes {
		raw, cut = string(rs[:2*maxQuestionRunes]), true // enough to normalise, which only shortens
	}
	q := &question{raw: raw, norm: ix.lex.normalizeQuestion(raw), truncated: cut}
	if utf8.RuneCountInString(q.norm) > maxQuestionRunes {
		q.norm = string([]rune(q.norm)[:maxQuestionRunes])
		q.truncated = true
	}
	q.lang = detectLang(q.norm)
	if q.lang == English {
		toks := englishTokens(q.norm)
		q.text, q.romaji = ix.romajiText(toks)
		if !q.romaji {
			q.text = q.norm
		}
		ix.parseLatin(q, toks)
	} else {
		q.text = q.norm
		ix.parseJapanese(q)
	}
	ix.askedPlaceOrDate(q)
	return q
}

// askedPlaceOrDate adds a detail to a question for the nearest place of
// something (近くのコンビニはどこ, nearest post office) or for the date of
// an occasion (次の本会議いつ？, when is the next class?): the plan names
// no places and no dates.
func (ix *Index) askedPlaceOrDate(q *question) {
	for _, pair := range [][2]string{{classNear, classWhere}, {classOccasion, classWhen}} {
		at, asked := -1, false
		for _, t := range q.terms {
			if ix.lex.is(pair[0], t.base) {
				at = t.clause
			}
			asked = asked || ix.lex.is(pair[1], t.base)
		}
		if at >= 0 && asked {
			q.words = append(q.words, word{text: pair[0], clause: at, noun: true, concrete: true, detail: true, modifier: -1})
		}
	}
}

// detectLang calls a question English when its words are Latin, but for
// a Japanese word or two among three times as many.
func detectLang(s string) string {
	latin, japanese := 0, 0
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch {
		case strings.ContainsFunc(w, isJapanese):
			japanese++
		case strings.ContainsFunc(w, unicode.IsLetter):
			latin++
		}
	}
	// An English sentence may quote a Japanese word (join 行政区); a
	// Japanese one, an English word (AEDの使い方).
	if latin > 0 && latin >= 3*japanese {
		return English
	}
	return Japanese
}

// clauseBreaks are the characters that end a clause.
const clauseBreaks = "。.!?！？\n、,;；…"

// splitClauses records where the clauses of s start.
func splitClauses(s string) []int {
	starts := []int{0}
	for i, r := range s {
		if strings.ContainsRune(clauseBreaks, r) {
			starts = append(starts, i+utf8.RuneLen(r))
		}
	}
	return starts
}

// clauseAt returns the clause of the byte offset at.
func (q *question) clauseAt(at int) int {
	c, _ := slices.BinarySearch(q.clauses, at+1)
	return max(0, c-1)
}

// parseJapanese analyses q.text: kagome's words, the kana words found by
// their readings where kagome's are not the plan's, compounds, and the
// relations between nouns.
func (ix *Index) parseJapanese(q *question) {
	usable := func(w string) bool { return ix.knownAsIs(w) || ix.asking(w) }
	text, toks := kagome().topicTe(q.text, kagome().analyze(q.text), usable) // kagome is the costliest step: once, but for a repair
	conj := conjunctionBreaks(toks)
	q.clauses = mergeBreaks(splitClauses(text), conj)
	q.subordinate = map[int]bool{}
	for _, at := range conj {
		if c := q.clauseAt(at); c > 0 && at < len(text) {
			q.subordinate[c-1] = true
		}
	}
	defer q.keepSubordinate()
	ms, _ := contentWords(toks)
	ms = ix.readTypos(text, toks, ix.splitCompounds(ix.mergeSuffixes(text, ix.readKana(text, toks, ms))))
	used := make([]bool, len(ms))
	// Compounds first: two or three adjacent words that form a known
	// synonym (学童保育) count as one, as do two joined by の that form one
	// without it when one alone would be a question word (窓口の対応 is
	// 窓口対応; ごみの分別 stays two topics), and two joined by で or から
	// that form a curated synonym without it (スマホから申請, ネットで申請).
	for n := 3; n >= 2; n-- {
		for i := 0; i+n <= len(ms); i++ {
			if anyUsed(used[i : i+n]) {
				continue
			}
			forms := []string{text[ms[i].start:ms[i+n-1].end]}
			last := ms[i+n-1]
			head := text[ms[i].start:ms[i+n-2].end]
			joined := head + last.surface
			switch gap := text[ms[i+n-2].end:last.start]; {
			case n == 2 && gap == "の" && (ix.asking(ms[i].base) || ix.asking(last.base)):
				forms = append(forms, joined)
				if bases := ms[i].base + last.base; bases != joined && !strings.Contains(bases, "|") {
					forms = append(forms, bases) // マドグチの対応: 窓口対応
				}
			case gap == "で" || gap == "から":
				for _, f := range []string{joined, head + last.base} { // スマ|ホから申請, スマホからしんせい: スマホ申請
					if isCompact(head) && ix.lex.synonyms.Has(f) && !slices.Contains(forms, f) {
						forms = append(forms, f)
					}
				}
			}
			for _, surface := range forms {
				if ix.asking(surface) || ix.lex.is(classDetail, surface) {
					ix.addMorpheme(q, morpheme{base: surface, surface: surface, start: ms[i].start, end: ms[i+n-1].end, noun: true})
					for j := i; j < i+n; j++ {
						used[j] = true
					}
					break
				}
				if !(ix.lex.synonyms.Has(surface) || verbCompound(ms[i:i+n]) && ix.dfMorph[surface] > 0) || !isCompact(surface) || !ix.knownAsIs(surface) {
					continue // a compound the plan lacks (介護保険) is read as its words; 読み|聞かせ is the plan's word
				}
				if g := ix.wordGroup(surface, surface); len(g.variants) > 0 {
					g.start, g.end, g.noun, g.concrete = ms[i].start, ms[i+n-1].end, true, true
					ix.addWord(q, g, 1)
					for j := i; j < i+n; j++ {
						used[j] = true
					}
					break
				}
			}
		}
	}
	// use marks kagome's words within a word found in the text as read;
	// taken reports whether a word found already covers part of a span.
	use := func(start, end int) {
		for j, m := range ms {
			if m.start < end && start < m.end {
				used[j] = true
			}
		}
	}
	taken := func(start, end int) bool {
		return slices.ContainsFunc(q.words, func(w word) bool { return w.start < end && start < w.end })
	}
	// Details asked (何時まで, 何曜日) are found in the text: kagome splits
	// them into a question word and a suffix.
	for _, d := range ix.lex.details {
		for at := 0; ; {
			i := strings.Index(text[at:], d)
			if i < 0 {
				break
			}
			start, end := at+i, at+i+len(d)
			ix.addWord(q, word{text: d, start: start, end: end, noun: true, concrete: true, detail: true}, 1)
			use(start, end)
			at = end
		}
	}
	// 何 and a counter ask a number the plan never gives: 何冊, 何人, 何回;
	// but 何件 asks how many actions, and 何年も says "for years".
	for i := 0; i+1 < len(toks); i++ {
		t, c := toks[i], toks[i+1]
		if p := c.POS(); t.Surface != "何" || len(p) < 3 || p[1] != "接尾" || p[2] != "助数詞" || c.Position != t.Position+len(t.Surface) || c.Surface == "件" {
			continue
		}
		start, end := t.Position, c.Position+len(c.Surface)
		if strings.HasPrefix(text[end:], "も") {
			continue
		}
		if !taken(start, end) {
			ix.addWord(q, word{text: text[start:end], start: start, end: end, noun: true, concrete: true, detail: true}, 1)
		}
	}
	// Curated words with a numeral (一本化, 一か所) likewise: kagome drops
	// the numeral from the content words.
	for _, n := range ix.lex.numbered {
		at := strings.Index(text, n)
		if at < 0 || taken(at, at+len(n)) {
			continue
		}
		if g := ix.wordGroup(n, n); len(g.variants) > 0 {
			g.start, g.end, g.noun, g.concrete = at, at+len(n), true, true
			ix.addWord(q, g, 1)
			use(g.start, g.end)
		}
	}
	for i, m := range ms {
		if used[i] {
			continue
		}
		ix.addMorpheme(q, m)
	}
	slices.SortStableFunc(q.words, func(a, b word) int { return a.start - b.start })
	gap := func(a, b *word) (string, bool) {
		if a.end > b.start {
			return "", false
		}
		return text[a.end:b.start], true
	}
	ix.findModifiers(q, func(a, b *word) bool {
		g, ok := gap(a, b)
		return ok && (g == "" || g == "の")
	}, func(a, b *word) bool {
		g, ok := gap(a, b)
		return ok && g == ""
	})
	for i := range q.words {
		w := &q.words[i]
		after := text[w.end:]
		w.topic = strings.HasPrefix(after, "って") || strings.HasPrefix(after, "とは")
		w.described = strings.HasPrefix(after, "みたい") || strings.HasPrefix(after, "のよう") || strings.HasPrefix(after, "っぽい") ||
			i > 0 && q.words[i-1].known() && q.words[i-1].end == w.start && !q.words[i-1].noun
	}
}

// keepSubordinate keeps the subordinate clauses background only when a
// main clause names a plan word: otherwise they are where the question is
// (市のお財布の中身が知りたいんだけど、わかるように見せてくれてんのかな).
func (q *question) keepSubordinate() {
	for _, w := range q.words {
		if w.known() && !q.subordinate[w.clause] {
			return
		}
	}
	clear(q.subordinate)
}

// mergeSuffixes joins a kanji noun suffix to the noun before it: 初任者,
// 受講料 and 税務課 are words, their 者, 料 and 課 are not. A question word
// keeps its suffix apart (問合せ|先), as a suffix that asks does (研修|系).
func (ix *Index) mergeSuffixes(text string, ms []morpheme) []morpheme {
	out := ms[:0:0]
	for _, m := range ms {
		if n := len(out); n > 0 && m.suffix && out[n-1].noun && out[n-1].end == m.start && strings.ContainsFunc(m.surface, isHan) &&
			!ix.asking(out[n-1].base) && !ix.asking(m.base) && !aspectSuffixes[m.surface] {
			prev := &out[n-1]
			prev.surface = text[prev.start:m.end]
			prev.base, prev.end, prev.reading, prev.known = prev.surface, m.end, prev.reading+m.reading, false
			continue
		}
		out = append(out, m)
	}
	return out
}

// splitCompounds splits a kanji word the plan and the synonyms lack in
// two plan words when it is made of them (介護保険: 介護, 保険), as kagome
// keeps some compounds whole that the plan's text splits.
func (ix *Index) splitCompounds(ms []morpheme) []morpheme {
	var out []morpheme
	for _, m := range ms {
		rs := []rune(m.surface)
		if len(rs) < 4 || m.surface != m.base || strings.ContainsFunc(m.surface, func(r rune) bool { return !isHan(r) }) ||
			ix.knownAsIs(m.base) {
			out = append(out, m)
			continue
		}
		split := false
		for i := 2; i+2 <= len(rs) && !split; i++ {
			left, right := string(rs[:i]), string(rs[i:])
			if ix.dfMorph[left] > 0 && ix.dfMorph[right] > 0 {
				a, b := m, m
				a.base, a.surface, a.end = left, left, m.start+len(left)
				b.base, b.surface, b.start = right, right, a.end
				out = append(out, a, b)
				split = true
			}
		}
		if !split {
			out = append(out, m)
		}
	}
	return out
}

// knownAsIs reports whether the plan uses a word or one of its synonyms.
func (ix *Index) knownAsIs(w string) bool {
	if _, ok := ix.known(w, fold(w)); ok {
		return true
	}
	return slices.ContainsFunc(ix.lex.synonyms.Get(w), func(s string) bool { _, ok := ix.known(s, fold(s)); return ok })
}

// aspectSuffixes change how a noun is meant, not what it names: 定員増 is
// about 定員, デジタル化 about デジタル (受講料 is a fee, not 受講; 市民向け
// names whom for).
var aspectSuffixes = map[string]bool{"増": true, "減": true, "化": true, "的": true, "等": true}

// mergeBreaks merges two sorted lists of clause starts.
func mergeBreaks(a, b []int) []int {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// addMorpheme classifies a content word and adds it as a term, and as a
// topic word unless it only asks.
func (ix *Index) addMorpheme(q *question, m morpheme) {
	if len(q.words) >= maxWords {
		return
	}
	l := ix.lex
	base, surface := m.base, m.surface
	if m.suffix && !strings.ContainsFunc(surface, isHan) {
		return // さん, たち: part of the word before
	}
	if (ix.asking(base) || ix.asking(surface)) && !(loneLatin(q.text, m) && l.is(classEnStop, base) && !ix.title[base]) {
		q.terms = append(q.terms, term{base: base, clause: q.clauseAt(m.start), word: -1})
		return
	}
	if l.isAny(base, classDetail) || l.isAny(surface, classDetail) {
		// 何時, 曜日: a detail the plan never gives
		ix.addWord(q, word{text: surface, start: m.start, end: m.end, noun: true, concrete: true, detail: true}, 1)
		return
	}
	g := ix.wordGroup(base, surface)
	g.start, g.end, g.noun = m.start, m.end, m.noun
	inPlan := ix.dfMorph[ix.planSpelling(base, surface)] > 0
	factor := 1.0
	switch {
	case l.isAny(base, classAsker) || l.isAny(surface, classAsker):
		if !inPlan {
			q.terms = append(q.terms, term{base: base, clause: q.clauseAt(m.start), word: -1})
			return
		}
		factor = askerFactor
	case l.isAny(base, classMood) || l.isAny(surface, classMood):
		if !inPlan {
			// its synonyms (心配: 不安) are no topic either
			g.variants = slices.DeleteFunc(g.variants, func(v variant) bool { return v.boost < 1 })
			g.setWeight()
		}
		factor = moodFactor
	case l.isAny(base, classProcedure) && !inPlan:
		factor = procedureFactor
	case l.isAny(base, classFrame):
		factor = frameFactor
	case m.verbal:
		factor = verbalFactor
	}
	// A noun names a thing when written in kanji or katakana; residents
	// write in hiragana grammar, adverbs and the words kagome guesses at.
	n := utf8.RuneCountInString(surface)
	g.thing = m.concrete && !m.suffix && !l.isAny(base, classAsker, classMood, classProcedure, classFrame)
	g.concrete = g.thing && (strings.ContainsFunc(surface, isHan) || isAllKatakana(surface) && (n >= 3 || n == 2 && m.known))
	ix.addWord(q, g, factor)
}

// loneLatin reports a word in Latin letters standing alone among Japanese
// (新しいITの技術): a name or an acronym, not an English function word.
func loneLatin(text string, m morpheme) bool {
	if strings.ContainsFunc(m.surface, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		return false
	}
	before := strings.TrimRight(text[:m.start], " ")
	after := strings.TrimLeft(text[m.end:], " ")
	latin := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' }
	r1, _ := utf8.DecodeLastRuneInString(before)
	r2, _ := utf8.DecodeRuneInString(after)
	return !latin(r1) && !latin(r2)
}

// addWord appends a topic word and its term.
func (ix *Index) addWord(q *question, w word, factor float64) {
	if factor != 1 {
		w.scale(factor)
	}
	w.clause = q.clauseAt(w.start)
	w.modifier = -1
	q.terms = append(q.terms, term{base: w.text, clause: w.clause, word: len(q.words)})
	q.words = append(q.words, w)
}

// asking reports whether a word asks rather than names a topic: a
// question word, a word of small talk, the plan itself (its class words
// and the words of its title: 行財政改革), a contact word.
func (ix *Index) asking(w string) bool {
	return ix.title[w] || ix.lex.isAny(w, classAsk, classMeta, classContact, classDeptWhat, classGreeting, classThanks, classHelp, classEnStop, classCategory,
		classNear, classWhere)
}

// findModifiers links each noun to the noun that directly modifies it:
// 公園の遊具, 井戸のポンプ, sightseeing map. The evidence of a word is weak
// in an action without its modifier: the plan's 遊具 are the schools'. A
// plan word restricting a noun the plan lacks in a compound is weak
// everywhere (予防接種: about the injection, not prevention; but トンネル
// の壁 is still about the tunnel). modifies reports whether a directly
// modifies b, compound whether they form one word.
func (ix *Index) findModifiers(q *question, modifies, compound func(a, b *word) bool) {
	for i := 1; i < len(q.words); i++ {
		a, b := &q.words[i-1], &q.words[i]
		switch {
		case b.known() && b.noun && a.noun && (a.concrete || a.thing || a.known()) && !a.detail && modifies(a, b):
			b.modifier = i - 1
		case a.known() && a.noun && b.concrete && !b.known() && !b.detail && compound(a, b):
			a.restricts = true
		}
	}
}

// readKana reads the kana runs of text by the readings of known words
// where kagome's words there are not the plan's (つなみ, がくどう,
// ひなんのれんしゅう), and returns ms with the words found in place of
// kagome's. A word read so must stand between word boundaries (the run's
// ends, particles, other such words) where kagome read no verb, adjective
// or adverb: している holds no 指定, もっと no もと. A katakana run is read
// so only when readings explain it wholly: テレワーク is a word the plan
// lacks, not グループワーク's ワーク.
func (ix *Index) readKana(text string, toks []tokenizer.Token, ms []morpheme) []morpheme {
	var out []morpheme
	next := 0 // ms[next:] are not yet copied to out
	for _, run := range runs(text, isKana, 2) {
		for _, m := range ms {
			if m.start < run[0] && m.end > run[0] {
				run[0] = m.end // a word of kagome's reaches into the run (行く|がくどう)
			}
		}
		if run[1]-run[0] < 2*3 {
			continue // fewer than two kana left
		}
		planWords, others := 0, 0
		for _, m := range ms {
			if m.start >= run[0] && m.end <= run[1] {
				switch {
				case ix.asking(m.base):
				case ix.dfMorph[ix.planSpelling(m.base, m.surface)] > 0:
					planWords++
				default:
					others++
				}
			}
		}
		s := text[run[0]:run[1]]
		if planWords > 0 && others == 0 {
			continue // kagome's words there are the plan's
		}
		found, unknown := ix.parseKana(s, false)
		found = slices.DeleteFunc(found, func(k kanaWord) bool { return mixedScript(s[k.start:k.end]) && !ix.knownAsIs(s[k.start:k.end]) })
		rt := tokensIn(toks, run[0], run[1])
		if isAllKatakana(s) && unknown > 0 || unknown > 0 && ix.isGrammar(rt) {
			continue // a loanword the plan lacks (テレワーク), or grammar (している)
		}
		keep := ix.standalone(s, found, rt)
		if len(keep) == 0 {
			continue
		}
		// Copy kagome's words before the run, then the kana words in place
		// of those they overlap.
		for ; next < len(ms) && ms[next].end <= run[0]; next++ {
			out = append(out, ms[next])
		}
		var kms []morpheme
		for _, k := range keep {
			verbal := !slices.ContainsFunc(k.words, func(w string) bool { return !ix.verbal[w] })
			kms = append(kms, morpheme{base: strings.Join(k.words, "|"), surface: s[k.start:k.end],
				start: run[0] + k.start, end: run[0] + k.end, noun: !verbal, verbal: verbal, known: true})
		}
		for ; next < len(ms) && ms[next].start < run[1]; next++ {
			m := ms[next]
			if !slices.ContainsFunc(kms, func(k morpheme) bool { return m.start < k.end && k.start < m.end }) {
				kms = append(kms, m)
			}
		}
		slices.SortStableFunc(kms, func(a, b morpheme) int { return a.start - b.start })
		out = append(out, kms...)
	}
	return append(out, ms[next:]...)
}

// standalone returns the kana words found in run s that stand between
// word boundaries — the run's ends, particles, or other words that stand —
// where kagome, whose tokens of s are toks, reads no verb, adjective,
// adverb or grammar alone.
func (ix *Index) standalone(s string, found []kanaWord, toks []tokenizer.Token) []kanaWord {
	keep := slices.DeleteFunc(slices.Clone(found), func(k kanaWord) bool { return ix.kagomeReadsOther(toks, k) })
	// A question word bounds the word before it unless kagome reads it as
	// grammar: していますか is no してい|ますか.
	bounds := func(k kanaWord) bool {
		if !ix.asking(k.words[0]) {
			return true
		}
		for _, t := range toks {
			if t.Position == k.start {
				pos := t.POS()
				return len(pos) > 0 && pos[0] != "助動詞" && pos[0] != "助詞" && !(len(pos) > 1 && pos[1] == "非自立")
			}
		}
		return true
	}
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(keep); i++ {
			k := keep[i]
			left := k.start == 0 || particleBefore(s[:k.start])
			right := k.end == len(s) || boundaryAfter(s[k.end:])
			afterWord := i > 0 && keep[i-1].end == k.start
			beforeWord := i+1 < len(keep) && keep[i+1].start == k.end && bounds(keep[i+1])
			short := utf8.RuneCountInString(looseFold(s[k.start:k.end])) < 3
			if ix.asking(k.words[0]) {
				continue // a question word (くる, どこ) stands, and bounds the words beside it
			}
			if !(left || afterWord) || !(right || beforeWord) || short && !(left && right) {
				keep = slices.Delete(keep, i, i+1) // two kana stand alone or not at all (はしのてんけん: はし)
				changed = true
				i--
			}
		}
	}
	return keep
}

// kagomeReadsOther reports whether kagome read the span of k otherwise:
// as one known word that is no noun (もっと, きる), or as grammar only (ない)
// when it is shorter than three kana (こそだて is no こそ|だて).
func (ix *Index) kagomeReadsOther(toks []tokenizer.Token, k kanaWord) bool {
	grammar := true
	for _, t := range toks {
		start, end := t.Position, t.Position+len(t.Surface)
		if end <= k.start || start >= k.end {
			continue
		}
		pos := t.POS()
		if len(pos) == 0 || t.Class != tokenizer.KNOWN {
			return false
		}
		if start == k.start && end == k.end && pos[0] != "名詞" {
			return true
		}
		if pos[0] != "助詞" && pos[0] != "助動詞" {
			grammar = false
		}
	}
	return grammar && k.end-k.start < 3*3
}

// tokensIn returns the tokens within bytes [start, end) of the text,
// with positions from start: how kagome read that part in its context.
func tokensIn(toks []tokenizer.Token, start, end int) []tokenizer.Token {
	var out []tokenizer.Token
	for _, t := range toks {
		if t.Position >= start && t.Position+len(t.Surface) <= end {
			t.Position -= start
			out = append(out, t)
		}
	}
	return out
}

// particleBefore reports whether kana text ends in a particle, or in the
// ending of a verb or adjective that modifies the next word (くる|けんしん).
func particleBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("のをにがはでともへやるただい", r)
}

// boundaryAfter reports whether kana text starts with a particle, a
// copula or a form of する (がくどうが, てんけんして, つなみだ).
func boundaryAfter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("のをにがはでともへやしすさだっかねよじなけ", r)
}

// runs returns the byte ranges of the runs of at least n characters of a
// kind (isKana, isKatakana) in s; long-vowel marks belong to any run.
func runs(s string, kind func(rune) bool, n int) [][2]int {
	var out [][2]int
	start, count := -1, 0
	for i, r := range s + "." {
		if kind(r) || r == 'ー' {
			if start < 0 {
				start, count = i, 0
			}
			count++
			continue
		}
		if start >= 0 && count >= n {
			out = append(out, [2]int{start, i})
		}
		start = -1
	}
	return out
}

// mixedScript reports whether kana s changes between katakana and
// hiragana: a word is written in one of them (スマホから holds no ほか)
// unless it is known as written so (パソコンから).
func mixedScript(s string) bool {
	kinds := 0
	for _, c := range s {
		switch {
		case c == 'ー':
		case isKatakana(c):
			kinds |= 1
		default:
			kinds |= 2
		}
	}
	return kinds == 3
}

func anyUsed(bs []bool) bool { return slices.Contains(bs, true) }

// isCompact reports whether s has no spaces or punctuation inside.
func isCompact(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || unicode.IsDigit(r)) })
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isAllHiragana(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.Is(unicode.Hiragana, r) && r != 'ー' })
}

func isAllKatakana(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return !isKatakana(r) && r != 'ー' })
}

// wordGroup makes the topic word of a Japanese word: the word itself and
// those of its synonyms that the plan uses. A base joined by | lists the
// words read alike (ほけん: 保健|保険), any of which may be meant. A word
// the plan lacks that ends in a plan word is a kind of it (小学校: 学校).
func (ix *Index) wordGroup(base, surface string) word {
	g := word{text: surface}
	add := func(b, s string, boost float64, curated bool) {
		f := fold(s)
		for _, v := range g.variants {
			if v.base == b || v.folded == f {
				return
			}
		}
		df, ok := ix.known(b, f)
		if !ok {
			return // a word the plan never uses adds nothing
		}
		if ix.dfMorph[b] == 0 && !curated && isAllHiragana(s) {
			return // hiragana the plan has only inside other words: たって is no part of わたって
		}
		g.variants = append(g.variants, variant{base: b, folded: f, boost: boost, spec: ix.weightOf(b, df), curated: curated})
	}
	alike := strings.Split(base, "|")
	for i, b := range alike {
		boost := 1.0
		if i > 0 || len(alike) > 1 {
			boost = 0.9 // read alike: one of them is meant
		}
		s := surface
		if len(alike) > 1 || isAllKana(fold(surface)) && fold(b) != fold(surface) {
			s = b // the kana stand for the word read so (そうむか: 総務課)
		}
		add(ix.planSpelling(b, s), s, boost, false)
		for _, k := range dedupe([]string{b, s}) {
			for _, syn := range ix.lex.curated.Get(k) {
				add(syn, syn, curatedBoost*boost, true)
			}
			for _, syn := range ix.lex.related.Get(k) {
				add(syn, syn, relatedBoost*boost, true)
			}
			for _, syn := range ix.lex.synonyms.Get(k) {
				add(syn, syn, synonymBoost*boost, false)
			}
		}
	}
	if len(g.variants) == 0 && utf8.RuneCountInString(surface) >= 3 && strings.ContainsFunc(surface, isHan) {
		rs := []rune(surface)
		for i := 1; i+2 <= len(rs); i++ {
			if h := string(rs[i:]); ix.dfMorph[h] > 0 {
				add(h, h, 0.7, false)
				break
			}
		}
	}
	g.setWeight()
	return g
}

// setWeight sets the word's weight to the best its variants can give.
func (w *word) setWeight() {
	w.weight = 0
	for _, v := range w.variants {
		w.weight = max(w.weight, v.spec*v.boost)
	}
}

// scale lowers what a word of a weaker kind (a verb, a procedure, a
// feeling) tells through its own form and its dictionary synonyms; a
// curated synonym says what it means whatever its kind (働く: 採用).
func (w *word) scale(factor float64) {
	for i := range w.variants {
		if !w.variants[i].curated {
			w.variants[i].boost *= factor
		}
	}
	w.setWeight()
}

// planSpelling returns the plan's base form for a word the question writes
// in the other kana (the plan's ごみ for ゴミ): kagome gives each script its
// own base form, and the question's would match no term of the index.
func (ix *Index) planSpelling(base, surface string) string {
	f := fold(surface)
	if ix.dfMorph[base] > 0 || !isAllKana(f) {
		return base
	}
	for _, w := range ix.readings[looseFold(f)] {
		if fold(w) == f && ix.dfMorph[w] > 0 {
			return w
		}
	}
	return base
}
