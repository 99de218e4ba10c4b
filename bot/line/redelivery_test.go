package line

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"planbot/bot/chat"
	"planbot/index"
)

// keyLog is a Deduper that records the keys and windows it is given.
type keyLog struct {
	*chat.MemDeduper
	mu   sync.Mutex
	keys map[string]time.Duration
}

func (k *keyLog) Seen(ctx context.Context, key string, ttl time.Duration) bool {
	k.mu.Lock()
	k.keys[key] = ttl
	k.mu.Unlock()
	return k.MemDeduper.Seen(ctx, key, ttl)
}

// sampleEvent returns event i of the SDK's sample webhook body.
func sampleEvent(t *testing.T, i int) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/sdk-webhook-sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Events []map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Events[i]
}

func sampleBody(t *testing.T, events ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"destination": "Ubot", "events": events})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRedeliveryWithoutEventID: LINE's sample message, follow and
// postback events without their webhookEventId are answered once, however
// often they are delivered (with new reply tokens, marked as redeliveries
// or not); a new message or a new tap is answered. The keys are fixed-size
// hashes (no user ID), remembered for ten minutes.
func TestRedeliveryWithoutEventID(t *testing.T) {
	api := newFakeAPI(t, 200)
	dedup := &keyLog{MemDeduper: chat.NewMemDeduper(), keys: map[string]time.Duration{}}
	b, _ := newBotDeps(t, api.URL, Config{}, Deps{Dedup: dedup})
	msg, follow, pb := sampleEvent(t, 0), sampleEvent(t, 12), sampleEvent(t, 16)
	pb["postback"] = map[string]any{"data": "a=more&q=" + url.QueryEscape("職員研修") + "&n=1"}
	delivery := func(n int, redelivery bool, evs ...map[string]any) []byte {
		var out []map[string]any
		for _, ev := range evs {
			c := map[string]any{}
			for k, v := range ev {
				c[k] = v
			}
			delete(c, "webhookEventId")
			c["deliveryContext"] = map[string]any{"isRedelivery": redelivery}
			c["replyToken"] = fmt.Sprintf("%s-%d", ev["type"], n)
			out = append(out, c)
		}
		return sampleBody(t, out...)
	}
	first := delivery(1, false, msg, follow, pb)
	if rec := post(b, first, sign(first)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	got := collect(t, api, 3)
	for _, tok := range []string{"message-1", "follow-1", "postback-1"} {
		if _, ok := got[tok]; !ok {
			t.Errorf("no reply to %s: %v", tok, got)
		}
	}
	for n, redelivery := range []bool{true, false, true} {
		again := delivery(n+2, redelivery, msg, follow, pb)
		if rec := post(b, again, sign(again)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	select {
	case r := <-api.replies:
		t.Fatalf("a redelivery was answered: %s", r.Token)
	case <-time.After(300 * time.Millisecond):
	}

	// Another message, and the same button tapped again later: answered.
	msg2 := delivery(9, false, msg)
	msg2 = []byte(strings.Replace(string(msg2), `"id":"325708"`, `"id":"325709"`, 1))
	pb["timestamp"] = pb["timestamp"].(float64) + 5000
	tap2 := delivery(9, false, pb)
	for _, bd := range [][]byte{msg2, tap2} {
		if rec := post(b, bd, sign(bd)); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	collect(t, api, 2)

	dedup.mu.Lock()
	defer dedup.mu.Unlock()
	if len(dedup.keys) != 5 {
		t.Errorf("%d keys, want 5: %v", len(dedup.keys), dedup.keys)
	}
	hashed := regexp.MustCompile(`^line:h:[0-9a-f]{32}$`)
	for k, ttl := range dedup.keys {
		if !hashed.MatchString(k) || ttl != 10*time.Minute {
			t.Errorf("key %q kept for %v", k, ttl)
		}
	}
}

// askLog is an Asker that records the questions it is asked.
type askLog struct {
	chat.Asker
	mu sync.Mutex
	qs []string
}

func (a *askLog) Ask(q string) (index.Answer, error) {
	a.mu.Lock()
	a.qs = append(a.qs, q)
	a.mu.Unlock()
	return a.Asker.Ask(q)
}

func (a *askLog) asked() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.qs...)
}

// TestLongQuestion: a message of LINE's 5,000 characters is asked as its
// first 2,000 and answered from its beginning, saying so first.
func TestLongQuestion(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	asker := &askLog{Asker: lv}
	api := newFakeAPI(t, 200)
	b, _ := newBotDeps(t, api.URL, Config{}, Deps{Asker: asker})
	q := "ハザードマップの担当は？" + strings.Repeat("今日はいい天気ですね。", 500)
	q = string([]rune(q)[:5000])
	r := send(t, b, api, textEvent("long", "tlong", q))["tlong"]
	qs := asker.asked()
	if len(qs) != 1 || utf8.RuneCountInString(qs[0]) != maxQuestion || !strings.HasPrefix(q, qs[0]) {
		t.Fatalf("asked %d questions, the first of %d runes", len(qs), utf8.RuneCountInString(qs[0]))
	}
	if m := r.Messages[0]; m["type"] != "text" || !strings.Contains(m["text"].(string), "長いメッセージ") || r.Messages[1]["type"] != "flex" {
		t.Errorf("long question's reply: %v", r.Messages)
	}
}

// TestLongPostback: postback data longer than LINE sends (300 characters)
// is refused before any work: nothing asked, counted or replied, one log
// line; data of 300 characters is still served.
func TestLongPostback(t *testing.T) {
	lv, err := live()
	if err != nil {
		t.Fatal(err)
	}
	asker := &askLog{Asker: lv}
	api := newFakeAPI(t, 200)
	fb := chat.NewMemFeedback()
	b, logs := newBotDeps(t, api.URL, Config{}, Deps{Asker: asker, Feedback: chat.ByKey(fb, lv)})
	pad := func(data string, n int) string { return data + "&x=" + strings.Repeat("a", n-len(data)-3) }
	long := []string{pad("a=fb&id=1.1.1.1&v=1&l=ja", 301), pad("a=more&q=%E8%81%B7%E5%93%A1%E7%A0%94%E4%BF%AE&n=1", 10000)}
	bd := body(postbackEvent("pl1", "tpl1", long[0]), postbackEvent("pl2", "tpl2", long[1]))
	if rec := post(b, bd, sign(bd)); rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	ok := pad("a=more&q=%E8%81%B7%E5%93%A1%E7%A0%94%E4%BF%AE&n=1", 300)
	got := send(t, b, api, postbackEvent("pl3", "tpl3", ok))
	if _, answered := got["tpl3"]; !answered || len(got) != 1 {
		t.Errorf("replies %v", got)
	}
	if qs := asker.asked(); len(qs) != 1 {
		t.Errorf("asked %q", qs)
	}
	if counts, _ := fb.Counts(context.Background()); len(counts) != 0 {
		t.Errorf("feedback counted from an over-long postback: %v", counts)
	}
	b.Close(context.Background())
	if lines, total := dropCounts(logs.String(), "over-long data"); lines > 2 || total != 2 {
		t.Errorf("%d lines counting %d refusals, want 2:\n%s", lines, total, logs)
	}
}

// TestForgedSignaturesLogged: a flood of forged signatures is one log
// line a second, and the lines count every request.
func TestForgedSignaturesLogged(t *testing.T) {
	api := newFakeAPI(t, 200)
	b, logs := newBotDeps(t, api.URL, Config{}, Deps{})
	bd := body(textEvent("f1", "tf1", "地方債"))
	forged := base64.StdEncoding.EncodeToString([]byte("forged-signature-forged-signatur"))
	const n = 3000
	start := time.Now()
	for range n {
		if rec := post(b, bd, forged); rec.Code != 400 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	b.Close(context.Background()) // logs what is not logged yet
	lines, total := dropCounts(logs.String(), "missing or bad signature")
	// A line for the first, then one a second at most, and the rest at Close.
	if total != n || lines > 2+int(time.Since(start)/time.Second) {
		t.Errorf("%d lines counting %d rejected requests, want %d:\n%s", lines, total, n, logs.String())
	}
	if len(api.replies) != 0 {
		t.Error("a forged request was answered")
	}
}

// dropCounts returns the number of log lines with msg and the sum of
// their dropped counts.
func dropCounts(logs, msg string) (lines, total int) {
	for _, m := range regexp.MustCompile(regexp.QuoteMeta(msg)+`.* dropped=(\d+)`).FindAllStringSubmatch(logs, -1) {
		c, _ := strconv.Atoi(m[1])
		lines, total = lines+1, total+c
	}
	return lines, total
}
