package index

import (
	"slices"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// Words typed in kana (ぜいきん, がくどう, つなみ) or romaji cannot be
// analysed morphologically: kagome splits them into nonsense. Instead the
// index keeps the readings of the words it knows (plan words, their
// synonyms, department names and the lexicon's class words) and finds
// those words in a run of kana by their readings, longest first. Readings
// are keyed by looseFold, so long vowels, geminates and ヅ/ズ need not be
// typed as the dictionary spells them.

// maxReadingRunes bounds the length of a reading tried in segmentation.
const maxReadingRunes = 16

// particles are single kana that join words (ごみのぶんべつ), loose-folded.
var particles = map[string]bool{"ノ": true, "ハ": true, "オ": true, "ガ": true, "ニ": true, "デ": true, "ト": true,
	"モ": true, "ヘ": true, "ヤ": true, "カ": true, "ネ": true, "ヨ": true, "ワ": true}

// addReadings records the readings of every word of the plan (all those
// the dictionary gives, as a resident may read a word either way) but the
// words of one character: ない is no 内; New calls it for each action.
func (ix *Index) addReadings(ms []morpheme) {
	for _, m := range ms {
		if utf8.RuneCountInString(m.base) < 2 || !ix.addReading(m.reading, m.base) {
			continue // seen before, or read in fewer than two kana
		}
		for _, r := range kagome().readings(m.base) {
			if utf8.RuneCountInString(looseFold(r)) >= 3 { // two kana are too often a chance match
				ix.addReading(r, m.base)
			}
		}
	}
}

// addReading records that word reads reading, and reports whether that is
// new.
func (ix *Index) addReading(reading, word string) bool {
	ix.strict[fold(reading)] = true
	return addReadingTo(ix.readings, reading, word)
}

// looseOK reports whether kana span s, whose loose fold is key r, may be
// read by its loose reading: a reading of three kana or fewer must be
// typed as it is (はこ is no ハッコウ, 発行), a longer one may lose its long
// vowels and geminates.
func (ix *Index) looseOK(r, s string) bool {
	if utf8.RuneCountInString(r) > 3 {
		return true
	}
	f := fold(s)
	return ix.strict[f] || ix.lex.classStrict[f]
}

func addReadingTo(m map[string][]string, reading, word string) bool {
	r := looseFold(reading)
	if utf8.RuneCountInString(r) < 2 || !isAllKana(r) || slices.Contains(m[r], word) {
		return false
	}
	m[r] = append(m[r], word)
	return true
}

// addSynonymReadings adds the readings of words whose synonyms the plan
// uses (and of those synonyms), so that ぜいきん finds 税金 and through it
// 市税, and がくどう finds 学童 and through it 放課後児童クラブ.
func (ix *Index) addSynonymReadings() {
	memo := map[string]bool{}
	known := func(w string) bool {
		k, seen := memo[w]
		if !seen {
			_, k = ix.known(w, fold(w))
			memo[w] = k
		}
		return k
	}
	for word, syns := range ix.lex.synonyms.All() {
		if !slices.ContainsFunc(syns, known) && !known(word) {
			continue
		}
		// Each word is the key once: its reading is added then, and its
		// synonyms' when the plan uses them.
		for _, w := range append([]string{word}, syns...) {
			kw := w == word || known(w)
			if !kw {
				continue
			}
			r := w
			if !isAllKana(fold(w)) {
				_, r = morphemes(w)
			}
			// Two kana are too often a chance match, but for a plan word or a
			// curated one (橋: はし).
			if utf8.RuneCountInString(looseFold(r)) >= 3 || kw && w != word || ix.lex.curated.Has(w) {
				ix.addReading(r, w)
			}
		}
	}
}

func isAllKana(s string) bool {
	for _, r := range s {
		if !isKana(r) {
			return false
		}
	}
	return s != ""
}

// kanaWord is a word found in kana by its reading.
type kanaWord struct {
	words      []string // the words read so (ほけん: 保健, 保険), the likeliest first
	start, end int      // byte offsets in the text searched
}

// parseKana finds known words in the kana of s, longest first: the plan's
// words and their synonyms, department names and class words. A word
// does not span anything but kana. Romaji (romaji true) may leave out long
// vowels in any word, kana only in words of more than three kana (see
// looseOK). It returns the words and how many kana no word explains,
// particles aside.
func (ix *Index) parseKana(s string, romaji bool) (found []kanaWord, unknown int) {
	rs, at := looseRunes(s)
	class := ix.lex.classReadings
	for i := 0; i < len(rs); {
		j := min(len(rs), i+maxReadingRunes)
		for ; j-i >= 2; j-- {
			if at[j-1].run != at[i].run {
				continue // a word is within one run of kana
			}
			r := string(rs[i:j])
			if (class[r] != "" || len(ix.readings[r]) > 0) && (romaji || ix.looseOK(r, s[at[i].byte:at[j-1].end])) {
				break
			}
		}
		if j-i < 2 {
			if !particles[string(rs[i])] {
				unknown++
			}
			i++
			continue
		}
		r := string(rs[i:j])
		ws := ix.readings[r]
		if c := class[r]; c != "" {
			ws = []string{c} // a question word read so is meant (どこ, not 何処 of the plan)
		}
		found = append(found, kanaWord{words: ws, start: at[i].byte, end: at[j-1].end})
		i = j
	}
	return found, unknown
}

// loosePos is where a loose-folded kana came from.
type loosePos struct {
	byte, end int // byte offsets of the kana in the text
	run       int // which run of kana it belongs to
}

// looseRunes returns the kana of s loose-folded (see looseFold) with
// where each came from; any other character separates runs.
func looseRunes(s string) (rs []rune, at []loosePos) {
	run := 0
	var prev rune
	for i, r := range s {
		size := utf8.RuneLen(r)
		if !isKana(r) {
			run++
			prev = 0
			continue
		}
		if r == 'っ' || r == 'ッ' {
			continue // a geminate belongs to the kana after it
		}
		if r == 'ー' {
			if len(at) > 0 && at[len(at)-1].run == run {
				at[len(at)-1].end = i + size
			}
			continue
		}
		r = looseKana(foldKana(r))
		if isLongVowel(prev, r) {
			at[len(at)-1].end = i + size // a long vowel: part of the kana before
			continue
		}
		rs = append(rs, r)
		at = append(at, loosePos{byte: i, end: i + size, run: run})
		prev = r
	}
	return rs, at
}

// isGrammar reports whether kagome read tokens as grammar only:
// particles, auxiliaries and question words (でもらえますか), no word it
// does not know.
func (ix *Index) isGrammar(toks []tokenizer.Token) bool {
	m := kagome()
	for _, t := range toks {
		if t.Class != tokenizer.KNOWN {
			return false
		}
		if pos := t.POS(); len(pos) > 0 && (dropPOS[pos[0]] || len(pos) > 1 && (pos[1] == "非自立" || pos[0] == "動詞" && pos[1] == "接尾")) {
			continue // verb suffixes (られる, せる) are grammar too
		}
		if base, _ := m.features(t); !ix.lex.is(classAsk, base) && !ix.lex.is(classAsk, t.Surface) {
			return false
		}
	}
	return true
}
