package bot

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"planbot/data"
	"planbot/index"
)

// Outcomes of a question, as the admin page charts them.
const (
	Answered   = "answered"    // an action, a department's actions or the plan's desk
	Suggested  = "suggested"   // did you mean: up to three likely actions
	NotCovered = "not_covered" // the plan does not say
)

// OutcomeOf is how a question was answered; "" for small talk (a
// greeting, thanks, a request for help), which is no question about the
// plan and is not counted.
func OutcomeOf(a index.Answer) string {
	switch a.Intent {
	case index.IntentGreeting, index.IntentThanks, index.IntentHelp:
		return ""
	case index.IntentSuggest:
		return Suggested
	case index.IntentNotCovered:
		return NotCovered
	}
	return Answered
}

// StatsDays is how many days the admin page charts and the stores keep.
const StatsDays = 30

// jst is the city's time zone (Japan has no daylight saving time): the
// charts' days are the city's days, wherever the service runs.
var jst = time.FixedZone("JST", 9*60*60)

// DayOf is the date of t in Japan, 2006-01-02.
func DayOf(t time.Time) string { return t.In(jst).Format(time.DateOnly) }

// LastDays are the n dates up to the one of end, oldest first.
func LastDays(end time.Time, n int) []string {
	end = end.In(jst)
	out := make([]string, n)
	for i := range out {
		out[i] = end.AddDate(0, 0, i-n+1).Format(time.DateOnly)
	}
	return out
}

// Day is one day's questions by channel (web, line, slack) and by
// outcome: counts only, never who asked or what.
type Day struct {
	Date     string         `json:"date"`
	Channels map[string]int `json:"channels"`
	Outcomes map[string]int `json:"outcomes"`
}

// Daily counts questions per day by channel and outcome for the admin
// charts. Stores keep at least StatsDays days and forget older ones.
type Daily interface {
	Count(ctx context.Context, date, channel, outcome string) error
	// Days returns the counts of the dates asked for, in their order; a
	// date with no questions has empty maps.
	Days(ctx context.Context, dates []string) ([]Day, error)
}

// MemDaily is an in-process Daily holding the last StatsDays+1 dates
// counted (today in full, and StatsDays before it).
type MemDaily struct {
	mu   sync.Mutex
	days map[string]*Day
}

func (m *MemDaily) Count(_ context.Context, date, channel, outcome string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.days == nil {
		m.days = map[string]*Day{}
	}
	d, ok := m.days[date]
	if !ok {
		d = &Day{Date: date, Channels: map[string]int{}, Outcomes: map[string]int{}}
		m.days[date] = d
		for len(m.days) > StatsDays+1 { // dates sort as text: forget the oldest
			keys := make([]string, 0, len(m.days))
			for k := range m.days {
				keys = append(keys, k)
			}
			delete(m.days, slices.Min(keys))
		}
	}
	d.Channels[channel]++
	d.Outcomes[outcome]++
	return nil
}

func (m *MemDaily) Days(_ context.Context, dates []string) ([]Day, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Day, len(dates))
	for i, date := range dates {
		out[i] = Day{Date: date, Channels: map[string]int{}, Outcomes: map[string]int{}}
		if d, ok := m.days[date]; ok {
			for k, v := range d.Channels {
				out[i].Channels[k] = v
			}
			for k, v := range d.Outcomes {
				out[i].Outcomes[k] = v
			}
		}
	}
	return out, nil
}

// Word is how many questions used a word.
type Word struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// noTopic are the word classes of data/wordclasses.tsv that say how a
// question is asked, not what it is about: question words, the asker,
// feelings, the plan itself, small talk, English function words. Details
// the plan never gives (開館時間) and procedures (予約) stay: they are
// what residents wanted.
var noTopic = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	classes, err := data.ParseWordClasses(bytes.NewReader(data.WordClassesText()))
	if err != nil {
		return out // the embedded table is tested in data
	}
	for _, c := range []string{"ask", "asker", "meta", "mood", "contact", "contact-trigger", "opinion", "dept-what",
		"category", "greeting", "thanks", "help", "en-stop", "near", "where"} {
		for _, w := range classes[c] {
			out[w] = true
		}
	}
	return out
})

// analyser is the index's own analysis of Japanese and English, as
// registered with bleve: its normalisation (NFKC, lower case), then kagome
// base forms.
type analyser struct {
	norm  analysis.CharFilter
	words analysis.Analyzer
}

var morph = sync.OnceValues(func() (analyser, error) {
	c := registry.NewCache()
	norm, err := c.CharFilterNamed(index.CharFilterNFKC)
	if err != nil {
		return analyser{}, err
	}
	words, err := c.AnalyzerNamed(index.AnalyzerMorph)
	return analyser{norm: norm, words: words}, err
})

// TopWords counts the topic words of questions, each word once a
// question, and returns the n most frequent (ties in first-seen order).
// Words are the index's analysis of the text: base forms, with
// compounds the analyser splits for search (駐車 場) joined again, and
// without the words of how a question is asked.
func TopWords(qs []string, n int) []Word {
	a, err := morph()
	if err != nil {
		return nil
	}
	skip := noTopic()
	counts := map[string]int{}
	var order []string
	for _, q := range qs {
		seen := map[string]bool{}
		for _, w := range topicWords(a, q, skip) {
			if seen[w] {
				continue
			}
			seen[w] = true
			if counts[w] == 0 {
				order = append(order, w)
			}
			counts[w]++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	out := make([]Word, 0, min(n, len(order)))
	for _, w := range order[:min(n, len(order))] {
		out = append(out, Word{Word: w, Count: counts[w]})
	}
	return out
}

// topicWords are q's words that say what it is about. The analyser
// splits compounds for search (駐車|場, 開館|時間): adjacent words written
// as their base form are joined again, a one-letter word of how questions
// are asked (場, 課) included when it ends one. Inflected verbs and
// adjectives (開いて, 足りなくて) are left out: nouns name what was asked for.
func topicWords(a analyser, q string, skip map[string]bool) []string {
	type tok struct {
		term       string
		start, end int
		plain      bool // written as its base form
	}
	// The analyser normalises again, which changes nothing: the offsets
	// of its words are those in text.
	text := a.norm.Filter([]byte(q))
	var toks []tok
	for _, t := range a.words.Analyze(text) {
		term := string(t.Term)
		if !strings.ContainsFunc(term, unicode.IsLetter) {
			continue
		}
		plain := t.Start >= 0 && t.End <= len(text) && string(text[t.Start:t.End]) == term
		if !plain && endsInHiragana(term) {
			continue
		}
		toks = append(toks, tok{term: term, start: t.Start, end: t.End, plain: plain})
	}
	joins := func(prev, next tok) bool {
		return prev.plain && next.plain && next.start == prev.end && !isLatin(next.term) &&
			(!skip[next.term] || utf8.RuneCountInString(next.term) == 1)
	}
	var out []string
	for i := 0; i < len(toks); i++ {
		if skip[toks[i].term] {
			continue
		}
		w := toks[i].term
		for i+1 < len(toks) && joins(toks[i], toks[i+1]) {
			i++
			w += toks[i].term
		}
		if utf8.RuneCountInString(w) > 1 || !isLatin(w) && !isKana(w) {
			out = append(out, w)
		}
	}
	return out
}

func endsInHiragana(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.Is(unicode.Hiragana, r)
}

func isLatin(s string) bool { r, _ := utf8.DecodeRuneInString(s); return r < 0x80 }

func isKana(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.In(r, unicode.Hiragana, unicode.Katakana)
}
