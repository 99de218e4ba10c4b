package bot

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"planbot/bot/chart"
)

// What the admin page charts: questions per day by channel and outcome,
// feedback per action, and the words of questions the plan does not
// cover. Counts and words only: nothing says who asked.

// wordsFrom is how many of the latest not-covered questions the word
// chart reads (the stores keep 200).
const wordsFrom = 200

// topN bounds the rows of the feedback and word charts.
const topN = 15

// insight is GET /admin/stats.
type insight struct {
	Days      []Day  `json:"days"`       // the last StatsDays days (Japan time), oldest first
	Words     []Word `json:"words"`      // the most frequent words of the latest not-covered questions
	WordsFrom int    `json:"words_from"` // how many questions the words are counted over
}

func (d Deps) insight(ctx context.Context) (insight, error) {
	days, err := d.Metrics.Daily.Days(ctx, LastDays(time.Now(), StatsDays))
	if err != nil {
		return insight{}, err
	}
	words, from, err := d.words(ctx)
	if err != nil {
		return insight{}, err
	}
	return insight{Days: days, Words: words, WordsFrom: from}, nil
}

// words are the most frequent words of the latest not-covered questions,
// and how many questions they are counted over.
func (d Deps) words(ctx context.Context) ([]Word, int, error) {
	qs, err := d.Unanswered.Recent(ctx, wordsFrom)
	if err != nil {
		return nil, 0, err
	}
	texts := make([]string, len(qs))
	for i, q := range qs {
		texts[i] = masked.ReplaceAllString(q.Text, " ")
	}
	return TopWords(texts, topN), len(qs), nil
}

// masked matches the placeholders Mask leaves in the log (〔電話番号〕):
// they are no words of the question.
var masked = regexp.MustCompile(`〔[^〔〕]*〕`)

func handleStats(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := d.insight(r.Context())
		if err != nil {
			d.Logger.Error("admin stats", "err", err)
			storeDown(w, "cannot read the statistics; try again shortly")
			return
		}
		writeJSON(w, http.StatusOK, in)
	})
}

// charts are GET /admin/charts/{name}: SVG images the admin page inlines,
// the days as columns, actions and words as rows.
var charts = map[string]struct {
	data    func(d Deps, ctx context.Context) (chart.Chart, error)
	columns bool
}{
	"channels.svg": {func(d Deps, ctx context.Context) (chart.Chart, error) { return d.daysChart(ctx, "channels") }, true},
	"outcomes.svg": {func(d Deps, ctx context.Context) (chart.Chart, error) { return d.daysChart(ctx, "outcomes") }, true},
	"feedback.svg": {Deps.feedbackChart, false},
	"words.svg":    {Deps.wordsChart, false},
}

func handleChart(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		kind, ok := charts[name]
		if !ok {
			writeError(w, http.StatusNotFound, "no such chart: channels.svg, outcomes.svg, feedback.svg or words.svg")
			return
		}
		c, err := kind.data(d, r.Context())
		if err != nil {
			d.Logger.Error("admin chart", "chart", name, "err", err)
			storeDown(w, "cannot draw the chart; try again shortly")
			return
		}
		svg := c.Rows()
		if kind.columns {
			svg = c.Columns()
		}
		h := w.Header()
		h.Set("Content-Type", "image/svg+xml; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		// An image: nothing to load or run; still framed by no site, as
		// frame-ancestors does not fall back to default-src.
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		w.Write(svg)
	})
}

// The series of the day charts, in legend order; a channel or outcome
// not listed here (none today) is drawn after them.
var (
	channelSeries = []chart.Series{{Name: "ウェブ web", Color: "#0b6bcb"}, {Name: "LINE", Color: "#06c755"}, {Name: "Slack", Color: "#611f69"}}
	channelKeys   = []string{"web", "line", "slack"}
	outcomeSeries = []chart.Series{{Name: "回答 answered", Color: "#2e7d32"}, {Name: "候補 suggested", Color: "#e0a100"},
		{Name: "対象外 not covered", Color: "#c62828"}}
	outcomeKeys = []string{Answered, Suggested, NotCovered}
	otherColors = []string{"#5b6776", "#8a6d3b", "#00838f"}
)

// daysChart draws the last StatsDays days by channel or by outcome.
func (d Deps) daysChart(ctx context.Context, by string) (chart.Chart, error) {
	days, err := d.Metrics.Daily.Days(ctx, LastDays(time.Now(), StatsDays))
	if err != nil {
		return chart.Chart{}, err
	}
	c := chart.Chart{Title: "日別の質問（チャネル別） / questions per day by channel",
		Empty: "この30日間の質問はまだありません / no questions in the last 30 days"}
	series, keys := slices.Clone(channelSeries), slices.Clone(channelKeys)
	pick := func(day Day) map[string]int { return day.Channels }
	if by == "outcomes" {
		c.Title = "日別の質問（結果別） / questions per day by outcome"
		series, keys = slices.Clone(outcomeSeries), slices.Clone(outcomeKeys)
		pick = func(day Day) map[string]int { return day.Outcomes }
	}
	for _, day := range days {
		for k := range pick(day) {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
				series = append(series, chart.Series{Name: k, Color: otherColors[(len(series)-3)%len(otherColors)]})
			}
		}
	}
	for i := range series {
		series[i].Values = make([]int, len(days))
	}
	for j, day := range days {
		t, _ := time.Parse(time.DateOnly, day.Date)
		c.Labels = append(c.Labels, t.Format("1/2"))
		c.Hints = append(c.Hints, day.Date)
		for i, k := range keys {
			series[i].Values[j] = pick(day)[k]
		}
	}
	c.Series = series
	return c, nil
}

// feedbackChart draws the votes of the actions of the plan served, the
// most voted first.
func (d Deps) feedbackChart(ctx context.Context) (chart.Chart, error) {
	fb, err := d.feedback(ctx)
	if err != nil {
		return chart.Chart{}, err
	}
	acts := slices.Clone(fb.Actions)
	slices.SortStableFunc(acts, func(a, b actionVotes) int {
		return (b.Helpful + b.NotHelpful) - (a.Helpful + a.NotHelpful)
	})
	acts = acts[:min(len(acts), topN)]
	c := chart.Chart{Title: "取り組みごとの評価 / feedback per action", Empty: "評価はまだありません / no feedback yet",
		Series: []chart.Series{{Name: "👍 役に立った helpful", Color: "#2e7d32"}, {Name: "👎 役に立たなかった not helpful", Color: "#c62828"}}}
	for _, a := range acts {
		c.Labels = append(c.Labels, a.ID+" "+strings.Join(a.Departments, "・"))
		c.Hints = append(c.Hints, a.ID+" ["+strings.Join(a.Departments, "・")+"] "+a.Content)
		c.Series[0].Values = append(c.Series[0].Values, a.Helpful)
		c.Series[1].Values = append(c.Series[1].Values, a.NotHelpful)
	}
	return c, nil
}

// wordsChart draws the most frequent words of the latest not-covered
// questions: what residents ask that the plan does not say.
func (d Deps) wordsChart(ctx context.Context) (chart.Chart, error) {
	words, from, err := d.words(ctx)
	if err != nil {
		return chart.Chart{}, err
	}
	c := chart.Chart{Title: fmt.Sprintf("回答できなかった質問（最新 %d 件）に多い言葉 / frequent words of the latest %d not-covered questions", from, from),
		Empty:  "回答できなかった質問はまだありません / no not-covered questions yet",
		Series: []chart.Series{{Name: "質問数 questions", Color: "#0b6bcb"}}}
	for _, w := range words {
		c.Labels = append(c.Labels, w.Word)
		c.Series[0].Values = append(c.Series[0].Values, w.Count)
	}
	return c, nil
}
