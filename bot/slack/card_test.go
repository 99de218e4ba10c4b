package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"planbot/bot/chat"
	"planbot/index"
)

// cardLines is what the first card of blocks says, line by line: its
// header, its section, then the lines of its context.
func cardLines(t *testing.T, bs []block) []string {
	t.Helper()
	for i, b := range bs {
		if b["type"] != "header" || i+2 >= len(bs) {
			continue
		}
		out := []string{blockText(b), blockText(bs[i+1])}
		els, _ := bs[i+2]["elements"].([]any)
		for _, el := range els {
			out = append(out, strings.Split(blockText(block{"text": el}), "\n")...)
		}
		return out
	}
	t.Fatal("no card")
	return nil
}

// TestCardSaysTheSame: a Slack card says who is in charge (担当), the
// action, its place in the plan, the plan's date and the desk for
// questions about the plan, labelled in the question's language, as
// chat.Describe says it (which the LINE card says too), whether it answers
// a mention or shows a did-you-mean choice.
func TestCardSaysTheSame(t *testing.T) {
	e := newEnv(t, Config{})
	for i, tc := range []struct {
		q    string
		want []string // in order: charge, action, path, plan, desk
		not  []string
	}{
		{"ハザードマップの担当は？", []string{"担当: 地域防災対策室", "ハザードマップ", "分類: 1 市民参画", "出典: ", "更新日 2023-10-17",
			"計画についてのお問い合わせ: 総務課 行政管理係（電話 0244-37-2120）"}, []string{"In charge", "Source"}},
		{"who handles hazard maps?", []string{"In charge: Community Disaster Prevention Office (地域防災対策室)", "ハザードマップ", "In the plan: 1 市民参画",
			"Source: ", "updated 2023-10-17", "Questions about the plan: General Affairs Division, Administrative Management Section (総務課 行政管理係), phone 0244-37-2120"}, []string{"担当:", "分類", "出典", "更新日", "お問い合わせ"}},
	} {
		a := askFor(t, func(a index.Answer) bool { return a.Intent == index.IntentWho && a.Topics <= 1 }, "a who answer", tc.q)
		_, bs := e.mentionAnswer(t, fmt.Sprint("EvCard", i), tc.q)
		lines := cardLines(t, bs)
		d := chat.Describe(a, a.Answers[0])
		if want := []string{d.Charge, d.Action, d.Path, d.Plan, d.Desk}; strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("%q: card\n%q\nwant\n%q", tc.q, lines, want)
		}
		all := strings.Join(lines, "\n")
		at := 0
		for _, w := range tc.want {
			i := strings.Index(all[at:], w)
			if i < 0 {
				t.Errorf("%q: card lacks %q (in order):\n%s", tc.q, w, all)
				continue
			}
			at += i
		}
		for _, w := range tc.not {
			if strings.Contains(all, w) {
				t.Errorf("%q: card says %q:\n%s", tc.q, w, all)
			}
		}
		// The card of a did-you-mean choice is the same card.
		r := e.click(t, actionPick, a.Answers[0].ID+"|"+tc.q)
		if got := cardLines(t, responseBlocks(t, r)); strings.Join(got, "\n") != all {
			t.Errorf("%q: the choice's card\n%q\nwant\n%q", tc.q, got, lines)
		}
	}
}

// TestCardWithoutDesk: a plan that names no desk gets cards without the
// desk line.
func TestCardWithoutDesk(t *testing.T) {
	m := index.Match{ID: "1.1.1.1", Departments: []string{"財政課"}, Content: "地方債の適正化", Policy: "p", Measure: "m", Initiative: "i"}
	a := index.Answer{Intent: index.IntentWho, Answers: []index.Match{m}, Plan: index.PlanInfo{Title: "計画", Updated: "2024-04-01"}}
	bs, _ := render(a, 0, false)
	j, _ := json.Marshal(bs)
	raw := string(j)
	if strings.Contains(raw, "お問い合わせ") || !strings.Contains(raw, "担当: 財政課") || !strings.Contains(raw, "更新日 2024-04-01") {
		t.Errorf("card: %s", raw)
	}
}
