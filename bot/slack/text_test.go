package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestQuestion(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<@U012AB3CD> who handles hazard maps &amp; evacuation?", "who handles hazard maps & evacuation?"},
		{"<@U012AB3CD|planbot> ハザードマップの担当は？ :bow:", "ハザードマップの担当は？"},
		{"ハザードマップの担当は？:pray::sweat_smile:", "ハザードマップの担当は？"},
		{"地方債 :+1::skin-tone-2: :-1:", "地方債"},
		{"<!here> 地方債の担当は？ <!channel> <!everyone>", "地方債の担当は？"},
		{"<!subteam^SAZ94GDB8|@disaster-team> ハザードマップ", "ハザードマップ"},
		{"地方債 <#C0123ABC|tax-office> <#C0456DEF>", "地方債"},
		{"<https://www.city.soma.fukushima.jp/library|図書館>の担当は？", "図書館の担当は？"},
		{"<https://example.com/hazard-map> の担当は？", "https://example.com/hazard-map の担当は？"},
		{"<mailto:soumu@example.jp|soumu@example.jp> に聞くべき？", "soumu@example.jp に聞くべき？"},
		{"<!date^1392734382^{date_short}|Feb 18, 2014> の会議", "Feb 18, 2014 の会議"},
		{"garbage &lt;sorting&gt; &amp;amp;", "garbage <sorting> &amp;"},
		// Not emoji: times, ratios and words around colons stay.
		{"10:30:45 に開く窓口", "10:30:45 に開く窓口"},
		{"note:this:that", "note:this:that"},
		{"比率 3:2:1", "比率 3:2:1"},
		{"  改行\nと\t空白  ", "改行 と 空白"},
		{"", ""},
		{"<>", ""},
		{"<@U1> :bow:", ""},
	} {
		if got := question(tc.in); got != tc.want {
			t.Errorf("question(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSlackMarkupAnswered: questions written in Slack reach the answering
// as their writer typed them (no entities, emoji, mentions or channel
// links) and are answered as the web answers them, through the signed
// events and /plan endpoints.
func TestSlackMarkupAnswered(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Config{})
	for i, tc := range []struct{ sent, typed string }{
		{"<@UBOT> who handles hazard maps &amp; evacuation?", "who handles hazard maps & evacuation?"},
		{"<@UBOT> ハザードマップの担当は？ :bow:", "ハザードマップの担当は？"},
		{"<@UBOT> <!here> 地方債の担当は？ <#C0123ABC|tax-office> :pray:", "地方債の担当は？"},
		{"<@UBOT> <https://www.city.soma.fukushima.jp/library|図書館>の担当は？", "図書館の担当は？"},
	} {
		id := fmt.Sprint("EvMk", i)
		body := eventBody(id, strings.Replace(mention(tc.sent, id+".1"), `"user":"U123"`, fmt.Sprintf(`"user":"UMK%d"`, i), 1))
		if rec := serve(e.bot.Events(), signed("POST", "/slack/events", body, time.Now())); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
		p := e.nextPost(t)
		if got := e.asked.last(); got != tc.typed {
			t.Errorf("%q asked as %q, want %q", tc.sent, got, tc.typed)
		}
		web, _ := lv.Ask(tc.typed) // what the web chat answers
		bs, text := render(web, 0, false)
		want, _ := json.Marshal(bs)
		if p.text != text || p.blocks != string(want) {
			t.Errorf("%q: not answered as the web answers %q:\ngot  %s\nwant %s", tc.sent, tc.typed, p.blocks, want)
		}
	}
	// /plan: the command's text is escaped the same way.
	serve(e.bot.Commands(), signed("POST", "/slack/commands", command("who handles hazard maps &amp; evacuation? :bow:", "UMKC", e.respURL), time.Now()))
	r := e.nextResponse(t)
	if got := e.asked.last(); got != "who handles hazard maps & evacuation?" {
		t.Errorf("/plan asked as %q", got)
	}
	if raw, _ := json.Marshal(r); !strings.Contains(string(raw), "Community Disaster Prevention Office") {
		t.Errorf("/plan answer: %s", raw)
	}
	// The share button carries the question as typed, not Slack's markup.
	if share := buttonsOf(responseBlocks(t, r), actionShare); len(share) != 1 || share[0]["value"] != "who handles hazard maps & evacuation?" {
		t.Errorf("share button: %v", share)
	}
}
