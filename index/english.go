package index

// English questions, and romaji inside them. An English word or phrase is
// translated through EDICT and the curated synonyms, keeping the Japanese
// words the current plan uses; a word EDICT cannot bring to the plan is
// tried through its WordNet synonyms and hypernyms (kids → child, swing →
// plaything), a typo through the word one edit away. A word that is not
// English but wholly romaji (gakudo, zaisei-ka) is read as kana.

import (
	"regexp"

	"slices"
	"strings"
	"unicode/utf8"
)

// enToken is a word of an English question with where it is.
type enToken struct {
	w          string // lower case, without 's
	start, end int    // byte offsets in the normalised question
	joined     bool   // joined to the token before by a hyphen (long-term, zaisei-ka)
}

var enWordRe = regexp.MustCompile(`[\p{L}\p{N}']+`)

// englishTokens splits normalised text into lower-case words.
func englishTokens(s string) []enToken {
	var out []enToken
	for _, loc := range enWordRe.FindAllStringIndex(s, -1) {
		w := strings.TrimSuffix(strings.TrimSuffix(s[loc[0]:loc[1]], "'s"), "'")
		w = strings.TrimPrefix(w, "'")
		if w == "" {
			continue
		}
		joined := loc[0] > 0 && s[loc[0]-1] == '-' && len(out) > 0 && out[len(out)-1].end == loc[0]-1
		out = append(out, enToken{w: w, start: loc[0], end: loc[1], joined: joined})
	}
	return out
}

// romajiWord returns the hyphen-joined word that starts at toks[i] and the
// index after it: zaisei-ka is one word, ZAISEIKA.
func romajiWord(toks []enToken, i int) (string, int) {
	w := toks[i].w
	j := i + 1
	for ; j < len(toks) && toks[j].joined; j++ {
		w += toks[j].w
	}
	return w, j
}

// romajiKana returns the kana of a word read as romaji: in a question in
// romaji, a romaji word the lexicon or the grammar knows or that is not
// English (no, kai, gomi); in an English question, a romaji word that is
// not English (gakudo, konbini). It returns "" for other words.
func (ix *Index) romajiKana(w string, romajiQuestion bool) string {
	kana, ok := toKana(w)
	english := ix.lex.isEnglish(w)
	if !ok || english && !(romajiQuestion && ix.knownKana(kana)) {
		return ""
	}
	return kana
}

// knownKana reports whether kana read loosely is a word of the lexicon or
// the plan, or a particle.
func (ix *Index) knownKana(kana string) bool {
	r := looseFold(kana)
	return ix.lex.classReadings[r] != "" || len(ix.readings[r]) > 0 || particles[r]
}

// romajiText decides whether a question in Latin letters is Japanese in
// romaji: more of its words are romaji that the lexicon, the plan or the
// grammar knows, or that English does not, than are English. It returns
// the question with its romaji words in kana.
func (ix *Index) romajiText(toks []enToken) (string, bool) {
	ja, en := 0, 0
	var parts []string
	for i := 0; i < len(toks); {
		w, next := romajiWord(toks, i)
		kana, isRomaji := toKana(w)
		english := ix.lex.isEnglish(w)
		switch {
		case isRomaji && english && ix.knownKana(kana):
			// both (no, are): says nothing
		case isRomaji && !english:
			ja++
		case english:
			en++
		}
		if isRomaji {
			parts = append(parts, kana)
		} else {
			parts = append(parts, w)
		}
		i = next
	}
	return strings.Join(parts, " "), ja > en
}

// isEnglish reports whether w (or its lemma) is an English word: EDICT,
// WordNet or the English class words know it.
func (l *Lexicon) isEnglish(w string) bool {
	if l.isAny(w, classEnStop, classAsker, classMood, classContact, classDeptWhat, classGreeting, classThanks, classHelp, classMeta) {
		return true
	}
	for _, x := range l.lemmas(w) {
		if l.enJa.Has(x) || l.wordnet.Has(x) {
			return true
		}
	}
	return false
}

// parseLatin analyses a question in Latin letters, English or romaji:
// romaji words by their readings, English phrases of up to four words
// first, each word read as a lemma; words of the classes are terms only.
func (ix *Index) parseLatin(q *question, toks []enToken) {
	l := ix.lex
	q.clauses = splitClauses(q.norm)
	tries := 0 // spelling corrections tried: they cost, and a question has few typos
	for i := 0; i < len(toks) && len(q.words) < maxWords; {
		if strings.ContainsFunc(toks[i].w, isJapanese) {
			ix.addJapanese(q, toks[i])
			i++
			continue
		}
		if w, next := romajiWord(toks, i); ix.romajiKana(w, q.romaji) != "" {
			kana := ix.romajiKana(w, q.romaji)
			// Two romaji words may be one word spelt apart (shimin kaikan).
			if next < len(toks) {
				if w2, next2 := romajiWord(toks, next); ix.romajiKana(w2, q.romaji) != "" {
					if joined := kana + ix.romajiKana(w2, q.romaji); ix.readsWhole(joined) {
						kana, next = joined, next2
					}
				}
			}
			ix.addRomaji(q, toks[i].start, toks[next-1].end, kana)
			i = next
			continue
		}
		found := false
		for n := min(4, len(toks)-i); n >= 1 && !found; n-- {
			ws := make([]string, n)
			for k := range n {
				ws[k] = toks[i+k].w
			}
			last := ws[n-1]
			if phrase := strings.Join(ws, "-"); n > 1 && l.is(classDetail, phrase) {
				// what time, how much: a detail the plan never gives
				ix.addWord(q, word{text: phrase, start: toks[i].start, end: toks[i+n-1].end, noun: true, concrete: true, detail: true}, 1)
				i += n
				found = true
				continue
			}
			if ix.asking(last) && (n == 1 || ix.asking(ws[0])) {
				continue // a phrase may end in a question word (civic hall), not be one
			}
			var phrases []string
			for _, lm := range l.lemmas(last) {
				words := append(slices.Clone(ws[:n-1]), lm)
				phrases = append(phrases, strings.Join(words, " "))
				if n > 1 {
					phrases = append(phrases, strings.Join(words, "-")) // long-term
				}
			}
			g, ok := ix.translate(phrases)
			if n == 1 && !ix.asking(ws[0]) {
				// Plan words written in Latin letters (RST, BCP, AI) match as they are.
				if df, known := ix.known(ws[0], fold(ws[0])); known && len(ws[0]) > 1 {
					v := variant{base: ws[0], folded: fold(ws[0]), boost: 1, spec: ix.weightOf(ws[0], df)}
					g.variants = append([]variant{v}, g.variants...)
					g.setWeight()
					ok = true
				}
				if !ok || len(g.variants) == 0 {
					if h, found := ix.translateRelated(ws[0]); found {
						g, ok = h, true
					}
				}
			}
			if ok && n > 1 && !ix.asking(last) && ix.sameAsHead(g, ws) {
				ok = false // read word by word: "garbage collection" keeps "garbage"
			}
			if ok && n > 1 && len(g.variants) == 0 && !ix.asking(ws[0]) && !l.is(classMore, ws[0]) && !l.is(classAsker, last) && strings.Contains(l.pos(last), "n") {
				// A compound EDICT knows and the plan lacks (post office) is
				// one thing, not its words (post: 配置); next page asks for more.
				g = word{text: strings.Join(ws, " "), start: toks[i].start, end: toks[i+n-1].end, noun: true, concrete: true}
				ix.addWord(q, g, 1)
				i += n
				found = true
				continue
			}
			if !ok || n > 1 && len(g.variants) == 0 {
				continue
			}
			g.text = strings.Join(ws, " ")
			g.start, g.end = toks[i].start, toks[i+n-1].end
			ix.addEnglishWord(q, g, ws)
			i += n
			found = true
		}
		if found {
			continue
		}
		w := toks[i].w
		if !ix.asking(w) && tries < maxSpell && !l.isEnglish(w) {
			tries++
			if c, ok := ix.spell(w); ok {
				toks[i].w = c // read the word as corrected
				continue
			}
		}
		g := word{text: w, start: toks[i].start, end: toks[i].end}
		ix.addEnglishWord(q, g, []string{w})
		i++
	}
	adjacent := func(a, b *word) bool {
		// words of one romaji word (shiei-juutaku) share its place
		if a.end >= b.start {
			return true
		}
		// "my street floods": a verb's form follows its subject, it is no head
		return strings.TrimSpace(q.norm[a.end:b.start]) == "" && !l.verbForm(b.text)
	}
	ix.findModifiers(q, adjacent, adjacent)
}

// possessives make the noun after them someone's own: my husband is the
// asker's, no topic.
var possessives = map[string]bool{"my": true, "our": true, "your": true, "his": true, "her": true, "their": true}

// addEnglishWord classifies an English word or phrase (g holds its plan
// variants, if any) and adds it as a term, and as a topic word unless it
// only asks.
func (ix *Index) addEnglishWord(q *question, g word, ws []string) {
	l := ix.lex
	head := ws[len(ws)-1]
	if len(ws) == 1 && ix.asking(head) {
		q.terms = append(q.terms, term{base: head, clause: q.clauseAt(g.start), word: -1})
		return
	}
	if len(ws) == 1 && l.is(classDetail, head) {
		// hours, schedule: a detail the plan never gives
		ix.addWord(q, word{text: head, start: g.start, end: g.end, noun: true, concrete: true, detail: true}, 1)
		return
	}
	pos := l.pos(head)
	factor := 1.0
	switch {
	case l.is(classAsker, head) && len(ws) > 1 && (!g.known() || possessives[ws[0]]):
		q.terms = append(q.terms, term{base: head, clause: q.clauseAt(g.start), word: -1})
		return // last month; my husband, whatever EDICT makes of it (内), but not a vacant house
	case len(ws) == 1 && l.is(classAsker, head):
		if !g.known() {
			q.terms = append(q.terms, term{base: head, clause: q.clauseAt(g.start), word: -1})
			return
		}
		factor = askerFactor
	case len(ws) == 1 && l.is(classMood, head):
		factor = moodFactor
	case len(ws) == 1 && l.is(classProcedure, head):
		factor = procedureFactor
	case len(ws) == 1 && pos != "" && !strings.Contains(pos, "n"):
		factor = verbalFactor // renew, inspect: what is done, not to what
	}
	if len(ws) == 1 && !g.known() && ix.translatesToAsking(head) {
		q.terms = append(q.terms, term{base: head, clause: q.clauseAt(g.start), word: -1})
		return // counter: 窓口, where one asks
	}
	g.noun = len(ws) > 1 || pos == "" || strings.Contains(pos, "n")
	g.concrete = !g.known() && strings.Contains(pos, "n") && !strings.HasSuffix(head, "ly") && utf8.RuneCountInString(head) > 2
	if !g.known() && !g.concrete {
		return // a word the plan cannot use and that names no thing: no topic
	}
	ix.addWord(q, g, factor)
}

// addJapanese adds the words of a Japanese word in an English question
// (join 行政区).
func (ix *Index) addJapanese(q *question, tok enToken) {
	ms, _ := morphemes(tok.w)
	for _, m := range ix.splitCompounds(ix.mergeSuffixes(tok.w, ms)) {
		m.start, m.end = tok.start+m.start, tok.start+m.end
		ix.addMorpheme(q, m)
	}
}

// addRomaji adds the words of a romaji word (gakudo, zaisei-ka), found by
// their readings. A romaji word is a word: the known words found must
// explain it wholly, or it is a word the plan lacks, a noun unless kagome
// reads a verb or adjective in it (hairitai, oshiete).
func (ix *Index) addRomaji(q *question, start, end int, kana string) {
	found, unknown := ix.parseKana(kana, true)
	if alt := nyAsN(q.norm[start:end]); unknown > 0 && alt != "" {
		// nanyoubi: なんようび, typed without the n' that tells it from なにょうび
		if f, u := ix.parseKana(alt, true); u < unknown {
			found, unknown, kana = f, u, alt
		}
	}
	if unknown > 0 || len(found) == 0 {
		if utf8.RuneCountInString(kana) >= 3 && !ix.inflected(kana) {
			ix.addWord(q, word{text: kana, start: start, end: end, noun: true, concrete: true}, 1)
		}
		return
	}
	for _, k := range found {
		base := strings.Join(k.words, "|")
		if ix.lex.is(classDetail, k.words[0]) {
			ix.addWord(q, word{text: k.words[0], start: start, end: end, noun: true, concrete: true, detail: true}, 1)
			continue
		}
		if ix.asking(k.words[0]) {
			q.terms = append(q.terms, term{base: k.words[0], clause: q.clauseAt(start), word: -1})
			continue
		}
		g := ix.wordGroup(base, kana[k.start:k.end])
		g.text, g.start, g.end, g.noun = kana[k.start:k.end], start, end, true
		ix.addWord(q, g, 1)
	}
}

// nyAsN reads the romaji word w with every "ny" as ん + y (nanyoubi:
// なんようび); "" when w has no "ny" or is not romaji so read.
func nyAsN(w string) string {
	if !strings.Contains(w, "ny") {
		return ""
	}
	kana, ok := toKana(strings.ReplaceAll(w, "ny", "n'y"))
	if !ok {
		return ""
	}
	return kana
}

// readsWhole reports whether kana is one known word by its loose reading.
func (ix *Index) readsWhole(kana string) bool {
	r := looseFold(kana)
	return len(ix.readings[r]) > 0 || ix.lex.classReadings[r] != ""
}

// translatesToAsking reports whether one of EDICT's first translations of
// an English word is a word that asks (counter: 窓口, office: 役所).
func (ix *Index) translatesToAsking(w string) bool {
	for _, x := range ix.lex.lemmas(w) {
		ja := ix.lex.enJa.Get(x)
		for _, j := range ja[:min(len(ja), 3)] {
			if ix.asking(normalize(j)) {
				return true
			}
		}
	}
	return false
}

// inflections are the kana a verb, an adjective or a polite form may end
// in: dictionary forms (う-row), て/た forms, imperatives (え-row), い, ん and
// sentence endings.
const inflections = "うくぐすつぬぶむるいてでただえけげせねべめれろよばんかな"

// inflected reports whether kagome reads a verb, an adjective or an
// auxiliary in kana: the word is no noun.
func (ix *Index) inflected(kana string) bool {
	if r, _ := utf8.DecodeLastRuneInString(kana); !strings.ContainsRune(inflections, r) {
		return false // no verb, adjective or polite ending ends so: じゅみんひょ, しょうめいしょ are nouns kagome reads as noise
	}
	for _, t := range kagome().analyze(kana) {
		if pos := t.POS(); len(pos) > 0 && (pos[0] == "動詞" || pos[0] == "形容詞" || pos[0] == "助動詞") {
			return true
		}
	}
	return false
}

// maxSpell bounds the spelling corrections tried in one question.
const maxSpell = 3

// spell corrects an English word that neither EDICT nor the plan knows
// by one edit (libary → library, garbge → garbage): a deletion, swap,
// substitution or insertion that gives a word EDICT translates into the
// plan's words, else a question word (adress → address, not dress: those
// few words are most of what questions say besides their topic), else one
// EDICT knows. Ties go to the first in that order, so the same typo always
// reads the same.
func (ix *Index) spell(w string) (string, bool) {
	if len(w) < 4 || len(w) > 20 || !isASCIIWord(w) {
		return "", false
	}
	if _, known := ix.known(w, fold(w)); known {
		return "", false
	}
	var cands []string
	for i := range len(w) {
		cands = append(cands, w[:i]+w[i+1:])
	}
	for i := 0; i+1 < len(w); i++ {
		cands = append(cands, w[:i]+w[i+1:i+2]+w[i:i+1]+w[i+2:])
	}
	for i := range len(w) + 1 {
		for c := byte('a'); c <= 'z'; c++ {
			if i < len(w) {
				cands = append(cands, w[:i]+string(c)+w[i+1:])
			}
			cands = append(cands, w[:i]+string(c)+w[i:])
		}
	}
	asks, fallback := "", ""
	for _, c := range cands {
		if c == w || !ix.asking(c) && len(ix.lex.enJa.Get(c)) == 0 {
			continue
		}
		if g, ok := ix.translate(ix.lex.lemmas(c)); ok && len(g.variants) > 0 {
			return c, true
		}
		if asks == "" && ix.asking(c) {
			asks = c
		}
		if fallback == "" {
			fallback = c
		}
	}
	if asks != "" {
		return asks, true
	}
	return fallback, fallback != ""
}

func isASCIIWord(w string) bool {
	return !strings.ContainsFunc(w, func(r rune) bool { return r < 'a' || r > 'z' })
}

// sameAsHead reports whether a phrase, translated as g, says no more than
// its words one by one: every plan word of g is also a translation of its
// last word alone, and each other word has plan words of its own (garbage
// collection: 収集, and garbage: ごみ; but generative AI is 生成AI).
func (ix *Index) sameAsHead(g word, phrase []string) bool {
	last := len(phrase) - 1
	h, ok := ix.translate(ix.lex.lemmas(phrase[last]))
	if !ok || len(g.variants) == 0 {
		return false
	}
	for _, v := range g.variants {
		if !slices.ContainsFunc(h.variants, func(w variant) bool { return w.folded == v.folded }) {
			return false
		}
	}
	for _, w := range phrase[:last] {
		if ix.asking(w) {
			continue
		}
		if m, ok := ix.translate(ix.lex.lemmas(w)); !ok || len(m.variants) == 0 {
			return false
		}
	}
	return true
}

// maxTranslations is how many of EDICT's translations of a word count,
// most common first: the tail holds rare senses (station: 次, 局).
const maxTranslations = 8

// maxRelated is how many WordNet synonyms, and then hypernyms, of a word
// are tried, nearest first.
const maxRelated = 2

// translate looks an English phrase up in EDICT and the curated synonyms
// and keeps the Japanese words that the current plan uses, so translation
// follows reindexes. ok is false when neither knows the phrase.
func (ix *Index) translate(phrases []string) (word, bool) {
	type cand struct {
		ja      string
		boost   float64
		curated bool
	}
	var cands []cand
	for _, p := range phrases {
		for i, ja := range ix.lex.enJa.Get(p) {
			if i == maxTranslations {
				break
			}
			cands = append(cands, cand{ja, translationBoost(i), false})
		}
		for _, ja := range ix.lex.curated.Get(p) { // English in the curated table
			cands = append(cands, cand{ja, 1, true})
		}
	}
	if len(cands) == 0 {
		return word{}, false
	}
	g := word{text: phrases[0]}
	add := func(w string, boost float64, curated bool) {
		f := fold(w)
		if utf8.RuneCountInString(w) < 2 && (boost < 1 || ix.dfMorph[w] == 0) {
			return // a one-character word is too loose unless it is the first
		}
		for i, v := range g.variants {
			if v.folded == f {
				if boost > v.boost {
					g.variants[i].boost, g.variants[i].curated = boost, curated
				}
				return
			}
		}
		if df, ok := ix.known(w, f); ok {
			g.variants = append(g.variants, variant{base: w, folded: f, boost: boost, spec: ix.weightOf(w, df), curated: curated})
		}
	}
	for _, c := range cands {
		n := normalize(c.ja)
		add(n, c.boost, c.curated)
		if stem, ok := strings.CutSuffix(n, "的"); ok {
			add(stem, 0.9*c.boost, c.curated) // 財政的 (financial) → 財政
		}
		for _, s := range ix.lex.curated.Get(n) {
			add(s, c.boost*curatedBoost, true)
		}
		for _, s := range ix.lex.related.Get(n) {
			add(s, c.boost*relatedBoost, true)
		}
		for _, s := range ix.lex.synonyms.Get(n) {
			add(s, c.boost*synonymBoost, false)
		}
	}
	g.setWeight()
	return g, true
}

// translationBoost is what EDICT's i-th translation of a word tells: the
// list starts with the common senses and ends with rare ones.
func translationBoost(i int) float64 {
	switch {
	case i == 0:
		return 1
	case i < 3:
		return 0.9
	case i < 6:
		return 0.8
	}
	return 0.6
}

// translateRelated translates a word through its WordNet synonyms and
// then, for a noun, its hypernyms (kids: child; seesaw: plaything), when
// its own translations miss the plan: the first related word that reaches
// plan words gives them, at a lower boost.
func (ix *Index) translateRelated(w string) (word, bool) {
	for _, lm := range ix.lex.lemmas(w) {
		syns, hypers := ix.lex.wordnet.Get(lm), ix.lex.wordnet.Hypernyms(lm)
		rels := append(syns[:min(len(syns), maxRelated)], hypers[:min(len(hypers), maxRelated)]...)
		for _, rel := range rels {
			if ix.asking(rel) || ix.lex.is(classAsker, rel) {
				continue
			}
			if g, ok := ix.translate([]string{rel}); ok && len(g.variants) > 0 {
				for i := range g.variants {
					g.variants[i].boost *= 0.8
				}
				g.text = w
				return g, true
			}
		}
	}
	return word{}, false
}

// lemmas returns w and its likely base forms: WordNet's irregular forms
// (children, went), then the regular suffixes.
func (l *Lexicon) lemmas(w string) []string {
	out := append([]string{w}, l.inflections.Get(w)...) // went: go
	add := func(s string) {
		if len(s) > 2 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	switch {
	case strings.HasSuffix(w, "ies"):
		add(w[:len(w)-3] + "y") // libraries
		add(w[:len(w)-1])       // dies
	case strings.HasSuffix(w, "ses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		add(w[:len(w)-2]) // buses, taxes, matches
		add(w[:len(w)-1]) // courses, caches
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		add(w[:len(w)-1])
	case strings.HasSuffix(w, "ion"):
	case strings.HasSuffix(w, "ing"):
		add(w[:len(w)-3])
		add(w[:len(w)-3] + "e")
	case strings.HasSuffix(w, "ed"):
		add(w[:len(w)-2])
		add(w[:len(w)-1])
	}
	// A verb's noun is how plan prose says it (inspect → 点検 via
	// inspection, clean → 清掃 via cleaning); a noun is not (car: caring).
	for _, x := range slices.Clone(out) {
		if p := l.wordnet.POS(x); strings.Contains(p, "v") && !strings.HasSuffix(x, "ion") && !strings.HasSuffix(x, "ing") && !strings.HasSuffix(x, "s") {
			add(strings.TrimSuffix(x, "e") + "ion")
			add(strings.TrimSuffix(x, "e") + "ing")
		}
	}
	return out
}

// verbForm reports whether w is an inflected form of a verb (dies, floods,
// repaired, closing): in English, most likely the verb after its subject.
func (l *Lexicon) verbForm(w string) bool {
	if !strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "ing") {
		return false
	}
	for _, x := range l.lemmas(w)[1:] {
		if strings.Contains(l.wordnet.POS(x), "v") {
			return true
		}
	}
	return false
}

// pos returns the WordNet parts of speech of an English word or of its
// first lemma WordNet knows ("nv", "v"), or "".
func (l *Lexicon) pos(w string) string {
	for _, x := range l.lemmas(w) {
		if p := l.wordnet.POS(x); p != "" {
			return p
		}
	}
	return ""
}
