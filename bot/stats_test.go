package bot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"planbot/bot"
	"planbot/index"
)

func TestOutcomeOf(t *testing.T) {
	for intent, want := range map[index.Intent]string{
		index.IntentWho: bot.Answered, index.IntentDepartment: bot.Answered, index.IntentContact: bot.Answered,
		index.IntentSuggest: bot.Suggested, index.IntentNotCovered: bot.NotCovered,
		index.IntentGreeting: "", index.IntentThanks: "", index.IntentHelp: "",
	} {
		if got := bot.OutcomeOf(index.Answer{Intent: intent}); got != want {
			t.Errorf("%s: %q, want %q", intent, got, want)
		}
	}
}

// TestDays: the charts' days are Japan's, whatever the server's zone.
func TestDays(t *testing.T) {
	// 16:30 UTC on 31 December is 01:30 on 1 January in Japan.
	end := time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC)
	if got := bot.DayOf(end); got != "2027-01-01" {
		t.Errorf("DayOf: %s", got)
	}
	if got := bot.LastDays(end, 3); !slices.Equal(got, []string{"2026-12-30", "2026-12-31", "2027-01-01"}) {
		t.Errorf("LastDays: %v", got)
	}
	if got := bot.LastDays(end, 30); len(got) != 30 || got[0] != "2026-12-03" {
		t.Errorf("LastDays(30): %d from %s", len(got), got[0])
	}
}

// TestMemDaily: counts by channel and outcome, zero days filled in, and
// no more than StatsDays+1 dates kept however long the service runs.
func TestMemDaily(t *testing.T) {
	ctx := context.Background()
	var m bot.MemDaily
	m.Count(ctx, "2026-12-01", "web", bot.Answered)
	m.Count(ctx, "2026-12-01", "line", bot.NotCovered)
	m.Count(ctx, "2026-12-01", "web", bot.Answered)
	m.Count(ctx, "2026-12-03", "slack", bot.Suggested)
	days, _ := m.Days(ctx, []string{"2026-12-01", "2026-12-02", "2026-12-03"})
	if len(days) != 3 || days[0].Channels["web"] != 2 || days[0].Channels["line"] != 1 || days[0].Outcomes[bot.Answered] != 2 ||
		days[0].Outcomes[bot.NotCovered] != 1 || days[1].Channels == nil || len(days[1].Channels) != 0 || days[2].Outcomes[bot.Suggested] != 1 {
		t.Errorf("days: %+v", days)
	}
	days[0].Channels["web"] = 99 // the caller's copy
	if again, _ := m.Days(ctx, []string{"2026-12-01"}); again[0].Channels["web"] != 2 {
		t.Error("Days shares its maps with the store")
	}
	start := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 100 {
		m.Count(ctx, bot.DayOf(start.AddDate(0, 0, i)), "web", bot.Answered)
	}
	all := bot.LastDays(start.AddDate(0, 0, 99), 200)
	days, _ = m.Days(ctx, all)
	kept := 0
	for _, d := range days {
		if len(d.Channels) > 0 {
			kept++
		}
	}
	if kept != bot.StatsDays+1 || len(days[len(days)-1].Channels) == 0 {
		t.Errorf("%d days kept, want %d up to the last", kept, bot.StatsDays+1)
	}
}

// TestTopWords: the words of what was asked, not of how; compounds the
// analysis splits for search are whole again; each question counts once.
func TestTopWords(t *testing.T) {
	qs := []string{
		"今日の天気は？", "明日の天気を教えて", "天気、天気、天気",
		"駐車場が足りなくて困ってます", "市役所の駐車場はどこですか",
		"図書館の開館時間を教えてください",
		"what's the weather today?",
		"プールはいつ開いてますか",
	}
	got := bot.TopWords(qs, 5)
	want := []bot.Word{{Word: "天気", Count: 3}, {Word: "駐車場", Count: 2}, {Word: "図書館", Count: 1}, {Word: "開館時間", Count: 1}, {Word: "weather", Count: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("TopWords:\n got %v\nwant %v", got, want)
	}
	for _, w := range bot.TopWords(qs, 100) {
		switch w.Word {
		case "教える", "今日", "明日", "市役所", "どこ", "what", "today", "足りる", "開く", "困る":
			t.Errorf("%q counted: it says how the question is asked", w.Word)
		}
	}
	if got := bot.TopWords(nil, 5); len(got) != 0 {
		t.Errorf("no questions: %v", got)
	}
	many := make([]string, 300)
	for i := range many {
		many[i] = "about zq" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + " please"
	}
	if got := bot.TopWords(many, 15); len(got) != 15 {
		t.Errorf("%d words, want 15", len(got))
	}
}
