package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"planbot/bot/chat"
)

// keyContext prefixes the chats' follow-up contexts: the key is the chat's
// salted hash (chat.Followups.Key), never a user ID.
const keyContext = "context:"

// Contexts keeps the chats' follow-up contexts in Redis, each expiring
// ttl after its last answer, so that a follow-up reaching another replica
// (or this one after a restart) finds its chat's last answer. While Redis
// is away the contexts this replica wrote are used: every context is kept
// in process too.
type Contexts struct {
	s     *Store
	ttl   time.Duration
	local *chat.MemContexts
}

var _ chat.Contexts = (*Contexts)(nil)

// localContexts bounds the contexts kept in process.
const localContexts = 10000

// Contexts returns the Store's follow-up contexts, kept for ttl.
func (s *Store) Contexts(ttl time.Duration) *Contexts {
	return &Contexts{s: s, ttl: ttl, local: chat.NewMemContexts(localContexts, ttl)}
}

// Get returns the chat's context from Redis, or from this replica's own
// while Redis is away.
func (c *Contexts) Get(ctx context.Context, key string) (chat.Context, bool, error) {
	b, err := c.s.rdb.Get(ctx, c.s.prefix+keyContext+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return chat.Context{}, false, nil
	}
	if err != nil {
		c.s.failed("context", err)
		return c.local.Get(ctx, key)
	}
	var v chat.Context
	if err := json.Unmarshal(b, &v); err != nil {
		return chat.Context{}, false, fmt.Errorf("redis: context: %w", err)
	}
	return v, true, nil
}

// Put stores the chat's context with the TTL.
func (c *Contexts) Put(ctx context.Context, key string, v chat.Context) error {
	c.local.Put(ctx, key, v)
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("redis: context: %w", err)
	}
	if err := c.s.rdb.Set(ctx, c.s.prefix+keyContext+key, b, c.ttl).Err(); err != nil {
		c.s.failed("context", err)
	}
	return nil
}

// Delete forgets the chat's context.
func (c *Contexts) Delete(ctx context.Context, key string) error {
	c.local.Delete(ctx, key)
	if err := c.s.rdb.Del(ctx, c.s.prefix+keyContext+key).Err(); err != nil {
		c.s.failed("context", err)
	}
	return nil
}
