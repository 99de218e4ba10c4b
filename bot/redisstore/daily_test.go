package redisstore

import (
	"context"
	"testing"
	"time"

	"planbot/bot"
)

// TestDailyShared: two replicas count into the same days, each date
// expires after the charted days, and while Redis is away a replica counts
// in process and reports its own counts with the shared ones.
func TestDailyShared(t *testing.T) {
	ctx := context.Background()
	url, stop := redisServer(t)
	a, b := open(t, url).Daily(), open(t, url).Daily()
	a.Count(ctx, "2026-12-01", "line", bot.Answered)
	b.Count(ctx, "2026-12-01", "slack", bot.NotCovered)
	b.Count(ctx, "2026-12-01", "line", bot.Answered)
	a.Count(ctx, "2026-12-03", "web", bot.Suggested)
	dates := []string{"2026-12-01", "2026-12-02", "2026-12-03"}
	days, err := b.Days(ctx, dates)
	if err != nil || len(days) != 3 || days[0].Channels["line"] != 2 || days[0].Channels["slack"] != 1 ||
		days[0].Outcomes[bot.Answered] != 2 || days[0].Outcomes[bot.NotCovered] != 1 || len(days[1].Channels) != 0 ||
		days[2].Date != "2026-12-03" || days[2].Outcomes[bot.Suggested] != 1 {
		t.Fatalf("days: %+v, %v", days, err)
	}
	ttl, err := a.s.rdb.TTL(ctx, a.s.prefix+keyDaily+"2026-12-01").Result()
	if err != nil || ttl < bot.StatsDays*24*time.Hour || ttl > dailyTTL {
		t.Errorf("ttl %v, %v", ttl, err)
	}

	stop()
	if err := a.Count(ctx, "2026-12-03", "web", bot.Answered); err != nil {
		t.Errorf("count with Redis away: %v", err)
	}
	days, err = a.Days(ctx, dates)
	if err != nil || days[2].Channels["web"] != 1 || days[2].Outcomes[bot.Answered] != 1 {
		t.Errorf("days with Redis away: %+v, %v", days, err)
	}
}
