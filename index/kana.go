package index

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// A question typed in kana only (ぜいきん, としょかん) cannot be analysed
// morphologically: kagome splits it into nonsense. Instead the index keeps
// the readings of the words it knows (plan words and their synonyms) and
// segments the kana question into those words, longest first.

// maxReadingRunes bounds the length of a reading tried in segmentation.
const maxReadingRunes = 16

// particles are single kana that join words in a question (ごみのぶんべつ).
var particles = setOf(`ノ ハ ヲ ガ ニ デ ト モ ヘ ヤ カ ネ ヨ`)

// stopReadings are the folded readings of the question words.
var stopReadings = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for w := range jaStop {
		if _, r := morphemes(w); utf8.RuneCountInString(r) >= 2 {
			m[r] = true
		}
	}
	return m
})

// addReadings records the reading of every word of the plan and of the
// synonyms the plan can use; New calls it once the documents are counted.
func (ix *Index) addReadings(ms []morpheme) {
	for _, m := range ms {
		ix.addReading(m.reading, m.base)
	}
}

func (ix *Index) addReading(reading, word string) {
	r := fold(reading)
	if utf8.RuneCountInString(r) < 2 || !isAllKana(r) {
		return
	}
	for _, w := range ix.readings[r] {
		if w == word {
			return
		}
	}
	ix.readings[r] = append(ix.readings[r], word)
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

// parseKana segments a kana-only question into known words. It returns the
// words found and how many kana matched nothing (particles aside).
func (ix *Index) parseKana(folded string) (words []string, unknown int) {
	rs := []rune(strings.Join(strings.FieldsFunc(folded, func(r rune) bool { return !isKana(r) }), ""))
	stops := stopReadings()
	for i := 0; i < len(rs); {
		j := min(len(rs), i+maxReadingRunes)
		for ; j-i >= 2; j-- {
			s := string(rs[i:j])
			if stops[s] || len(ix.readings[s]) > 0 {
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
		if s := string(rs[i:j]); !stops[s] {
			words = append(words, ix.readings[s][0])
		}
		i = j
	}
	return words, unknown
}
