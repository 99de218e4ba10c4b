package chat

import (
	"context"
	"errors"
)

// ErrNotAction is returned by a ByKey Feedback for an ID that names no
// action of the plan being served (or when no plan is loaded yet).
var ErrNotAction = errors.New("no such action in the current plan")

// ByKey returns a Feedback that takes action IDs ("1.1.1.1", as the web
// API, LINE postbacks and Slack buttons send them), translates each with
// the plan asker serves at the moment of the vote into the action's stable
// key (data.Item.Key, a hash of its text), and counts the vote under that
// key in store. Counts therefore follow an action when a reindex moves or
// renumbers it, and the counts of an action a reindex removed stay stored
// under its key. Counts returns store's counts, by key. asker must be
// Served (the service's Asker is); store may already be a ByKey Feedback.
func ByKey(store Feedback, asker Asker) Feedback {
	if k, ok := store.(*keyed); ok {
		return k
	}
	return &keyed{store: store, asker: asker}
}

type keyed struct {
	store Feedback
	asker Asker
}

func (k *keyed) Vote(ctx context.Context, id string, helpful bool) error {
	it, found, _ := servedItem(k.asker, id)
	if !found {
		return ErrNotAction
	}
	return k.store.Vote(ctx, it.Key(), helpful)
}

func (k *keyed) Counts(ctx context.Context) (map[string]Votes, error) { return k.store.Counts(ctx) }
