package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"planbot/bot/chat"
	"planbot/data"
	"planbot/index"
)

// TestContextsShared: a follow-up that reaches another replica finds its
// chat's last answer in Redis, under the chat's salted hash, with no user
// ID or text of the asker's, and it expires with the TTL.
func TestContextsShared(t *testing.T) {
	ctx := context.Background()
	url, _ := redisServer(t)
	a, b := open(t, url), open(t, url)
	lex, err := lexicon()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := index.New(data.Default(), lex)
	if err != nil {
		t.Fatal(err)
	}
	live := index.NewLive(ix)
	salt := []byte("a secret the replicas share")
	replica := func(s *Store) *chat.Followups {
		f, err := chat.NewFollowups(live, chat.FollowupConfig{Store: s.Contexts(chat.ContextTTL), Salt: salt})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	ra, rb := replica(a), replica(b)
	const chatID = "line:user:U4af4980629"
	first, err := ra.Ask(ctx, chatID, "研修関係ぜんぶ", 0)
	if err != nil || len(first.Answer.Answers) < 2 {
		t.Fatalf("first answer: %+v %v", first, err)
	}
	r, err := rb.Ask(ctx, chatID, "ほかには？", 0)
	if err != nil || r.Followup != chat.KindMore || r.From != 1 || r.Page().Answers[0].ID != first.Answer.Answers[1].ID {
		t.Fatalf("follow-up on the other replica: %+v %v", r, err)
	}
	if r, _ = ra.Ask(ctx, "line:user:Uother", "ほかには？", 0); r.Followup != "" {
		t.Errorf("another chat shares the context: %+v", r)
	}

	keys, err := a.rdb.Keys(ctx, "planbot:context:*").Result()
	if err != nil || len(keys) != 1 || keys[0] != "planbot:context:"+ra.Key(chatID) {
		t.Fatalf("context keys %v, want the chat's hash (%v)", keys, err)
	}
	raw, _ := a.rdb.Get(ctx, keys[0]).Result()
	for _, secret := range []string{"U4af4980629", "研修", "ほかには"} {
		if strings.Contains(keys[0]+raw, secret) {
			t.Errorf("Redis holds %q: %s %s", secret, keys[0], raw)
		}
	}
	if ttl := a.rdb.TTL(ctx, keys[0]).Val(); ttl <= chat.ContextTTL-time.Minute || ttl > chat.ContextTTL {
		t.Errorf("context TTL %v, want %v", ttl, chat.ContextTTL)
	}

	// Redis expires a context by itself.
	short := a.Contexts(100 * time.Millisecond)
	short.Put(ctx, "k", chat.Context{IDs: []string{"1.1.1.1"}, Shown: 1, At: time.Now()})
	if _, ok, err := b.Contexts(time.Minute).Get(ctx, "k"); !ok || err != nil {
		t.Fatalf("context not shared: %v %v", ok, err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, ok, _ := b.Contexts(time.Minute).Get(ctx, "k"); ok {
		t.Error("context outlived its TTL")
	}
}

// TestContextsRedisAway: while Redis is away a replica keeps the
// contexts it wrote itself.
func TestContextsRedisAway(t *testing.T) {
	ctx := context.Background()
	url, stop := redisServer(t)
	c := open(t, url).Contexts(time.Minute)
	stop()
	want := chat.Context{IDs: []string{"1.1.1.1", "1.1.1.2"}, Shown: 1, At: time.Now().Round(0)}
	if err := c.Put(ctx, "k", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(ctx, "k")
	if err != nil || !ok || strings.Join(got.IDs, " ") != "1.1.1.1 1.1.1.2" || got.Shown != 1 {
		t.Errorf("context while Redis is away: %+v %v %v", got, ok, err)
	}
	c.Delete(ctx, "k")
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Error("deleted context still there")
	}
}
