package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wensou/wensou/index/replica"
	"github.com/wensou/wensou/index/store"
)

// A cluster is rebuilt one node at a time, through the nodes' APIs: each
// node rebuilds its own index from the articles it stores (POST
// /api/admin/reindex), carrying over the log entries it applies
// meanwhile, and the next node starts once it is done and caught up. The
// other nodes answer searches meanwhile, so the cluster never goes dark.

// clusterPoll is how often a node's rebuild and health are asked for.
const clusterPoll = 500 * time.Millisecond

// reindexCluster rebuilds every member of the cluster that the node at
// base belongs to.
func reindexCluster(ctx context.Context, base, adminKey string, stdout io.Writer) error {
	c := &nodeClient{key: adminKey}
	var info struct {
		Mode    string           `json:"mode"`
		Members []replica.Member `json:"members"`
	}
	if err := c.do(ctx, http.MethodGet, base+"/api/cluster", "", http.StatusOK, &info); err != nil {
		return err
	}
	if info.Mode != "cluster" {
		return fmt.Errorf("%s is no cluster node: rebuild its index with \"wensou reindex --index DIR\" or POST /api/admin/reindex", base)
	}
	if len(info.Members) == 0 {
		return fmt.Errorf("%s/api/cluster lists no members", base)
	}
	for _, m := range info.Members {
		if m.URL == "" {
			return fmt.Errorf("node %s gives no URL: start it with --advertise", m.Node)
		}
	}
	fmt.Fprintf(stdout, "rebuilding %d nodes one at a time: %s\n", len(info.Members), memberNames(info.Members))
	began := time.Now()
	for i, m := range info.Members {
		p, err := c.rebuildNode(ctx, m.URL)
		if err != nil {
			return fmt.Errorf("node %s (%s): %w; nodes before it are rebuilt, the others unchanged", m.Node, m.URL, err)
		}
		fmt.Fprintf(stdout, "%d/%d %s: rebuilt %s, %s articles, %d log entries carried over, in %.1fs; caught up\n",
			i+1, len(info.Members), m.Node, p.Generation, fmtCount(p.Done), p.Journaled, p.Elapsed)
	}
	fmt.Fprintf(stdout, "rebuilt the cluster's %d nodes in %.1fs\n", len(info.Members), time.Since(began).Seconds())
	return nil
}

func memberNames(ms []replica.Member) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Node
	}
	return strings.Join(names, ", ")
}

// nodeClient calls a node's API with the admin key.
type nodeClient struct {
	key string
}

// send makes a request and returns the answer, which must come with
// status want; another status is an error with the node's message.
func (c *nodeClient) send(ctx context.Context, method, url, body string, want int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(msg))
	}
	return resp, nil
}

// do makes a request with send and decodes the answer into out.
func (c *nodeClient) do(ctx context.Context, method, url, body string, want int, out any) error {
	resp, err := c.send(ctx, method, url, body, want)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	return nil
}

// reindexStatus is GET /api/admin/reindex's answer.
type reindexStatus struct {
	Running *store.Progress `json:"running"`
	Last    *store.Progress `json:"last"`
}

// rebuildNode rebuilds the node at base from its stored articles and
// waits until it is done and the node is caught up with the log.
func (c *nodeClient) rebuildNode(ctx context.Context, base string) (*store.Progress, error) {
	var st reindexStatus
	if err := c.do(ctx, http.MethodPost, base+"/api/admin/reindex", `{"source":"stored"}`, http.StatusAccepted, &st); err != nil {
		return nil, err
	}
	if st.Running == nil {
		return nil, errors.New("the node started no rebuild")
	}
	started := st.Running.Started
	for {
		if err := sleepCtx(ctx, clusterPoll); err != nil {
			return nil, err
		}
		if err := c.do(ctx, http.MethodGet, base+"/api/admin/reindex", "", http.StatusOK, &st); err != nil {
			return nil, err
		}
		if st.Running != nil || st.Last == nil || st.Last.Started.Before(started) {
			continue
		}
		if st.Last.Err != "" {
			return nil, fmt.Errorf("its rebuild failed, its live index is unchanged: %s", st.Last.Err)
		}
		break
	}
	// The node takes searches again once its lag is under its --max-lag.
	for {
		if err := c.do(ctx, http.MethodGet, base+"/healthz", "", http.StatusOK, nil); err == nil {
			return st.Last, nil
		}
		if err := sleepCtx(ctx, clusterPoll); err != nil {
			return nil, err
		}
	}
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
