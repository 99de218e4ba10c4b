package index

// The question path, stage by stage, each in its own file:
//
//	normalize.go   normalise: NFKC, emoji, repeated letters, dialect (data/colloquial.tsv)
//	segment        clauses (splitClauses in words.go), romaji (romaji.go, english.go)
//	words.go       words and variants: kagome, kana readings (kana.go), English (english.go)
//	candidates.go  candidates: the actions bleve finds for the words' plan variants
//	decide.go      decision: intent, evidence, confidence; answer, suggest or not covered
//	reply.go       reply: the text in the question's language

import (
	"slices"
	"strings"

	"planbot/data"
)

// Intent is what a question asks for.
type Intent string

const (
	IntentWho        Intent = "who"         // who handles X (the default)
	IntentDepartment Intent = "department"  // what does department D do
	IntentContact    Intent = "contact"     // the plan's enquiry desk
	IntentSuggest    Intent = "suggest"     // weak evidence: "did you mean" choices
	IntentGreeting   Intent = "greeting"    //
	IntentThanks     Intent = "thanks"      //
	IntentHelp       Intent = "help"        // usage examples
	IntentNotCovered Intent = "not_covered" // nothing in the plan matches well enough
)

// ContactID is the Match.ID of the plan's enquiry desk in a contact answer.
const ContactID = "contact"

// Answer is the platform-neutral reply to one question. Channels format it;
// they never re-interpret the question.
type Answer struct {
	Query      string  `json:"query"`
	Lang       string  `json:"lang"`
	Intent     Intent  `json:"intent"`
	Text       string  `json:"text"`
	Answers    []Match `json:"answers"`
	Department string  `json:"department,omitempty"` // for IntentDepartment
	// Topics is how many separate topics the question asked about: the
	// first Topics answers are one for each, best first (0 or 1: one topic).
	Topics int `json:"topics,omitempty"`
	// Suggestions are the likeliest actions when the evidence is too weak
	// to answer (IntentSuggest); Answers is then empty.
	Suggestions []Match `json:"suggestions,omitempty"`
	// Truncated reports a message too long to read whole: it was answered
	// from its beginning.
	Truncated bool     `json:"truncated,omitempty"`
	Related   []string `json:"related,omitempty"` // follow-up questions to suggest
	// Followup is what a question with no topic of its own asks of the
	// answer before it in a conversation, which the index does not know.
	Followup Followup `json:"followup,omitempty"`
	Plan     PlanInfo `json:"plan"`
}

// Match is one action that answers the question.
type Match struct {
	ID            string   `json:"id"`
	Departments   []string `json:"departments"`
	DepartmentsEN []string `json:"departments_en,omitempty"` // aligned with Departments: "" where a department has no English name
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
	// DeskEN names the desk in English as far as data/departments.tsv
	// names its units ("General Affairs Division, Administrative
	// Management Section"); empty when it names none.
	DeskEN string `json:"desk_en,omitempty"`
}

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

func (ix *Index) answer(raw string) (Answer, error) { return ix.answerWith(raw, DefaultThresholds) }

// answerWith answers with other thresholds, for calibration.
func (ix *Index) answerWith(raw string, t Thresholds) (Answer, error) {
	q := ix.parse(raw)
	a := Answer{Query: raw, Lang: q.lang, Plan: ix.Info(), Answers: []Match{}, Truncated: q.truncated}
	err := ix.decide(q, &a, t)
	a.Followup = ix.followup(q, &a)
	a.Text = ix.render(&a)
	return a, err
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// Info identifies the plan the index answers from and its desk.
func (ix *Index) Info() PlanInfo {
	return PlanInfo{Title: ix.plan.Title, Updated: ix.plan.Updated, Contact: ix.plan.Contact, DeskEN: ix.DeskEnglish(ix.plan.Contact.Desk)}
}

func (ix *Index) match(it data.Item, score float64) Match {
	m := Match{ID: it.ID, Departments: it.Departments, Content: it.Content, Policy: it.Policy,
		Measure: it.Measure, Initiative: it.Initiative, Score: round(score)}
	m.DepartmentsEN = ix.englishNames(it.Departments)
	return m
}

// englishNames returns the English names of depts, aligned with them: ""
// for a department without one. nil when none has one.
func (ix *Index) englishNames(depts []string) []string {
	out := make([]string, len(depts))
	any := false
	for i, d := range depts {
		out[i] = ix.lex.English[d]
		any = any || out[i] != ""
	}
	if !any {
		return nil
	}
	return out
}

// Matches returns the plan's actions with the given IDs, in that order,
// as matches: a conversation's context names actions by ID. IDs the plan
// lacks (a reindex removed them) are skipped.
func (ix *Index) Matches(ids []string) []Match {
	var out []Match
	for _, id := range ids {
		if i := slices.IndexFunc(ix.plan.Items, func(it data.Item) bool { return it.ID == id }); i >= 0 {
			out = append(out, ix.match(ix.plan.Items[i], 0))
		}
	}
	return out
}

// Desk is the plan's enquiry desk as the answer of a contact question
// (ID ContactID): its department (the desk's first word, 総務課 of 総務課
// 行政管理係) and how to reach it. false when the plan names no desk.
func (ix *Index) Desk() (Match, bool) {
	c := ix.plan.Contact
	if strings.TrimSpace(c.Desk) == "" {
		return Match{}, false
	}
	m := Match{ID: ContactID, Departments: []string{}, Content: strings.TrimSpace(c.Desk)}
	if f := strings.Fields(c.Desk); len(f) > 0 {
		m.Departments = append(m.Departments, f[0])
		m.DepartmentsEN = ix.englishNames(m.Departments)
	}
	if c.Postal != "" || c.Address != "" {
		m.Content += "\n〒" + c.Postal + " " + c.Address
	}
	if c.Phone != "" {
		m.Content += "\n電話番号: " + c.Phone
	}
	m.Score = 1
	return m, true
}
