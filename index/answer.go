package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"planbot/data"
)

// Intent is what a question asks for.
type Intent string

const (
	IntentWho        Intent = "who"         // who handles X (the default)
	IntentDepartment Intent = "department"  // what does department D do
	IntentContact    Intent = "contact"     // the plan's enquiry desk
	IntentGreeting   Intent = "greeting"    //
	IntentThanks     Intent = "thanks"      //
	IntentHelp       Intent = "help"        // usage examples
	IntentNotCovered Intent = "not_covered" // nothing in the plan matches well enough
)

// Answer is the platform-neutral reply to one question. Channels format it;
// they never re-interpret the question.
type Answer struct {
	Query      string   `json:"query"`
	Lang       string   `json:"lang"`
	Intent     Intent   `json:"intent"`
	Text       string   `json:"text"`
	Answers    []Match  `json:"answers"`
	Department string   `json:"department,omitempty"` // for IntentDepartment
	Related    []string `json:"related,omitempty"`    // follow-up questions to suggest
	Plan       PlanInfo `json:"plan"`
}

// Match is one action that answers the question.
type Match struct {
	ID            string   `json:"id"`
	Departments   []string `json:"departments"`
	DepartmentsEN []string `json:"departments_en,omitempty"`
	Content       string   `json:"content"`
	Policy        string   `json:"policy"`
	Measure       string   `json:"measure"`
	Initiative    string   `json:"initiative"`
	Score         float64  `json:"score"`
}

// Path is "policy › measure › initiative".
func (m Match) Path() string { return m.Policy + " › " + m.Measure + " › " + m.Initiative }

// PlanInfo identifies the plan an answer comes from and where to ask more.
type PlanInfo struct {
	Title   string       `json:"title"`
	Updated string       `json:"updated"`
	Contact data.Contact `json:"contact"`
}

// Ranking thresholds. Coverage is the weighted share of a question's
// content words found in an action; below minCoverage the plan does not
// cover the question.
const (
	minCoverage  = 0.5
	maxMatches   = 5
	relatedRatio = 0.6 // further matches must score this share of the best
	candidates   = 20
)

// Ask answers one question. It never fails: a search error is reported as
// not covered and wrapped in err for the caller's log. Answers are cached
// per index by normalised question, so residents' frequent questions cost
// a lookup and a reindex (a new Index) starts afresh.
func (ix *Index) Ask(raw string) (Answer, error) {
	key := normalize(strings.TrimSpace(raw))
	if a, ok := ix.cache.Get(key); ok {
		a.Query = raw
		return a, nil
	}
	a, err := ix.answer(raw)
	if err == nil {
		ix.cache.Add(key, a)
	}
	return a, err
}

func (ix *Index) answer(raw string) (Answer, error) {
	q := ix.parse(raw)
	a := Answer{Query: raw, Lang: q.lang, Plan: ix.info(), Answers: []Match{}}
	if in, ok := smallTalk(q); ok {
		a.Intent = in
		a.Related = ix.examples(q.lang)
		a.Text = ix.render(&a)
		return a, nil
	}
	if d, ok := ix.departmentAsked(q); ok {
		a.Intent, a.Department = IntentDepartment, d
		for _, it := range ix.plan.ItemsOf(d) {
			a.Answers = append(a.Answers, ix.match(it, 1))
		}
		a.Text = ix.render(&a)
		return a, nil
	}
	if ix.contactAsked(q) {
		a.Intent = IntentContact
		a.Text = ix.render(&a)
		return a, nil
	}
	hits, err := ix.rank(q)
	a.Intent = IntentWho
	if err != nil || len(hits) == 0 {
		a.Intent = IntentNotCovered
		a.Related = ix.examples(q.lang)
	}
	for _, h := range hits {
		a.Answers = append(a.Answers, ix.match(ix.plan.Items[h.item], round(h.score)))
	}
	a.Related = append(a.Related, ix.related(hits)...)
	a.Text = ix.render(&a)
	return a, err
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func (ix *Index) info() PlanInfo {
	return PlanInfo{Title: ix.plan.Title, Updated: ix.plan.Updated, Contact: ix.plan.Contact}
}

func (ix *Index) match(it data.Item, score float64) Match {
	m := Match{ID: it.ID, Departments: it.Departments, Content: it.Content, Policy: it.Policy,
		Measure: it.Measure, Initiative: it.Initiative, Score: score}
	for _, d := range it.Departments {
		if en := ix.lex.English[d]; en != "" {
			m.DepartmentsEN = append(m.DepartmentsEN, en)
		}
	}
	return m
}

// smallTalk recognises greetings, thanks and requests for help: short
// messages made only of such words.
func smallTalk(q *question) (Intent, bool) {
	words := q.terms(false)
	if q.lang == Japanese && len(words) == 0 {
		words = []string{strings.Trim(q.norm, "!?！？。、 ")}
	}
	if strings.Trim(q.norm, " !?！？。.、") == "" {
		return IntentHelp, true
	}
	for _, c := range []struct {
		in  Intent
		set map[string]bool
	}{{IntentHelp, helpWords}, {IntentThanks, thanks}, {IntentGreeting, greetings}} {
		if allIn(words, c.set) || c.set[strings.Trim(q.norm, " !?！？。.、")] {
			return c.in, true
		}
	}
	return "", false
}

// allIn reports whether words hold a word of set and otherwise only stop
// words and single letters.
func allIn(words []string, set map[string]bool) bool {
	found := false
	for _, w := range words {
		if set[w] {
			found = true
		} else if !enStop[w] && utf8Len(w) > 1 {
			return false
		}
	}
	return found
}

func utf8Len(s string) int { return len([]rune(s)) }

// departmentAsked finds a question about what a department does: it names
// a department (in Japanese, or by its English keywords) and asks nothing
// else.
func (ix *Index) departmentAsked(q *question) (string, bool) {
	if q.lang == English {
		for _, d := range ix.depts {
			keys := ix.deptKeys[d]
			if len(keys) == 0 || !containsAll(q.words, keys) {
				continue
			}
			rest := 0
			for _, w := range q.words {
				if !slices.Contains(keys, w) && !deptWhat[w] && !enStop[w] && w != "division" && w != "department" {
					rest++
				}
			}
			if rest == 0 {
				return d, true
			}
		}
		return "", false
	}
	for _, d := range ix.depts {
		i := strings.Index(q.norm, normalize(d))
		if i < 0 {
			continue
		}
		rest := q.norm[:i] + " " + q.norm[i+len(normalize(d)):]
		ms, _ := morphemes(rest)
		for _, m := range ms {
			if !deptWhat[m.base] && !jaStop[m.base] && !deptWhat[m.surface] {
				return "", false
			}
		}
		return d, true
	}
	return "", false
}

func containsAll(words, keys []string) bool {
	for _, k := range keys {
		if !slices.Contains(words, k) {
			return false
		}
	}
	return true
}

// contactAsked reports a question for the enquiry desk itself: it has a
// contact word and no topic.
func (ix *Index) contactAsked(q *question) bool {
	words := q.terms(true)
	trigger := false
	for _, w := range words {
		if contactTriggers[w] {
			trigger = true
		} else if !contactWords[w] && !enStop[w] && !jaStop[w] {
			return false
		}
	}
	return trigger
}

// rank searches the index and re-ranks candidates by coverage; it returns
// nothing when no action covers the question well enough.
func (ix *Index) rank(q *question) ([]hit, error) {
	var qs []query.Query
	for _, g := range q.groups {
		for _, v := range g.variants {
			if ix.dfMorph[v.base] > 0 {
				qs = append(qs,
					termQuery(fContent, v.base, v.boost),
					termQuery(fInitiative, v.base, 0.5*v.boost),
					termQuery(fDept, v.base, v.boost))
			}
			for _, b := range bigrams(v.folded) {
				qs = append(qs, termQuery(fContentBi, b, 0.25*v.boost), termQuery(fDeptBi, b, 0.25*v.boost))
			}
		}
	}
	var kana []rune
	if q.unread > 0 { // kana the words do not explain are sought in the readings
		kana = []rune(strings.Join(strings.FieldsFunc(fold(q.norm), func(r rune) bool { return !isKana(r) }), ""))
		for _, b := range bigrams(string(kana)) {
			qs = append(qs, termQuery(fReading, b, 0.3))
		}
	}
	if len(qs) == 0 {
		return nil, nil
	}
	hits, err := ix.search(bleve.NewDisjunctionQuery(qs...), candidates)
	if err != nil || len(hits) == 0 {
		return nil, err
	}
	top := hits[0].bleve
	for i := range hits {
		h := &hits[i]
		d := &ix.docs[h.item]
		h.coverage = coverage(q.groups, d)
		if q.unread > 0 {
			h.coverage = max(h.coverage, kanaCoverage(kana, d))
		}
		h.score = 0.7*h.coverage + 0.3*h.bleve/top
	}
	slices.SortFunc(hits, func(a, b hit) int { // ties in plan order: the same answer every time
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.item, b.item))
	})
	if hits[0].coverage < minCoverage {
		return nil, nil
	}
	out := hits[:1]
	for _, h := range hits[1:] {
		if len(out) == maxMatches || h.score < relatedRatio*hits[0].score || h.coverage < minCoverage*0.8 {
			break
		}
		out = append(out, h)
	}
	return out, nil
}

// coverage is the weighted share of the question's groups matched by d.
func coverage(groups []group, d *doc) float64 {
	var total, got float64
	for _, g := range groups {
		total += g.weight
		got += g.weight * groupMatch(g, d)
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// groupMatch is 1 when a variant occurs in d, a fraction for a near miss
// (a typo shares most bigrams), else 0.
func groupMatch(g group, d *doc) float64 {
	best := 0.0
	for _, v := range g.variants {
		if d.morph[v.base] || (utf8Len(v.folded) >= 2 && strings.Contains(d.folded, v.folded)) {
			return 1 // a synonym or translation found is the concept found; boosts only rank
		}
		if utf8Len(v.folded) >= 3 && strings.Contains(d.reading, v.folded) {
			return 0.9 * v.boost
		}
		if bs := bigrams(v.folded); len(bs) >= 2 {
			n := 0
			for _, b := range bs {
				if strings.Contains(d.folded, b) {
					n++
				}
			}
			if r := float64(n) / float64(len(bs)); r >= 0.5 {
				best = max(best, 0.8*r*v.boost)
			}
		}
	}
	return best
}

// kanaCoverage is the share of a kana question found in the reading of d,
// in pieces of at least four characters so that chance pairs do not count.
func kanaCoverage(folded []rune, d *doc) float64 {
	if len(folded) == 0 {
		return 0
	}
	covered := 0
	for i := 0; i < len(folded); {
		j := len(folded)
		for ; j-i >= 4 && !strings.Contains(d.reading, string(folded[i:j])); j-- {
		}
		if j-i >= 4 {
			covered += j - i
			i = j
		} else {
			i++
		}
	}
	return float64(covered) / float64(len(folded))
}

// related suggests the initiatives of further hits as follow-up topics.
func (ix *Index) related(hits []hit) []string {
	var out []string
	for _, h := range hits {
		t := ix.plan.Items[h.item].Initiative
		if !slices.Contains(out, t) {
			out = append(out, t)
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
			out = append(out, fmt.Sprintf("What does the %s do?", ix.lex.englishNameOnly(d)))
		} else {
			out = append(out, d+"は何をしていますか")
		}
	}
	return out
}

func (l *Lexicon) englishNameOnly(d string) string {
	if en := l.English[d]; en != "" {
		return en
	}
	return d
}
