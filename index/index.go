package index

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	lru "github.com/hashicorp/golang-lru/v2"

	"planbot/data"
)

// Index fields. Every action is indexed in all of them and a question
// queries them together, each at its own boost.
const (
	fContent    = "content"    // morphological terms of the action text
	fContentBi  = "content_bi" // kana-folded character bigrams of the action text and initiative
	fReading    = "reading"    // bigrams of the katakana reading (action and initiative)
	fInitiative = "initiative" // morphological terms of initiative and measure titles
	fDept       = "dept"       // department names, morphological and bigram
	fDeptBi     = "dept_bi"
)

// Index answers questions about one plan. It is immutable once built and
// safe for concurrent use; a reindex builds a new Index.
type Index struct {
	mu     sync.RWMutex // held for reading by searches, for writing by Close
	closed bool
	plan   *data.Plan
	lex    *Lexicon
	bleve  bleve.Index
	docs   []doc
	// Document frequencies over all actions, for weighting query words
	// and for restricting dictionary expansions to words the plan uses.
	dfMorph  map[string]int
	dfBigram map[string]int
	depts    []string            // distinct departments, longest name first
	deptKeys map[string][]string // English keywords per department
	readings map[string][]string // folded reading → plan words and synonyms, for kana questions
	cache    *lru.Cache[string, Answer]
}

// cacheSize is how many distinct questions an index remembers answers to.
const cacheSize = 4096

// doc is what the ranker needs of an action beyond bleve's score.
type doc struct {
	morph   map[string]bool // morphological terms (content, initiative, departments)
	folded  string          // folded content, initiative and departments
	reading string          // folded reading of content and initiative
}

// New indexes every action of p. The lexicon may be shared between indexes.
func New(p *data.Plan, lex *Lexicon) (*Index, error) {
	if p == nil {
		return nil, fmt.Errorf("index: no plan")
	}
	m := bleve.NewIndexMapping()
	dm := bleve.NewDocumentStaticMapping()
	for field, analyzer := range map[string]string{
		fContent: AnalyzerMorph, fContentBi: AnalyzerBigram, fReading: AnalyzerReading,
		fInitiative: AnalyzerMorph, fDept: AnalyzerMorph, fDeptBi: AnalyzerBigram,
	} {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store, fm.IncludeTermVectors, fm.IncludeInAll = false, false, false
		dm.AddFieldMappingsAt(field, fm)
	}
	m.DefaultMapping = dm
	m.DefaultAnalyzer = AnalyzerMorph
	// scorch with no path keeps its segments in memory; it builds and
	// searches far faster than the upsidedown/gtreap NewMemOnly store.
	bi, err := bleve.New("", m)
	if err != nil {
		return nil, fmt.Errorf("index: create: %w", err)
	}
	cache, _ := lru.New[string, Answer](cacheSize) // errors only for a size ≤ 0
	ix := &Index{plan: p, lex: lex, bleve: bi, dfMorph: map[string]int{}, dfBigram: map[string]int{}, readings: map[string][]string{}, cache: cache}
	batch := bi.NewBatch()
	for i, it := range p.Items {
		depts := strings.Join(it.Departments, " ")
		titles := it.Initiative + "\n" + it.Measure
		if err := batch.Index(strconv.Itoa(i), map[string]any{
			fContent: it.Content, fContentBi: it.Content + "\n" + it.Initiative, fReading: it.Content + "\n" + it.Initiative,
			fInitiative: titles, fDept: depts, fDeptBi: depts,
		}); err != nil {
			return nil, fmt.Errorf("index: action %s: %w", it.ID, err)
		}
		ix.docs = append(ix.docs, ix.describe(it))
	}
	if err := bi.Batch(batch); err != nil {
		return nil, fmt.Errorf("index: batch: %w", err)
	}
	ix.addSynonymReadings()
	ix.depts = p.Departments()
	sortLongestFirst(ix.depts)
	ix.deptKeys = lex.deptKeywords(ix.depts)
	return ix, nil
}

// describe analyses an item for the ranker and counts its terms.
func (ix *Index) describe(it data.Item) doc {
	text := normalize(it.Content + "\n" + it.Initiative + "\n" + strings.Join(it.Departments, "\n"))
	ms, reading := morphemes(text)
	ix.addReadings(ms)
	d := doc{morph: map[string]bool{}, folded: fold(text), reading: reading}
	for _, m := range ms {
		if !d.morph[m.base] {
			d.morph[m.base] = true
			ix.dfMorph[m.base]++
		}
	}
	seen := map[string]bool{}
	for _, b := range bigrams(d.folded) {
		if !seen[b] {
			seen[b] = true
			ix.dfBigram[b]++
		}
	}
	return d
}

// Plan returns the plan the index was built from.
func (ix *Index) Plan() *data.Plan { return ix.plan }

// Close waits for searches in flight and releases the bleve index; later
// questions get ErrClosed.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	return ix.bleve.Close()
}

// ErrClosed is returned by questions to a closed index.
var ErrClosed = errors.New("index: closed")

// idf is the inverse document frequency of a term seen in df documents.
func (ix *Index) idf(df int) float64 {
	return math.Log(1 + float64(len(ix.docs))/float64(df))
}

// maxIDF weighs a word the plan never uses.
func (ix *Index) maxIDF() float64 { return ix.idf(1) * 1.2 }

// known reports whether a folded word occurs in the plan, judged by its
// morphological term or, for longer words, all of its bigrams, and returns
// the best estimate of its document frequency.
func (ix *Index) known(base, folded string) (df int, ok bool) {
	if n := ix.dfMorph[base]; n > 0 {
		return n, true
	}
	bs := bigrams(folded)
	if len([]rune(folded)) < 2 || len(bs) == 0 {
		return 0, false
	}
	least := math.MaxInt
	for _, b := range bs {
		n := ix.dfBigram[b]
		if n == 0 {
			return 0, false
		}
		least = min(least, n)
	}
	return least, true
}

// search runs q against bleve and returns hits as item positions with
// scores, best first.
func (ix *Index) search(q query.Query, size int) ([]hit, error) {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	res, err := ix.bleve.Search(req)
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	hits := make([]hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil || i < 0 || i >= len(ix.docs) {
			continue
		}
		hits = append(hits, hit{item: i, bleve: h.Score})
	}
	return hits, nil
}

type hit struct {
	item     int
	bleve    float64
	coverage float64
	score    float64
}

func termQuery(field, term string, boost float64) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func sortLongestFirst(ss []string) {
	slices.SortStableFunc(ss, func(a, b string) int { return len(b) - len(a) })
}
