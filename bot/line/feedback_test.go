package line

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"planbot/bot/chat"
	"planbot/data"
)

// TestFeedbackOnePerChat: through the service's Feedback (by key, as
// serve wires it), a chat's votes on an action count once (its last),
// another chat's count too, and made-up IDs get a polite reply and count
// nothing (data longer than LINE ever sends is ignored).
func TestFeedbackOnePerChat(t *testing.T) {
	api := newFakeAPI(t, 200)
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	store := chat.NewMemFeedback()
	// One worker: the events are handled in the order sent.
	b, err := New(Config{ChannelSecret: secret, AccessToken: "test-token", APIBaseURL: api.URL, Workers: 1},
		Deps{Asker: lv, Feedback: chat.ByKey(store, lv), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close(context.Background()) })
	from := func(id, source, data string) string {
		return fmt.Sprintf(`{"type":"postback","mode":"active","timestamp":1,"webhookEventId":%q,"replyToken":%q,"source":%s,"postback":{"data":%q}}`,
			id, "t"+id, source, data)
	}
	u1, u2 := `{"type":"user","userId":"U1"}`, `{"type":"user","userId":"U2"}`
	group := `{"type":"group","groupId":"G1"}`
	long := body(from("x", u1, "a=fb&v=1&id="+strings.Repeat("9", 10000)))
	if rec := post(b, long, sign(long)); rec.Code != 200 {
		t.Fatalf("10,000-character id: %d", rec.Code)
	}
	var events []string
	for i, v := range []string{"1", "1", "0", "1", "0"} {
		events = append(events, from(fmt.Sprint("a", i), u1, "a=fb&id=1.1.1.1&v="+v))
	}
	events = append(events, from("b", u2, "a=fb&id=1.1.1.1&v=1"), from("c", group, "a=fb&id=1.1.1.1&v=1"), from("d", group, "a=fb&id=1.1.1.1&v=1"),
		from("e", u1, "a=fb&v=1&id="+strings.Repeat("9", 250)), from("f", u2, "a=fb&v=1&l=en&id=9.9.9.9"),
		from("g", u2, "a=fb&v=1&id="+url.QueryEscape("1.1.1.1 ")))
	// One event per body: the order of the votes is the order sent.
	got := map[string]reply{}
	for _, ev := range events {
		for tok, r := range send(t, b, api, ev) {
			got[tok] = r
		}
	}
	counts, _ := store.Counts(context.Background())
	key := data.Default().Items[0].Key()
	if len(counts) != 1 || counts[key] != (chat.Votes{Helpful: 2, NotHelpful: 1}) {
		t.Errorf("counts %v, want U1's last (not helpful), U2's and the group's", counts)
	}
	for tok, want := range map[string]string{"ta0": "ありがとうございました", "tb": "ありがとうございました", "te": "記録できませんでした", "tf": "not recorded", "tg": "記録できませんでした"} {
		if m := got[tok].Messages; len(m) != 1 || !strings.Contains(fmt.Sprint(m[0]["text"]), want) {
			t.Errorf("%s: %v, want %q", tok, m, want)
		}
	}
}
