package index

// Stage 4 of the question path: candidates. bleve finds the actions that
// contain any plan variant of the question's words; the decision stage
// weighs their evidence.

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxCandidates is how many actions bleve proposes for weighing.
const maxCandidates = 40

// candidates searches the index with the plan variants of the question's
// words, each boosted by the word's weight.
func (ix *Index) candidates(q *question) ([]hit, error) {
	var qs []query.Query
	for _, w := range q.words {
		if !w.known() {
			continue
		}
		for _, v := range w.variants {
			boost := v.spec * v.boost
			if ix.dfMorph[v.base] > 0 {
				qs = append(qs,
					termQuery(fContent, v.base, boost),
					termQuery(fInitiative, v.base, 0.5*boost),
					termQuery(fDept, v.base, boost))
			}
			for _, b := range bigrams(v.folded) {
				qs = append(qs, termQuery(fContentBi, b, 0.25*boost), termQuery(fDeptBi, b, 0.25*boost))
			}
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	return ix.search(bleve.NewDisjunctionQuery(qs...), maxCandidates)
}

// deptPartFactor is what a word found only in a department's name tells
// of the action, unless it is the whole name (市民会館): 学校 of 学校教育課
// says little of its actions.
const deptPartFactor = 0.5

// contains reports how strongly action d holds variant v: 1 as a word of
// its text or inside a compound (ハザードマップ in 津波ハザードマップ; see
// inCompound). A word found only in the department's name counts
// deptPartFactor, 1 if it is the name.
func (d *doc) contains(v variant) float64 {
	if d.morph.has(v.base) || inCompound(d.folded, v.folded) {
		return 1
	}
	if d.deptMorph.has(v.base) || inCompound(d.deptFolded, v.folded) {
		if isWholeName(d.deptFolded, v.folded) {
			return 1
		}
		return deptPartFactor
	}
	return 0
}

// inCompound reports whether folded text holds the folded word inside a
// compound: a word of three characters or more, or a Latin word of two
// (AI). Two kana or kanji are too often a chance: クマ in ストックマネジメント.
func inCompound(text, w string) bool {
	n := utf8.RuneCountInString(w)
	if n < 2 || !strings.Contains(text, w) {
		return false
	}
	return n >= 3 || isASCIIWord(w)
}

// isWholeName reports whether w is one of the names, a line each, of folded.
func isWholeName(folded, w string) bool {
	for name := range strings.SplitSeq(folded, "\n") {
		if name == w {
			return true
		}
	}
	return false
}
