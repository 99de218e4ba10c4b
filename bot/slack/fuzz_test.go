package slack

import (
	"net/http"
	"testing"
	"time"
)

// FuzzRequests sends correctly signed bodies of any shape to the events,
// command and interactivity endpoints: the answer is never a server error,
// and nothing panics in the handlers or in the work they start.
func FuzzRequests(f *testing.F) {
	f.Add(uint8(0), eventBody("Ev1", mention("<@UBOT> ハザードマップの担当は？", "1.1")))
	f.Add(uint8(0), eventBody("Ev2", dm("reindex", "2.1", `,"subtype":"bot_message"`)))
	f.Add(uint8(0), []byte(`{"type":"url_verification","challenge":"c"}`))
	f.Add(uint8(1), command("who handles hazard maps?", "U1", "http://127.0.0.1:1/r"))
	f.Add(uint8(1), command("help", "U1", ""))
	f.Add(uint8(2), interaction(actionMore, "2|防災", "http://127.0.0.1:1/r"))
	f.Add(uint8(2), interaction(actionUp, "1.1.1.1", ""))
	f.Add(uint8(2), interaction(actionPick, "1.2.2.5|本の貸し出し", "http://127.0.0.1:1/r"))
	f.Add(uint8(2), interaction(actionPick, "contact|", ""))
	f.Add(uint8(1), command("研修の予約", "U1", "http://127.0.0.1:1/r"))
	e := newEnv(f, Config{Workers: 4})
	go func() { // keep the fake APIs' recorders from filling up
		for {
			select {
			case <-e.posts:
			case <-e.responses:
			}
		}
	}()
	endpoints := []struct {
		path string
		h    http.Handler
	}{{"/slack/events", e.bot.Events()}, {"/slack/commands", e.bot.Commands()}, {"/slack/interactive", e.bot.Interactive()}}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		ep := endpoints[int(kind)%len(endpoints)]
		rec := serve(ep.h, signed("POST", ep.path, body, time.Now()))
		if rec.Code >= 500 || rec.Code == 401 {
			t.Fatalf("%s: status %d for %q", ep.path, rec.Code, body)
		}
		e.waitIdle(t)
	})
}
