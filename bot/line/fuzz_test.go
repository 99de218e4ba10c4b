package line

import (
	"context"
	"os"
	"testing"
	"time"
)

// FuzzWebhook sends correctly signed bodies of any shape through the real
// handler and workers: the answer is 200 or 400, and nothing panics. A bot
// per input is closed before the next, so a panic in a worker is caught
// with the input that caused it.
func FuzzWebhook(f *testing.F) {
	sample, err := os.ReadFile("testdata/sdk-webhook-sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add(body())
	f.Add(body(textEvent("01F1", "t1", "ハザードマップの担当は？")))
	f.Add(body(`{"type":"postback","mode":"active","webhookEventId":"01F2","replyToken":"t2","source":{"type":"group","groupId":"G1"},"postback":{"data":"a=more&q=%E9%98%B2%E7%81%BD&n=9"}}`))
	f.Add(body(postbackEvent("01F4", "t4", "a=pick&id=1.2.2.5&q=%E6%9C%AC%E3%81%AE%E8%B2%B8%E3%81%97%E5%87%BA%E3%81%97")))
	f.Add(body(postbackEvent("01F5", "t5", "a=pick&id=contact&q=")))
	f.Add(body(postbackEvent("01F6", "t6", "a=fb&id=contact&v=1")))
	f.Add(body(`{"type":"message","mode":"active","webhookEventId":"01F3","replyToken":"t3","source":{"type":"room","roomId":"R1"},"message":{"type":"text","id":"1","text":"@bot 防災","mention":{"mentionees":[{"type":"user","index":0,"length":99,"isSelf":true}]}}}`))
	api := newFakeAPI(f, 200)
	go func() { // keep the fake API's recorder from filling up
		for range api.replies {
		}
	}()
	f.Fuzz(func(t *testing.T, b []byte) {
		bot, _, _ := newBot(t, api, Config{Workers: 2, Queue: 8})
		if rec := post(bot, b, sign(b)); rec.Code != 200 && rec.Code != 400 {
			t.Fatalf("status %d for %q", rec.Code, b)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := bot.Close(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
