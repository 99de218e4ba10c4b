package bot_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"planbot/bot"
	"planbot/bot/line"
	"planbot/data/versions"
	"planbot/index"
)

// newServiceWith is newService with the Deps edited before the server is
// built (seeded stores, another lexicon).
func newServiceWith(t testing.TB, token string, lex *index.Lexicon, edit func(*bot.Deps)) *service {
	t.Helper()
	if lex == nil {
		var err error
		if lex, err = lexicon(); err != nil {
			t.Fatal(err)
		}
	}
	store, err := versions.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &index.Reloader{Live: &index.Live{}, Lexicon: lex, Store: store}
	if _, err := r.Boot(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := bot.Deps{Live: r.Live, Reloader: r, AdminToken: token, TrustedProxies: loopback}
	if edit != nil {
		edit(&d)
	}
	srv := httptest.NewServer(bot.NewServer(d))
	t.Cleanup(srv.Close)
	return &service{Server: srv, reloader: r}
}

// svgElement is an element of a chart as served.
type svgElement struct {
	class, title string
	attr         map[string]string
}

// parseSVG checks that b is well-formed XML with an <svg> root and returns
// its elements.
func parseSVG(t *testing.T, b []byte) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var out []svgElement
	var stack []int // indices in out of the open elements
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, b)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := svgElement{attr: map[string]string{}}
			for _, a := range tk.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			e.class = e.attr["class"]
			if len(out) == 0 && tk.Name.Local != "svg" {
				t.Fatalf("root %s, want svg", tk.Name.Local)
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			// A <title>'s text is its parent's tooltip.
			if n := len(stack); n > 1 && out[stack[n-1]].class == "" && len(out[stack[n-1]].attr) == 0 {
				out[stack[n-2]].title += string(tk)
			}
		}
	}
	return out
}

func classed(es []svgElement, class string) []svgElement {
	var out []svgElement
	for _, e := range es {
		if e.class == class {
			out = append(out, e)
		}
	}
	return out
}

func (s *service) chart(t *testing.T, name string) []svgElement {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/admin/charts/"+name, nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml; charset=utf-8" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("%s: %d %v\n%s", name, resp.StatusCode, resp.Header, b)
	}
	return parseSVG(t, b)
}

// TestAdminCharts: questions asked through the real handlers and counts
// seeded for earlier days come out of GET /admin/stats and as bars of the
// SVG charts, one for each day, channel or outcome, action and word.
func TestAdminCharts(t *testing.T) {
	ctx := context.Background()
	metrics := bot.NewMetrics()
	now := time.Now()
	day := func(ago int) string { return bot.DayOf(now.AddDate(0, 0, -ago)) }
	// Earlier days, as the LINE and Slack channels count them.
	for _, c := range []struct {
		ago              int
		channel, outcome string
		n                int
	}{
		{29, "line", bot.Answered, 4}, {29, "slack", bot.NotCovered, 1}, {10, "line", bot.Suggested, 2},
		{3, "slack", bot.Answered, 5}, {30, "line", bot.Answered, 7}, // 30 days ago: off the chart
	} {
		for range c.n {
			metrics.Daily.Count(ctx, day(c.ago), c.channel, c.outcome)
		}
	}
	// And a channel this page does not know yet still gets its colour.
	metrics.Daily.Count(ctx, day(10), "teams", bot.Answered)
	s := newServiceWith(t, "tok", nil, func(d *bot.Deps) { d.Metrics = metrics })

	// Today, on the web: two answers, a did-you-mean, three not covered and
	// a greeting, which is no question about the plan.
	s.ask(t, "ハザードマップの担当は？")
	s.ask(t, "who handles hazard maps?")
	s.askFor(t, isSuggest, "a did-you-mean answer", suggestJA...)
	for _, q := range []string{"今日の天気は？", "明日の天気を教えて", "明日の天気を taro@example.jp に送って"} {
		if a := s.ask(t, q); a.Intent != index.IntentNotCovered {
			t.Fatalf("%q: %s", q, a.Intent)
		}
	}
	if a := s.ask(t, "こんにちは"); a.Intent != index.IntentGreeting {
		t.Fatalf("greeting: %s", a.Intent)
	}
	for i, v := range []struct {
		id      string
		helpful bool
	}{{"1.1.1.1", true}, {"1.1.1.1", true}, {"1.1.1.1", false}, {"1.1.2.1", false}} {
		// Each vote from another resident: one vote per client and action.
		if code, body := s.vote(t, "198.51.100."+strconv.Itoa(i), v.id, v.helpful); code != http.StatusNoContent {
			t.Fatalf("vote: %d %s", code, body)
		}
	}

	code, b := s.do(t, "GET", "/admin/stats", "tok", nil)
	var st struct {
		Days      []bot.Day  `json:"days"`
		Words     []bot.Word `json:"words"`
		WordsFrom int        `json:"words_from"`
	}
	if err := json.Unmarshal(b, &st); code != 200 || err != nil {
		t.Fatalf("stats: %d %v %s", code, err, b)
	}
	if len(st.Days) != bot.StatsDays || st.Days[0].Date != day(29) || st.Days[29].Date != day(0) {
		t.Fatalf("%d days from %s", len(st.Days), st.Days[0].Date)
	}
	today := st.Days[29]
	if today.Channels["web"] != 6 || today.Outcomes[bot.Answered] != 2 || today.Outcomes[bot.Suggested] != 1 || today.Outcomes[bot.NotCovered] != 3 {
		t.Errorf("today: %+v", today)
	}
	if st.Days[0].Channels["line"] != 4 || st.Days[19].Outcomes[bot.Suggested] != 2 || st.Days[26].Channels["slack"] != 5 {
		t.Errorf("earlier days: %+v %+v %+v", st.Days[0], st.Days[19], st.Days[26])
	}
	if st.WordsFrom != 3 || len(st.Words) == 0 || st.Words[0] != (bot.Word{Word: "天気", Count: 3}) {
		t.Errorf("words from %d questions: %v", st.WordsFrom, st.Words)
	}
	for _, w := range st.Words {
		if strings.Contains("taro@example.jp 〔メール〕", w.Word) {
			t.Errorf("word %q of a masked address", w.Word)
		}
	}

	// Questions per day by channel: a column for each of the 30 days, a
	// bar for each day and channel with questions: day -29 line and
	// slack, day -10 line and teams, day -3 slack, today web.
	channels := s.chart(t, "channels.svg")
	if cols := classed(channels, "col"); len(cols) != 30 || !strings.Contains(cols[29].title, "web 6") {
		t.Errorf("%d columns; today: %q", len(classed(channels, "col")), cols[29].title)
	}
	bars := classed(channels, "bar")
	if len(bars) != 6 {
		t.Errorf("%d bars by channel, want 6", len(bars))
	}
	series := map[string]int{}
	for _, b := range bars {
		series[b.attr["data-series"]]++
	}
	if series["LINE"] != 2 || series["Slack"] != 2 || series["ウェブ web"] != 1 || series["teams"] != 1 {
		t.Errorf("bars by series: %v", series)
	}
	if n := len(classed(channels, "legend")); n != 4 {
		t.Errorf("%d legend entries, want web, LINE, Slack and teams", n)
	}
	// By outcome: day -29 answered and not covered, day -10 suggested and
	// answered, day -3 answered, today all three.
	outcomes := s.chart(t, "outcomes.svg")
	if bars := classed(outcomes, "bar"); len(bars) != 8 || len(classed(outcomes, "col")) != 30 {
		t.Errorf("%d bars by outcome, want 8", len(bars))
	}
	// Feedback: a row for each action voted on, most votes first.
	fb := s.chart(t, "feedback.svg")
	rows := classed(fb, "row")
	if len(rows) != 2 || !strings.HasPrefix(rows[0].title, "1.1.1.1 [地域防災対策室] 市民一人一人が") || len(classed(fb, "bar")) != 3 {
		t.Errorf("feedback: %d rows, %d bars: %+v", len(rows), len(classed(fb, "bar")), rows)
	}
	// Words: a row for each word.
	words := s.chart(t, "words.svg")
	if rows := classed(words, "row"); len(rows) != len(st.Words) || !strings.HasPrefix(rows[0].title, "天気") {
		t.Errorf("words: %d rows for %d words", len(rows), len(st.Words))
	}

	if code, _ := s.do(t, "GET", "/admin/charts/nope.svg", "tok", nil); code != http.StatusNotFound {
		t.Errorf("unknown chart: %d", code)
	}
	for _, path := range []string{"/admin/charts/channels.svg", "/admin/stats"} {
		if code, _ := s.do(t, "GET", path, "", nil); code != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, code)
		}
	}
}

// TestAdminChartsEmpty: a new service draws every chart with its "no data
// yet" line and no bars.
func TestAdminChartsEmpty(t *testing.T) {
	s := newService(t, "tok", nil)
	for _, name := range []string{"channels.svg", "outcomes.svg", "feedback.svg", "words.svg"} {
		es := s.chart(t, name)
		if len(classed(es, "bar")) != 0 || len(classed(es, "empty")) != 1 {
			t.Errorf("%s: %d bars", name, len(classed(es, "bar")))
		}
	}
}

// TestAdminChartsByChannel: a question asked on LINE, through the real
// webhook with LINE's signature and a fake Messaging API, is counted for
// LINE; one asked on the web for the web; neither with who asked.
func TestAdminChartsByChannel(t *testing.T) {
	replied := make(chan struct{}, 10)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"sentMessages":[]}`))
		replied <- struct{}{}
	}))
	defer api.Close()
	const secret = "line-channel-secret"
	metrics := bot.NewMetrics()
	s := newServiceWith(t, "tok", nil, func(d *bot.Deps) {
		d.Metrics = metrics
		lb, err := line.New(line.Config{ChannelSecret: secret, AccessToken: "token", APIBaseURL: api.URL},
			line.Deps{Asker: d.Asker(), Metrics: metrics})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lb.Close(context.Background()) })
		d.LINE = lb
	})
	body := []byte(`{"destination":"Ubot","events":[{"type":"message","mode":"active","timestamp":1,"webhookEventId":"01HX",` +
		`"deliveryContext":{"isRedelivery":false},"replyToken":"rt","source":{"type":"user","userId":"U4af4980629"},` +
		`"message":{"type":"text","id":"1","text":"今日の天気は？","quoteToken":"q"}}]}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, _ := http.NewRequest("POST", s.URL+"/line/webhook", bytes.NewReader(body))
	req.Header.Set("x-line-signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("webhook: %v %v", resp, err)
	}
	resp.Body.Close()
	select {
	case <-replied:
	case <-time.After(10 * time.Second):
		t.Fatal("LINE was not answered")
	}
	s.ask(t, "ハザードマップの担当は？")

	_, b := s.do(t, "GET", "/admin/stats", "tok", nil)
	var st struct{ Days []bot.Day }
	json.Unmarshal(b, &st)
	today := st.Days[len(st.Days)-1]
	if today.Channels["line"] != 1 || today.Channels["web"] != 1 || today.Outcomes[bot.NotCovered] != 1 || today.Outcomes[bot.Answered] != 1 {
		t.Errorf("today: %+v", today)
	}
	if strings.Contains(string(b), "U4af4980629") {
		t.Error("the LINE user is in the statistics")
	}
	if bars := classed(s.chart(t, "channels.svg"), "bar"); len(bars) != 2 {
		t.Errorf("%d bars, want LINE and web today", len(bars))
	}
}
