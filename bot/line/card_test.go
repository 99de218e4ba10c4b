package line

import (
	"strings"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"planbot/bot/chat"
	"planbot/index"
)

// bubbleLines is what a card says, line by line: its header, then the
// texts of its body.
func bubbleLines(t *testing.T, msgs []messaging_api.MessageInterface) []string {
	t.Helper()
	for _, m := range msgs {
		fm, ok := m.(*messaging_api.FlexMessage)
		if !ok {
			continue
		}
		b, ok := fm.Contents.(*messaging_api.FlexBubble)
		if !ok {
			t.Fatalf("contents %T, want one bubble", fm.Contents)
		}
		var out []string
		for _, box := range []*messaging_api.FlexBox{b.Header, b.Body} {
			for _, c := range box.Contents {
				if txt, ok := c.(messaging_api.FlexText); ok {
					out = append(out, txt.Text)
				}
			}
		}
		return out
	}
	t.Fatal("no card")
	return nil
}

// TestCardSaysTheSame: a LINE card says who is in charge (担当), the
// action, its place in the plan, the plan's date and the desk for
// questions about the plan, labelled in the question's language, as
// chat.Describe says it (which the Slack card says too).
func TestCardSaysTheSame(t *testing.T) {
	for _, tc := range []struct {
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
		lines := bubbleLines(t, render(a, 0))
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
	}
}

// TestCardWithoutDesk: a plan that names no desk gets cards without the
// desk line.
func TestCardWithoutDesk(t *testing.T) {
	m := index.Match{ID: "1.1.1.1", Departments: []string{"財政課"}, Content: "地方債の適正化", Policy: "p", Measure: "m", Initiative: "i"}
	a := index.Answer{Intent: index.IntentWho, Answers: []index.Match{m}, Plan: index.PlanInfo{Title: "計画", Updated: "2024-04-01"}}
	lines := bubbleLines(t, render(a, 0))
	if want := []string{"担当: 財政課", "地方債の適正化", "分類: p › m › i", "出典: 計画（更新日 2024-04-01）"}; strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("card %q, want %q", lines, want)
	}
}
