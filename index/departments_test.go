package index

import (
	"strings"
	"testing"
)

func TestDepartmentMentions(t *testing.T) {
	ix := seed(t)
	for _, tc := range []struct{ q, dept string }{
		{"税務課は何をしていますか", "税務課"},
		{"教育部の総務課って何するの", "教育部総務課"}, // の between its words
		{"秘書科は何をする？", "秘書課"},        // 科 for 課
		{"生活環境かの施策おしえて", "生活環境課"},
		{"企画政索課は何やる？", "企画政策課"}, // one character mistyped
		{"ぜいむかってこの計画でなにやんの？", "税務課"},
		{"soumu-ka wa kono keikaku de nani wo tantou shiteru no?", "総務課"},
		{"koureifukushi ka no yakuwari osiete", "高齢福祉課"},
		{"what does the sewer division (gesuidou-ka) do here?", "下水道課"},
		{"What's the finance division up to in this reform plan?", "財政課"},
		{"土木は何すんの？", "土木課"}, // without 課, asking what it does
		{"chiiki bousai taisaku shitsu, what their job?", "地域防災対策室"},
		{"総務課の担当分、全部リストで", "総務課"},
		{"what does 情報政策課 own in this plan", "情報政策課"},
		{"what does the tax division do?", "税務課"},
		{"総務課の担当って何件ある？", "総務課"},                                 // 何件 asks how many actions, no detail                // tax of taxation
		{"plan and policy division, what are its jobs", "企画政策課"}, // plan of planning

	} {
		a, _ := ix.Ask(tc.q)
		if a.Intent != IntentDepartment || a.Department != tc.dept {
			t.Errorf("%q: %s %q, want department %s", tc.q, a.Intent, a.Department, tc.dept)
			continue
		}
		if n := len(ix.plan.ItemsOf(tc.dept)); len(a.Answers) != n {
			t.Errorf("%q: %d answers, want the department's %d actions", tc.q, len(a.Answers), n)
		}
		if first, _, _ := strings.Cut(a.Text, "\n"); !strings.Contains(first, "件") && !strings.Contains(first, "action") {
			t.Errorf("%q: reply does not start with a summary: %q", tc.q, first)
		}
	}
	for _, q := range []string{
		"土木の工事の騒音",       // a department's core alone is a word
		"図書館って何時までやってる？", // the department's hours: not in the plan
		"市民会館でやるコンサートのチケットはどこで買える？",
	} {
		if a, _ := ix.Ask(q); a.Intent == IntentDepartment {
			t.Errorf("%q: department %s", q, a.Department)
		}
	}
}

// TestEnglishGrammar: English replies count and ask in good grammar.
func TestEnglishGrammar(t *testing.T) {
	for name, want := range map[string]string{
		"Finance Division":           "What does the Finance Division do?",
		"District Community Centers": "What do the District Community Centers do?",
		"All City Departments":       "What do All City Departments do?",
		"全庁":                         "What does 全庁 do?",
	} {
		if got := whatDoes(name); got != want {
			t.Errorf("whatDoes(%q) = %q, want %q", name, got, want)
		}
	}
	ix := seed(t)
	a, _ := ix.Ask("Taxation Division")
	if !strings.Contains(a.Text, "in charge of 1 action in the plan") {
		t.Errorf("one action: %q", a.Text)
	}
	a, _ = ix.Ask("what does the General Affairs Division do")
	if !strings.Contains(a.Text, " actions in the plan") {
		t.Errorf("several actions: %q", a.Text)
	}
}
