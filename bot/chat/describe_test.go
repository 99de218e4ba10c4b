package chat

import (
	"testing"

	"planbot/data"
	"planbot/index"
)

func TestDescribe(t *testing.T) {
	m := index.Match{ID: "2.1.4.1", Departments: []string{"財政課", "税務課"}, DepartmentsEN: []string{"Finance Division", ""},
		Content: "地方債の適正化", Policy: "2 基盤", Measure: "(1)財政", Initiative: "地方債"}
	plan := index.PlanInfo{Title: "実施計画", Updated: "2023-10-17", Contact: data.Contact{Desk: "総務課 行政管理係", Phone: "0244-37-2120"}}
	planEN := plan
	planEN.DeskEN = "General Affairs Division"
	for _, tc := range []struct {
		a    index.Answer
		want Description
	}{
		{index.Answer{Plan: plan}, Description{Charge: "担当: 財政課・税務課", Action: "地方債の適正化", Path: "分類: 2 基盤 › (1)財政 › 地方債",
			Plan: "出典: 実施計画（更新日 2023-10-17）", Desk: "計画についてのお問い合わせ: 総務課 行政管理係（電話 0244-37-2120）"}},
		{index.Answer{Lang: index.English, Plan: plan}, Description{Charge: "In charge: Finance Division (財政課), 税務課", Action: "地方債の適正化",
			Path: "In the plan: 2 基盤 › (1)財政 › 地方債", Plan: "Source: 実施計画 (updated 2023-10-17)",
			Desk: "Questions about the plan: 総務課 行政管理係, phone 0244-37-2120"}},
		{index.Answer{Lang: index.English, Plan: planEN}, Description{Charge: "In charge: Finance Division (財政課), 税務課", Action: "地方債の適正化",
			Path: "In the plan: 2 基盤 › (1)財政 › 地方債", Plan: "Source: 実施計画 (updated 2023-10-17)",
			Desk: "Questions about the plan: General Affairs Division (総務課 行政管理係), phone 0244-37-2120"}},
		{index.Answer{Plan: index.PlanInfo{Title: "計画", Updated: "2024-04-01", Contact: data.Contact{Desk: " 総務課 "}}},
			Description{Charge: "担当: 財政課・税務課", Action: "地方債の適正化", Path: "分類: 2 基盤 › (1)財政 › 地方債",
				Plan: "出典: 計画（更新日 2024-04-01）", Desk: "計画についてのお問い合わせ: 総務課"}},
		{index.Answer{Lang: index.English, Plan: index.PlanInfo{Title: "計画", Updated: "2024-04-01"}},
			Description{Charge: "In charge: Finance Division (財政課), 税務課", Action: "地方債の適正化", Path: "In the plan: 2 基盤 › (1)財政 › 地方債",
				Plan: "Source: 計画 (updated 2024-04-01)"}},
	} {
		if got := Describe(tc.a, m); got != tc.want {
			t.Errorf("Describe (%s):\n got %+v\nwant %+v", tc.a.Lang, got, tc.want)
		}
	}
}
