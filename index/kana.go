package index

import (
	"maps"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// A question typed in kana only (ぜいきん, としょかん) cannot be analysed
// morphologically: kagome splits it into nonsense. Instead the index keeps
// the readings of the words it knows (plan words and their synonyms) and
// segments the kana question into those words, longest first.

// maxReadingRunes bounds the length of a reading tried in segmentation.
const maxReadingRunes = 16

// particles are single kana that join words in a question (ごみのぶんべつ).
var particles = setOf(`ノ ハ ヲ ガ ニ デ ト モ ヘ ヤ カ ネ ヨ`)

// questionReadings maps the folded readings of the words that ask rather
// than name a topic (see asking) to those words; of words read alike
// (どこ, 何処), the contact word, else the first in order.
var questionReadings = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, set := range []map[string]bool{jaStop, contactWords} {
		for _, w := range slices.Backward(slices.Sorted(maps.Keys(set))) {
			if _, r := morphemes(w); utf8.RuneCountInString(r) >= 2 && isAllKana(r) {
				m[r] = w
			}
		}
	}
	return m
})

// addReadings records the readings of every word of the plan (all those
// the dictionary gives, as a resident may read a word either way) and of
// the synonyms the plan can use; New calls it once the documents are
// counted.
func (ix *Index) addReadings(ms []morpheme) {
	for _, m := range ms {
		if !ix.addReading(m.reading, m.base) {
			continue // seen before, or read in fewer than two kana
		}
		for _, r := range kagome().readings(m.base) {
			if utf8.RuneCountInString(r) >= 3 { // two kana are too often a chance match
				ix.addReading(r, m.base)
			}
		}
	}
}

// addReading records that word reads reading, and reports whether that is
// new.
func (ix *Index) addReading(reading, word string) bool {
	r := fold(reading)
	if utf8.RuneCountInString(r) < 2 || !isAllKana(r) || slices.Contains(ix.readings[r], word) {
		return false
	}
	ix.readings[r] = append(ix.readings[r], word)
	return true
}

// addSynonymReadings adds the readings of words whose synonyms the plan
// uses (and of those synonyms), so that ぜいきん finds 税金 and through it
// 市税, and がくどう finds 学童 and through it 放課後児童クラブ.
func (ix *Index) addSynonymReadings() {
	known := func(w string) bool { _, ok := ix.known(w, fold(w)); return ok }
	for word, syns := range ix.lex.synonyms.All() {
		if !slices.ContainsFunc(syns, known) && !known(word) {
			continue
		}
		for _, w := range append([]string{word}, syns...) {
			r := fold(w)
			if !isAllKana(r) && (known(w) || w == word) {
				_, r = morphemes(w)
			}
			if utf8.RuneCountInString(r) >= 3 { // two kana are too often a chance match
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

// parseKana segments the kana of s (a question in kana, or a run of kana
// in one) into known words by their readings, longest first: the plan's
// words, their synonyms and the question words. It returns the words, each
// with the others read the same way (ほけん: 保健 and 保険), and how many
// kana are unknown: those between the topic words, other than particles,
// unless kagome reads them as grammar (でもらえますか).
func (ix *Index) parseKana(s string) (words [][]string, unknown int) {
	var rs []rune
	var at []int // where each of rs is in s
	for i, r := range s {
		if r = foldKana(r); isKana(r) && r != 'ー' {
			rs, at = append(rs, r), append(at, i)
		}
	}
	asks := questionReadings()
	gap, gapUnknown := -1, 0 // the kana since the last topic word: where they start, how many are not particles
	endGap := func(end int) {
		to := len(s)
		if end < len(rs) {
			to = at[end]
		}
		if gapUnknown > 0 && !isGrammar(s[at[gap]:to]) {
			unknown += gapUnknown
		}
		gap, gapUnknown = -1, 0
	}
	for i := 0; i < len(rs); {
		j := min(len(rs), i+maxReadingRunes)
		for ; j-i >= 2; j-- {
			r := string(rs[i:j])
			if asks[r] != "" || len(ix.readings[r]) > 0 {
				break
			}
		}
		r, w := string(rs[i:j]), ""
		if j-i >= 2 {
			ws := ix.readings[r]
			if a := asks[r]; a != "" {
				ws = []string{a}
			}
			words, w = append(words, ws), ws[0]
		}
		if j-i < 2 || asking(w) { // question words are grammar too: read with the rest
			if gap < 0 {
				gap = i
			}
			if j-i < 2 && !particles[r] {
				gapUnknown++
			}
			i = max(j, i+1)
			continue
		}
		if gap >= 0 {
			endGap(i)
		}
		i = j
	}
	if gap >= 0 {
		endGap(len(rs))
	}
	return words, unknown
}

// isGrammar reports whether kagome reads s as grammar only: particles,
// auxiliaries and question words (でもらえますか), no word it does not know.
func isGrammar(s string) bool {
	m := kagome()
	for _, t := range m.tok.Analyze(s, tokenizer.Search) {
		if t.Class != tokenizer.KNOWN {
			return false
		}
		if pos := t.POS(); len(pos) > 0 && (dropPOS[pos[0]] || len(pos) > 1 && (pos[1] == "非自立" || pos[0] == "動詞" && pos[1] == "接尾")) {
			continue // verb suffixes (られる, せる) are grammar too
		}
		if base, _ := m.features(t); !jaStop[base] && !jaStop[t.Surface] {
			return false
		}
	}
	return true
}
