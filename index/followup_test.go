package index

import "testing"

// TestFollowup: a question with no topic of its own says what it asks of
// the answer before it; one with a topic, or about the plan itself, asks
// nothing of it.
func TestFollowup(t *testing.T) {
	ix := seed(t)
	for q, want := range map[string]Followup{
		"電話番号は？":                 FollowupContact,
		"連絡先は？":                  FollowupContact,
		"what's their number?":   FollowupContact,
		"how do I contact them?": FollowupContact,
		"窓口はどこ？":                 FollowupContact,
		"その担当課の電話は？":             FollowupContact, // その is no word of the plan's
		"TEL?":                   FollowupContact,
		"fax number?":            FollowupContact,
		"where is it?":           FollowupContact, // where the department is
		"場所どこ？":                  FollowupContact,
		"つぎ":                     FollowupMore,
		"next page":              FollowupMore,
		"ほかには？":                  FollowupMore,
		"他の候補":                   FollowupMore,
		"more":                   FollowupMore,
		"others?":                FollowupMore,
		"それはいつから？":               FollowupDetail,
		"いくらかかる？":                FollowupDetail,
		"when does it start?":    FollowupDetail,
		"how much does it cost?": FollowupDetail,
		"ハザードマップの担当は？":           "", // a topic of its own
		"近くのコンビニはいつから開いてる？": "",
		"この計画の問い合わせ先は？":     "", // the plan's own desk
		"こんにちは": "",
		"ほかの市の図書館はいつから開いてる？": "",
	} {
		a, err := ix.Ask(q)
		if err != nil {
			t.Fatal(err)
		}
		if a.Followup != want {
			t.Errorf("%q: followup %q (%s), want %q", q, a.Followup, a.Intent, want)
		}
	}
	if a, _ := ix.Ask("how do I contact them?"); a.Intent != IntentContact {
		t.Errorf("how do I contact them?: %s, want the desk", a.Intent) // not how to use the bot
	}
}
