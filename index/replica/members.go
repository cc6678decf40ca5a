package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// Members: every node answers a request on membersSubject with what it
// says of itself, so that any node can list the cluster (GET
// /api/cluster) and a new node can find a peer to copy a snapshot from.
// Nothing is registered: a node that stops simply stops answering.

// membersSubject is where nodes are asked to describe themselves.
const membersSubject = "wensou.members"

// Member is what a node says of itself.
type Member struct {
	Node string `json:"node"`
	// URL is the node's HTTP API, as its peers reach it.
	URL     string `json:"url"`
	Applied uint64 `json:"applied"`
	Lag     uint64 `json:"lag"`
	// CatchingUp: the node's lag is past its threshold; it takes no
	// searches and gives no snapshots.
	CatchingUp bool `json:"catching_up"`
	Voter      bool `json:"voter"`
	// ShardCount is the number of shards the node spreads articles over
	// (--shards): every node of a cluster must give the same.
	ShardCount int `json:"shard_count"`
	// Shards are the shards the node holds, in a cluster of several
	// (its Applied and Lag are then their sum and their most).
	Shards []ShardState `json:"shards,omitempty"`
}

// ShardState is where a node is in the log of a shard it holds.
type ShardState struct {
	Shard      int    `json:"shard"`
	Applied    uint64 `json:"applied"`
	Lag        uint64 `json:"lag"`
	CatchingUp bool   `json:"catching_up"`
}

// Announce answers every members request on nc with what self returns,
// until the returned subscription is unsubscribed or nc closes.
func Announce(nc *nats.Conn, self func() Member) (*nats.Subscription, error) {
	sub, err := nc.Subscribe(membersSubject, func(m *nats.Msg) {
		raw, err := json.Marshal(self())
		if err == nil {
			_ = m.Respond(raw) // a lost answer is a member missing from one list
		}
	})
	if err == nil {
		err = nc.Flush() // the server has the subscription
	}
	if err != nil {
		return nil, fmt.Errorf("announce this node: %w", err)
	}
	return sub, nil
}

// Members asks every node to describe itself and returns the answers
// that arrive within wait (or before ctx is done), sorted by node name.
func Members(ctx context.Context, nc *nats.Conn, wait time.Duration) ([]Member, error) {
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest(membersSubject, inbox, nil); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	var out []Member
	for {
		m, err := sub.NextMsgWithContext(wctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				break // the wait is over
			}
			if errors.Is(err, nats.ErrNoResponders) {
				break // no node answers yet
			}
			return out, fmt.Errorf("list members: %w", err)
		}
		var mem Member
		if json.Unmarshal(m.Data, &mem) == nil && mem.Node != "" {
			out = append(out, mem)
		}
	}
	slices.SortFunc(out, func(a, b Member) int { return strings.Compare(a.Node, b.Node) })
	return out, nil
}

// SnapshotSource returns the member a new node should copy its index
// from: of those caught up and holding something, the one furthest in
// the log, not the node itself.
func SnapshotSource(members []Member, self string) (Member, bool) {
	var best Member
	found := false
	for _, m := range members {
		if m.Node == self || m.CatchingUp || m.Applied == 0 || m.URL == "" {
			continue
		}
		if !found || m.Applied > best.Applied {
			best, found = m, true
		}
	}
	return best, found
}

// ShardMembers returns the members that hold shard k, each described by
// its place in that shard's log: for [SnapshotSource] to pick one. A
// member of a cluster of one shard (no Shards) holds shard 0.
func ShardMembers(members []Member, k int) []Member {
	var out []Member
	for _, m := range members {
		if len(m.Shards) == 0 {
			if k == 0 {
				out = append(out, m)
			}
			continue
		}
		for _, s := range m.Shards {
			if s.Shard == k {
				out = append(out, Member{Node: m.Node, URL: m.URL, Applied: s.Applied, Lag: s.Lag, CatchingUp: s.CatchingUp, Voter: m.Voter})
			}
		}
	}
	return out
}
