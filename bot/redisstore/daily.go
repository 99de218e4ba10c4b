package redisstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"planbot/bot"
)

// keyDaily prefixes the daily question counts: a hash for each date
// (Japan time) of channel:<name> and outcome:<name> counters. Counts
// only: no question, no user.
const keyDaily = "daily:"

// dailyTTL keeps a date's counts for the days the admin page charts, and
// a little more.
const dailyTTL = (bot.StatsDays + 2) * 24 * time.Hour

// Daily counts questions per day, by channel and outcome, for every
// replica's admin page. While Redis is away this replica counts in
// process; its own counts are added to the shared ones when read.
type Daily struct {
	s     *Store
	local *bot.MemDaily
}

var _ bot.Daily = (*Daily)(nil)

// Daily returns the Store's daily counts.
func (s *Store) Daily() *Daily { return &Daily{s: s, local: &bot.MemDaily{}} }

func (d *Daily) Count(ctx context.Context, date, channel, outcome string) error {
	key := d.s.prefix + keyDaily + date
	pipe := d.s.rdb.TxPipeline()
	pipe.HIncrBy(ctx, key, "channel:"+channel, 1)
	pipe.HIncrBy(ctx, key, "outcome:"+outcome, 1)
	pipe.Expire(ctx, key, dailyTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		d.s.failed("daily counts", err)
		return d.local.Count(ctx, date, channel, outcome)
	}
	return nil
}

func (d *Daily) Days(ctx context.Context, dates []string) ([]bot.Day, error) {
	out, _ := d.local.Days(ctx, dates)
	pipe := d.s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(dates))
	for i, date := range dates {
		cmds[i] = pipe.HGetAll(ctx, d.s.prefix+keyDaily+date)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		d.s.failed("daily counts", err)
		return out, nil
	}
	for i, c := range cmds {
		for field, val := range c.Val() {
			kind, name, ok := strings.Cut(field, ":")
			n, err := strconv.Atoi(val)
			if !ok || err != nil {
				continue
			}
			switch kind {
			case "channel":
				out[i].Channels[name] += n
			case "outcome":
				out[i].Outcomes[name] += n
			}
		}
	}
	return out, nil
}
