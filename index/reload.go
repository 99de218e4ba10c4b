package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"planbot/data"
	"planbot/data/versions"
)

// Errors of a reindex that the callers map to answers (HTTP 422, 409).
var (
	// ErrInvalid wraps a plan text that does not parse; errors.As finds
	// the *data.ParseError with the line number.
	ErrInvalid = errors.New("invalid plan")
	// ErrNeedsForce refuses an empty plan or one that drops more than half
	// of the actions unless the admin says force.
	ErrNeedsForce = errors.New("plan is empty or drops more than half of the actions; use force to load it anyway")
)

// Reloader is the one mechanism behind every way of loading a plan: the
// command line, the admin API, Slack and the file watch. It validates a
// text, builds the new index beside the one being served, swaps them
// atomically and records the accepted version.
type Reloader struct {
	Live     *Live
	Lexicon  *Lexicon
	Store    *versions.Store // nil: versions are not kept
	PlanFile string          // what an empty reindex reloads; "" = the embedded plan
	// Announce, when set, tells other replicas about an accepted version
	// (the service sets it to a Redis publish).
	Announce func(ctx context.Context, v versions.Version, text []byte) error
	Now      func() time.Time

	mu      sync.Mutex // one reindex at a time
	current versions.Version
}

// Current returns the version being served.
func (r *Reloader) Current() versions.Version {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// Report is the outcome of a reindex or rollback.
type Report struct {
	Version versions.Version `json:"version"`
	Diff    data.Diff        `json:"diff"`
	Text    string           `json:"text"` // the diff, readable
}

// Reindex loads text (nil: the configured plan file) as the new plan.
func (r *Reloader) Reindex(ctx context.Context, text []byte, source string, force bool) (Report, error) {
	if text == nil {
		var err error
		if text, source, err = r.configured(); err != nil {
			return Report{}, err
		}
	}
	rep, err := r.load(ctx, text, source, force, true)
	return rep, err
}

// Adopt loads a version another replica accepted; it does not announce it
// again and never needs force, because the other replica checked it.
func (r *Reloader) Adopt(ctx context.Context, text []byte, source string) (Report, error) {
	return r.load(ctx, text, source, true, false)
}

// Rollback serves an earlier stored version again.
func (r *Reloader) Rollback(ctx context.Context, id string) (Report, error) {
	if r.Store == nil {
		return Report{}, fmt.Errorf("rollback: no version store")
	}
	_, text, err := r.Store.Get(id)
	if err != nil {
		return Report{}, err
	}
	return r.load(ctx, text, "rollback to "+id, true, true)
}

// Boot loads the plan to start with: the current stored version if there
// is one, else the configured plan file (stored as the first version).
func (r *Reloader) Boot(ctx context.Context) (Report, error) {
	if r.Store != nil {
		if v, text, err := r.Store.Current(); err == nil {
			return r.load(ctx, text, v.Source, true, false)
		} else if !errors.Is(err, versions.ErrNotFound) {
			return Report{}, err
		}
	}
	return r.Reindex(ctx, nil, "", true)
}

func (r *Reloader) configured() ([]byte, string, error) {
	if r.PlanFile == "" {
		return data.DefaultText(), "embedded " + data.DefaultFile, nil
	}
	b, err := os.ReadFile(r.PlanFile)
	if err != nil {
		return nil, "", fmt.Errorf("reindex: %w", err)
	}
	return b, "file " + r.PlanFile, nil
}

func (r *Reloader) load(ctx context.Context, text []byte, source string, force, announce bool) (Report, error) {
	p, err := data.Parse(text)
	switch {
	case errors.Is(err, data.ErrEmpty) && force:
		p = &data.Plan{Title: "(empty plan)"} // the admin insists: answer nothing
	case errors.Is(err, data.ErrEmpty):
		return Report{}, fmt.Errorf("%w: %w", ErrNeedsForce, err)
	case err != nil:
		return Report{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var rep Report
	if cur := r.Live.Current(); cur != nil {
		if !force && len(p.Items) < (len(cur.plan.Items)+1)/2 {
			return Report{}, fmt.Errorf("%w (%d → %d actions)", ErrNeedsForce, len(cur.plan.Items), len(p.Items))
		}
		rep.Diff = data.Compare(cur.plan, p)
	} else {
		rep.Diff = data.Compare(&data.Plan{}, p)
	}
	if err := ctx.Err(); err != nil {
		return Report{}, err
	}
	ix, err := New(p, r.Lexicon)
	if err != nil {
		return Report{}, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	rep.Version = versions.Version{Hash: versions.Hash(text), Updated: p.Updated, Title: p.Title, Items: len(p.Items), LoadedAt: now().UTC(), Source: source}
	if r.Store != nil {
		if rep.Version, err = r.Store.Add(text, p, source, now()); err != nil {
			ix.Close()
			return Report{}, err
		}
	}
	r.current = rep.Version
	if old := r.Live.Swap(ix); old != nil {
		go old.Close() // waits for the questions still running on it
	}
	rep.Text = rep.Diff.String()
	if announce && r.Announce != nil {
		if err := r.Announce(ctx, rep.Version, text); err != nil {
			return rep, fmt.Errorf("reindexed here, but not announced to other replicas: %w", err)
		}
	}
	return rep, nil
}
