package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// socketServer is a fake Slack Socket Mode endpoint: a websocket that says
// hello, sends the envelopes it is given and reports what the client
// sends back (acks) and its pongs.
type socketServer struct {
	*httptest.Server
	send  chan string // envelopes to send
	acks  chan string // envelope_id of each ack
	pongs chan string
	conns atomic.Int32
}

func newSocketServer(t *testing.T) *socketServer {
	s := &socketServer{send: make(chan string, 10), acks: make(chan string, 10), pongs: make(chan string, 10)}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // the client sends Slack's origin
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer conn.Close()
		s.conns.Add(1)
		conn.SetPongHandler(func(data string) error { s.pongs <- data; return nil })
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"},"debug_info":{"host":"test"}}`))
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				var ack struct {
					EnvelopeID string `json:"envelope_id"`
				}
				if json.Unmarshal(msg, &ack) == nil && ack.EnvelopeID != "" {
					s.acks <- ack.EnvelopeID
				}
			}
		}()
		for {
			select {
			case env := <-s.send:
				var err error
				if env == "ping" {
					err = conn.WriteControl(websocket.PingMessage, []byte("ping-1"), time.Now().Add(time.Second))
				} else {
					err = conn.WriteMessage(websocket.TextMessage, []byte(env))
				}
				if err != nil {
					return
				}
			case <-done:
				return
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *socketServer) url() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/link" }

func (s *socketServer) ack(t *testing.T, want string) {
	t.Helper()
	select {
	case id := <-s.acks:
		if id != want {
			t.Errorf("ack %q, want %q", id, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no ack of %s", want)
	}
}

func envelope(id, typ string, payload []byte) string {
	return fmt.Sprintf(`{"envelope_id":%q,"type":%q,"accepts_response_payload":false,"payload":%s}`, id, typ, payload)
}

// TestSocketMode runs Socket Mode end to end: apps.connections.open (with
// the app-level token) gives a local websocket, which says hello, pings
// (the client must pong), and delivers a mention, a redelivery of it, a
// slash command, a redelivery of it and a button press; each is acked by
// its envelope_id and answered once, through the fake chat.postMessage
// and response_url.
func TestSocketMode(t *testing.T) {
	ws := newSocketServer(t)
	var opens atomic.Int32
	open := func(c slacktest.Customize) {
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			opens.Add(1)
			if r.Header.Get("Authorization") != "Bearer xapp-test" {
				w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
				return
			}
			fmt.Fprintf(w, `{"ok":true,"url":%q}`, ws.url())
		})
	}
	e := newEnv(t, Config{AppToken: "xapp-test"}, open)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunSocketMode(ctx) }()

	ws.send <- "ping"
	select {
	case p := <-ws.pongs:
		if p != "ping-1" {
			t.Errorf("pong %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pong")
	}

	ws.send <- envelope("env-1", "events_api", eventBody("EvS", mention("<@UBOT> ハザードマップの担当は？ :bow:", "10.1")))
	ws.ack(t, "env-1")
	if p := e.nextPost(t); p.channel != "C1" || p.threadTS != "10.1" || !strings.Contains(p.blocks, "地域防災対策室") {
		t.Errorf("socket mode post: %+v", p)
	}
	// Slack redelivers an envelope it thinks was not acked: acked, not
	// answered again.
	ws.send <- strings.Replace(envelope("env-2", "events_api", eventBody("EvS", mention("<@UBOT> ハザードマップの担当は？ :bow:", "10.1"))),
		`"accepts_response_payload":false`, `"accepts_response_payload":false,"retry_attempt":1,"retry_reason":"timeout"`, 1)
	ws.ack(t, "env-2")
	e.noPost(t)

	cmd, _ := json.Marshal(map[string]string{"command": "/plan", "text": "地方債", "user_id": "U1", "channel_id": "C1",
		"team_id": "T1", "response_url": e.respURL, "trigger_id": trigger()})
	ws.send <- envelope("env-3", "slash_commands", cmd)
	ws.ack(t, "env-3")
	if m := e.nextResponse(t); m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "財政課") {
		t.Errorf("slash command over Socket Mode: %v", m)
	}
	ws.send <- envelope("env-3b", "slash_commands", cmd) // redelivered
	ws.ack(t, "env-3b")
	e.noResponse(t)
	press, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U1"}, "team": map[string]any{"id": "T1"},
		"trigger_id": trigger(), "response_url": e.respURL,
		"actions": []map[string]any{{"action_id": actionShare, "block_id": "planbot_actions", "value": "地方債", "type": "button"}}})
	ws.send <- envelope("env-4", "interactive", press)
	ws.ack(t, "env-4")
	if m := e.nextResponse(t); m["response_type"] != "in_channel" {
		t.Errorf("button over Socket Mode: %v", m)
	}
	if opens.Load() != 1 || ws.conns.Load() != 1 {
		t.Errorf("%d apps.connections.open, %d connections", opens.Load(), ws.conns.Load())
	}

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("RunSocketMode did not return after cancel")
	}
}

// TestSocketModeNeedsAppToken: without an app-level token Socket Mode
// does not start, and says why.
func TestSocketModeNeedsAppToken(t *testing.T) {
	e := newEnv(t, Config{})
	if err := e.bot.RunSocketMode(context.Background()); err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Errorf("err %v", err)
	}
}
