package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"planbot/bot"
	"planbot/bot/chat"
	"planbot/data"
)

// TestFeedbackOneVoteShared: one vote per voter and action across
// replicas (they share the salt), the last counting; voters are never
// stored in clear.
func TestFeedbackOneVoteShared(t *testing.T) {
	ctx := context.Background()
	url, _ := redisServer(t)
	a, b := open(t, url), open(t, url)
	for i, s := range []*Store{a, b, a, b, a} {
		if err := s.Vote(ctx, "line:Uresident1", "k1", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	b.Vote(ctx, "slack:T1:Ustaff2", "k1", false)
	a.Vote(ctx, "web:203.0.113.9", "k2", true)
	counts, err := b.Counts(ctx)
	if err != nil || len(counts) != 2 || counts["k1"] != (chat.Votes{Helpful: 1, NotHelpful: 1}) || counts["k2"] != (chat.Votes{Helpful: 1}) {
		t.Errorf("counts %v, %v", counts, err)
	}
	// Nothing in Redis names a voter.
	keys, _ := a.rdb.Keys(ctx, "*").Result()
	for _, k := range keys {
		var dump []string
		switch a.rdb.Type(ctx, k).Val() {
		case "hash":
			for f, v := range a.rdb.HGetAll(ctx, k).Val() {
				dump = append(dump, f, v)
			}
		case "zset":
			dump = a.rdb.ZRange(ctx, k, 0, -1).Val()
		case "string":
			dump = []string{a.rdb.Get(ctx, k).Val()}
		}
		for _, v := range append(dump, k) {
			if strings.Contains(v, "resident1") || strings.Contains(v, "staff2") || strings.Contains(v, "203.0.113.9") {
				t.Errorf("%s holds a voter in clear: %q", k, v)
			}
		}
	}
}

// TestFeedbackBoundedRedis: ballots and actions stay within their bounds
// however many voters and actions come, ballots past their time go, and
// 50,000 made-up IDs never reach Redis.
func TestFeedbackBoundedRedis(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, _ := redisServer(t)
	s := open(t, url)
	bounds := feedbackBounds{keep: time.Hour, ballots: 100, keys: 10}
	for i := range 1000 {
		if err := s.vote(ctx, fmt.Sprint("web:10.0.0.", i), fmt.Sprint("k", i%20), true, bounds); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.rdb.HLen(ctx, s.prefix+keyBallot).Val(); n != 100 || s.rdb.ZCard(ctx, s.prefix+keyBallots).Val() != 100 {
		t.Errorf("%d ballots kept, want 100", n)
	}
	counts, _ := s.Counts(ctx)
	if _, ok := counts["k19"]; len(counts) != 10 || !ok {
		t.Errorf("%d actions kept (want the 10 voted on last): %v", len(counts), counts)
	}
	// A ballot past its time goes with the next vote.
	old := s.rdb.ZRange(ctx, s.prefix+keyBallots, 0, 0).Val()[0]
	s.rdb.ZAdd(ctx, s.prefix+keyBallots, redisZ(time.Now().Add(-2*time.Hour), old))
	s.vote(ctx, "web:10.0.0.1", "k19", true, bounds)
	if s.rdb.HExists(ctx, s.prefix+keyBallot, old).Val() {
		t.Error("a ballot past its time kept")
	}

	r := replica(t, ctx, url)
	eventually(t, "the replica to share its plan", func() bool { _, _, err := s.Current(ctx); return err == nil })
	fb := chat.ByKey(s, r.Live)
	before := s.rdb.DBSize(ctx).Val()
	for i := range 50000 {
		if err := fb.Vote(ctx, "web:10.0.0.1", fmt.Sprintf("9.%d.%d.%d", i/1000, i%1000, i%7), true); err != chat.ErrNotAction {
			t.Fatalf("made-up id %d: %v", i, err)
		}
	}
	if err := fb.Vote(ctx, "web:10.0.0.1", "1.1.1.1", true); err != nil {
		t.Fatal(err)
	}
	counts, _ = s.Counts(ctx)
	if after := s.rdb.DBSize(ctx).Val(); after != before || counts[data.Default().Items[0].Key()].Helpful != 1 {
		t.Errorf("keys %d → %d, counts %v", before, after, counts)
	}
}

// TestUnansweredRetentionRedis: the shared log keeps UnansweredKeep at
// most (older questions leave with the next one, the list expires with
// its newest), and questions stored before masking are masked when read.
func TestUnansweredRetentionRedis(t *testing.T) {
	ctx := context.Background()
	url, _ := redisServer(t)
	s := open(t, url)
	key := s.prefix + keyUnanswered
	legacy := func(text string, at time.Time) {
		b, _ := json.Marshal(bot.Question{Text: text, At: at})
		s.rdb.LPush(ctx, key, b)
	}
	legacy("古い質問 090-1111-2222", time.Now().Add(-bot.UnansweredKeep-time.Hour))
	legacy("相馬太郎です。電話０９０－１２３４－５６７８", time.Now().Add(-time.Hour))
	s.Add(ctx, bot.Logged("ごみ収集車のメールtaro@example.jp", time.Now()))
	if n := s.rdb.LLen(ctx, key).Val(); n != 2 {
		t.Errorf("%d questions stored, want the old one gone", n)
	}
	if ttl := s.rdb.TTL(ctx, key).Val(); ttl <= 0 || ttl > bot.UnansweredKeep {
		t.Errorf("list TTL %v", ttl)
	}
	qs, err := s.Recent(ctx, 10)
	if err != nil || len(qs) != 2 || qs[0].Text != "ごみ収集車のメール〔メール〕" || qs[1].Text != "相馬太郎です。電話〔電話番号〕" {
		t.Errorf("recent %+v %v", qs, err)
	}
}

func redisZ(at time.Time, member string) redis.Z {
	return redis.Z{Score: float64(at.Unix()), Member: member}
}
