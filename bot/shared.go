package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Shared is the state a replica shares with the others (Redis). Answering
// never waits on it: while it is down the service runs on in-process
// state, /readyz stays 200 but says "degraded", and plan changes are
// refused (ErrSharedDown) so the replicas never serve different plans.
type Shared interface {
	// Up reports, without I/O, whether the shared state answered lately.
	Up() bool
	// Check contacts the shared state now: nil when it answers.
	Check(ctx context.Context) error
}

// ErrSharedDown refuses a reindex or rollback while Redis is unreachable:
// a version loaded on one replica alone would leave the replicas split.
var ErrSharedDown = errors.New("the plan was not changed: Redis (PLANBOT_REDIS_URL), through which the replicas " +
	"share the plan, is unreachable; try again when /readyz no longer says degraded")

// CheckShared is nil when s is nil (no replicas) or answers, else
// ErrSharedDown: every way of changing the plan asks it first.
func CheckShared(ctx context.Context, s Shared) error {
	if s == nil {
		return nil
	}
	if err := s.Check(ctx); err != nil {
		return fmt.Errorf("%w (%v)", ErrSharedDown, err)
	}
	return nil
}

// needShared answers 503 to a plan change while the shared state is down.
func (d Deps) needShared(h http.Handler) http.Handler {
	if d.Shared == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := CheckShared(r.Context(), d.Shared); err != nil {
			d.Metrics.Reindexed("refused")
			w.Header().Set("Retry-After", "10")
			writeError(w, http.StatusServiceUnavailable, err.Error())
			return
		}
		h.ServeHTTP(w, r)
	})
}

// readiness is /readyz's body once the index is loaded.
func (d Deps) readiness() string {
	if d.Shared != nil && !d.Shared.Up() {
		return "ready, degraded: Redis unreachable; answering from in-process state, plan changes refused\n"
	}
	return "ready\n"
}
