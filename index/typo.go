package index

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
)

// A resident's input method often turns a word's reading into the wrong
// kanji (変換ミス): 険診 for 健診, 成年高見人 for 成年後見人. A run of
// kanji the plan and the dictionary lack, that differs from a word the
// plan knows in one kanji which the dictionary reads as that word's kanji
// there, is read as the plan's word. The shared reading keeps chance
// look-alikes apart: 受診率 is no 健診率 (受 is never read ケン).

// Words of more kanji than maxTypoRunes are not looked for.
const maxTypoRunes = 8

// addWildcards indexes the kanji words the plan knows (those with a
// reading: plan words, compounds, synonyms) by each form with one kanji
// replaced by '?'.
func (ix *Index) addWildcards() {
	ix.wildcards = map[string][]string{}
	for _, ws := range ix.readings {
		for _, w := range ws {
			rs := []rune(w)
			if len(rs) < 2 || len(rs) > maxTypoRunes || strings.ContainsFunc(w, func(r rune) bool { return !isHan(r) }) {
				continue
			}
			for i := range rs {
				key := wildcard(rs, i)
				if !slices.Contains(ix.wildcards[key], w) {
					ix.wildcards[key] = append(ix.wildcards[key], w)
				}
			}
		}
	}
}

// wildcard returns rs with rune i replaced by '?'.
func wildcard(rs []rune, i int) string {
	return string(rs[:i]) + "?" + string(rs[i+1:])
}

// readTypos replaces the words of such a span of kanji in text by one
// word whose base is the plan's words it may mean, joined by '|'. A span
// starts and ends where kagome's tokens toks do and holds a token the plan
// lacks (成年|高見 of 成年高見人); the longest is taken.
func (ix *Index) readTypos(text string, toks []tokenizer.Token, ms []morpheme) []morpheme {
	for _, run := range runs(text, isHan, 2) {
		rt := tokensIn(toks, run[0], run[1])
		start, end, meant, most := 0, 0, []string(nil), 0
		// Spans of at most maxTypoRunes: a run of kanji may be long.
		for a := range rt {
			n := 0
			for b := a; b < len(rt) && (b == a || rt[b-1].Position+len(rt[b-1].Surface) == rt[b].Position); b++ {
				if n += utf8.RuneCountInString(rt[b].Surface); n > maxTypoRunes {
					break
				}
				if n <= most {
					continue // the longest span wins, the first of equals
				}
				s, e := run[0]+rt[a].Position, run[0]+rt[b].Position+len(rt[b].Surface)
				if m := ix.typoOf(text[s:e], rt[a:b+1]); m != nil {
					start, end, meant, most = s, e, m, n
				}
			}
		}
		if meant == nil {
			continue
		}
		m := morpheme{base: strings.Join(meant, "|"), surface: text[start:end], start: start, end: end, noun: true, concrete: true, known: true}
		i := slices.IndexFunc(ms, func(m morpheme) bool { return m.end > start })
		if i < 0 {
			i = len(ms)
		}
		j := i
		for j < len(ms) && ms[j].start < end {
			j++
		}
		ms = slices.Replace(ms, i, j, m)
	}
	return ms
}

// typoOf returns the plan's words that kanji s, read by kagome as toks,
// may be a typo of.
func (ix *Index) typoOf(s string, toks []tokenizer.Token) []string {
	rs := []rune(s)
	if len(rs) < 2 || len(rs) > maxTypoRunes || ix.knownAsIs(s) || kagome().isWord(s) ||
		!slices.ContainsFunc(toks, func(t tokenizer.Token) bool { return !ix.knownAsIs(t.Surface) }) {
		return nil
	}
	// prefix reports whether rune i of s is a prefix kagome read as such:
	// 再発行 is 再 and 発行, no 債発行.
	prefix := func(i int) bool {
		at := len(string(rs[:i]))
		return slices.ContainsFunc(toks, func(t tokenizer.Token) bool {
			return t.Position-toks[0].Position <= at && at < t.Position-toks[0].Position+len(t.Surface) && isPOS(t, "接頭詞")
		})
	}
	var meant, spoken []string
	for i := range rs {
		if prefix(i) {
			continue
		}
		for _, w := range ix.wildcards[wildcard(rs, i)] {
			if k := []rune(w)[i]; k == rs[i] || slices.Contains(meant, w) {
				continue
			} else if !shareReading(k, rs[i]) {
				if spoken == nil {
					spoken = readingsOf(toks)
				}
				if !slices.ContainsFunc(spoken, func(r string) bool { return slices.Contains(ix.readings[looseFold(r)], w) }) {
					continue
				}
			}
			meant = append(meant, w)
		}
	}
	return meant
}

// readingsOf returns how tokens read together: as they are, and with
// the later ones voiced as a compound voices them (非難|所: ヒナンジョ).
func readingsOf(toks []tokenizer.Token) []string {
	var plain, voiced strings.Builder
	for i, t := range toks {
		_, r := kagome().features(t)
		plain.WriteString(r)
		if i > 0 {
			r = rendaku(r)
		}
		voiced.WriteString(r)
	}
	return []string{plain.String(), voiced.String()}
}

// shareReading reports whether the dictionary reads kanji a and b alike.
func shareReading(a, b rune) bool {
	rb := kagome().readings(string(b))
	return slices.ContainsFunc(kagome().readings(string(a)), func(r string) bool {
		return slices.Contains(rb, r)
	})
}
