package index

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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
	// deptsOf maps a morphological term to the departments of the actions
	// that use it: a word of many actions may still single out one
	// department (行政区: 総務課).
	deptsOf  map[string][]string
	nDepts   int
	verbal   map[string]bool     // plan words that are verbs or adjectives (持つ), for words found by reading
	depts    []string            // distinct departments, longest name first
	title    map[string]bool     // the words of the plan's title: a question with them asks of the plan
	names    []deptName          // how questions name the departments
	readings map[string][]string // loose-folded reading → plan words and synonyms, for kana questions
	strict   map[string]bool     // the same readings folded strictly, for short ones (see looseOK)
	// wildcards maps the plan's kanji words, one kanji replaced by '?',
	// to the words: for kanji typed by the wrong reading (typo.go).
	wildcards map[string][]string
	cache     *lru.Cache[string, Answer]
}

// batchSize bounds the actions indexed at once, and so the memory of a
// reindex: 2,000 keep a 10 MB plan under 400 MB (docs/benchmarks.md).
const batchSize = 2000

// wordSet is a sorted set of words: every action keeps two, and a map of
// the same words takes twice the memory and more.
type wordSet []string

func newWordSet(ws []string) wordSet {
	slices.Sort(ws)
	return append(wordSet(nil), slices.Compact(ws)...) // exactly as long
}

func (s wordSet) has(w string) bool {
	_, ok := slices.BinarySearch(s, w)
	return ok
}

// cacheSize is how many distinct questions an index remembers answers to.
const cacheSize = 4096

// doc is what the decision needs of an action beyond bleve's score.
type doc struct {
	morph      wordSet // morphological terms of content and initiative
	folded     string  // folded content and initiative
	deptMorph  wordSet // morphological terms of the departments' names, and the names
	deptFolded string  // folded departments' names
}

// New indexes every action of p. The lexicon may be shared between indexes.
func New(p *data.Plan, lex *Lexicon) (*Index, error) {
	if p == nil {
		return nil, fmt.Errorf("index: no plan")
	}
	m := bleve.NewIndexMapping()
	dm := bleve.NewDocumentStaticMapping()
	for field, analyzer := range map[string]string{
		fContent: AnalyzerMorph, fContentBi: AnalyzerBigram,
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
	ix := &Index{plan: p, lex: lex, bleve: bi, dfMorph: map[string]int{}, dfBigram: map[string]int{}, deptsOf: map[string][]string{}, verbal: map[string]bool{}, readings: map[string][]string{}, strict: map[string]bool{}, cache: cache}
	batch := bi.NewBatch()
	for i, it := range p.Items {
		depts := strings.Join(it.Departments, " ")
		titles := it.Initiative + "\n" + it.Measure
		if err := batch.Index(strconv.Itoa(i), map[string]any{
			fContent: it.Content, fContentBi: it.Content + "\n" + it.Initiative,
			fInitiative: titles, fDept: depts, fDeptBi: depts,
		}); err != nil {
			return nil, fmt.Errorf("index: action %s: %w", it.ID, err)
		}
		ix.docs = append(ix.docs, ix.describe(it))
		if batch.Size() >= batchSize { // bleve holds a batch's analysis until its segment is built
			if err := bi.Batch(batch); err != nil {
				return nil, fmt.Errorf("index: batch: %w", err)
			}
			batch.Reset()
		}
	}
	if err := bi.Batch(batch); err != nil {
		return nil, fmt.Errorf("index: batch: %w", err)
	}
	ix.addSynonymReadings()
	ix.depts = p.Departments()
	ix.nDepts = len(ix.depts)
	sortLongestFirst(ix.depts)
	ix.names = ix.departmentNames()
	ix.title = map[string]bool{}
	tms, _ := morphemes(normalize(p.Title))
	for _, m := range append(tms, compounds(normalize(p.Title), tms)...) {
		if m.noun && utf8.RuneCountInString(m.base) >= 2 && ix.dfMorph[m.base] == 0 {
			ix.title[m.base] = true // 行財政, 大綱; not 計画, which actions use too
			ix.addReading(m.reading, m.base)
		}
	}
	ix.addWildcards()
	return ix, nil
}

// describe analyses an item for the decision and counts its terms.
func (ix *Index) describe(it data.Item) doc {
	text := normalize(it.Content + "\n" + it.Initiative)
	depts := normalize(strings.Join(it.Departments, "\n"))
	d := doc{folded: fold(text), deptFolded: fold(depts)}
	var morph, deptMorph []string
	seen := map[string]bool{}
	count := func(w string) {
		if !seen[w] {
			seen[w] = true
			ix.dfMorph[w]++
			for _, dept := range it.Departments {
				if !slices.Contains(ix.deptsOf[w], dept) {
					ix.deptsOf[w] = append(ix.deptsOf[w], dept)
				}
			}
		}
	}
	ms, _ := morphemes(text)
	ms = append(ms, compounds(text, ms)...)
	ix.addReadings(ms)
	for _, m := range ms {
		morph = append(morph, m.base)
		count(m.base)
		if m.verbal {
			ix.verbal[m.base] = true
		}
	}
	ms, _ = morphemes(depts)
	ms = append(ms, compounds(depts, ms)...)
	ix.addReadings(ms)
	for _, m := range ms {
		deptMorph = append(deptMorph, m.base)
		count(m.base)
	}
	for _, name := range it.Departments {
		deptMorph = append(deptMorph, normalize(name))
		count(normalize(name))
	}
	d.morph, d.deptMorph = newWordSet(morph), newWordSet(deptMorph)
	seen = map[string]bool{}
	for _, b := range append(bigrams(d.folded), bigrams(d.deptFolded)...) {
		if !seen[b] {
			seen[b] = true
			ix.dfBigram[b]++
		}
	}
	return d
}

// compounds returns the nouns of two or three words that text writes
// together (投書|箱, 接|遇, 行政|区), and of two verb stems (読み|聞かせ):
// kagome splits them in search mode, and a question names them whole. A compound's reading is its words' readings,
// the later ones also voiced as compounds voice them (投書箱: トウショバコ).
func compounds(text string, ms []morpheme) []morpheme {
	var out []morpheme
	for i := range ms {
		for n := 2; n <= 3 && i+n <= len(ms); n++ {
			run := ms[i : i+n]
			joined, verbal := true, false
			for j := 1; j < n; j++ {
				if !(run[j-1].noun || run[j-1].verbal) || !(run[j].noun || run[j].verbal) || run[j-1].end != run[j].start {
					joined = false
				}
			}
			for _, m := range run {
				verbal = verbal || m.verbal
			}
			if verbal && !verbCompound(run) {
				continue // 読み|聞かせ is one word; 発信|し, a verb's longer runs are phrases
			}
			if !joined || !strings.ContainsFunc(text[run[0].start:run[n-1].end], isHan) {
				continue
			}
			w := text[run[0].start:run[n-1].end]
			var reading, voiced strings.Builder
			for j, m := range run {
				reading.WriteString(m.reading)
				if j > 0 {
					voiced.WriteString(rendaku(m.reading))
				} else {
					voiced.WriteString(m.reading)
				}
			}
			c := morpheme{base: w, surface: w, reading: reading.String(), start: run[0].start, end: run[n-1].end, noun: true, known: true}
			out = append(out, c)
			if v := voiced.String(); v != c.reading {
				c.reading = v
				out = append(out, c)
			}
		}
	}
	return out
}

// verbCompound reports whether ms are two verb stems written together
// (読み|聞か), neither of them a light verb (する, なる, できる).
func verbCompound(ms []morpheme) bool {
	return len(ms) == 2 && !slices.ContainsFunc(ms, func(m morpheme) bool {
		return !m.verbal || m.base == "する" || m.base == "なる" || m.base == "できる"
	})
}

// rendaku voices the first kana of a reading as the later word of a
// compound often is (ハコ: バコ).
func rendaku(r string) string {
	first, size := utf8.DecodeRuneInString(r)
	if v, ok := voiced[first]; ok {
		return string(v) + r[size:]
	}
	return r
}

var voiced = map[rune]rune{'カ': 'ガ', 'キ': 'ギ', 'ク': 'グ', 'ケ': 'ゲ', 'コ': 'ゴ', 'サ': 'ザ', 'シ': 'ジ', 'ス': 'ズ', 'セ': 'ゼ',
	'ソ': 'ゾ', 'タ': 'ダ', 'チ': 'ヂ', 'ツ': 'ヅ', 'テ': 'デ', 'ト': 'ド', 'ハ': 'バ', 'ヒ': 'ビ', 'フ': 'ブ', 'ヘ': 'ベ', 'ホ': 'ボ'}

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

// spec is the specificity of a word used by df actions, in (0, 1]: 1 for
// a word of one action.
func (ix *Index) spec(df int) float64 { return ix.idf(df) / ix.idf(1) }

// weightOf is how specific a plan word used by df actions is: as specific
// as it is among the actions, or among the departments if it singles out
// fewer of them (行政区: four actions, one department).
func (ix *Index) weightOf(w string, df int) float64 {
	a := ix.spec(df)
	if n := len(ix.deptsOf[w]); n > 0 && ix.nDepts > 1 {
		a = max(a, math.Log(1+float64(ix.nDepts)/float64(n))/math.Log(1+float64(ix.nDepts)))
	}
	return a
}

// known reports whether a folded word occurs in the plan, judged by its
// morphological term or, for longer words, all of its bigrams, and returns
// the best estimate of its document frequency.
func (ix *Index) known(base, folded string) (df int, ok bool) {
	if n := ix.dfMorph[base]; n > 0 {
		return n, true
	}
	bs := bigrams(folded)
	if n := len([]rune(folded)); n < 2 || len(bs) == 0 || n == 2 && !isASCIIWord(folded) {
		return 0, false // two kanji or kana must be a word of the plan: 水道 is not 下水道's
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

func termQuery(field, term string, boost float64) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

func sortLongestFirst(ss []string) {
	slices.SortStableFunc(ss, func(a, b string) int { return len(b) - len(a) })
}
