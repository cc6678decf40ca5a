package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wensou/wensou/index"
)

// Install makes a new generation from the index files fill writes into
// its directory (a copy of another node's index, say), checks that it
// opens as an index this store can serve, and switches to it. When fill
// or the check fails, the generation is removed and the live one stays.
func (st *Store) Install(ctx context.Context, fill func(dir string) error) error {
	// The rebuild lock keeps cleanup off the new generation between its
	// own lock's release and CURRENT; no rebuild runs meanwhile.
	rebuildF, err := lock(filepath.Join(st.dir, rebuildLock))
	if errors.Is(err, errHeld) {
		return ErrRebuildRunning
	}
	if err != nil {
		return err
	}
	defer unlock(rebuildF)
	if err := rebuildF.Truncate(0); err != nil { // no rebuild's generation to journal to
		return fmt.Errorf("write %s: %w", rebuildLock, err)
	}
	n, genF, err := st.claimGen()
	if err != nil {
		return err
	}
	name := genName(n)
	dir := filepath.Join(st.dir, name)
	fail := func(err error) error {
		if rerr := os.RemoveAll(dir); rerr != nil {
			err = errors.Join(err, rerr)
		}
		unlock(genF)
		return fmt.Errorf("install generation %s: %w", name, err)
	}
	if err := fill(dir); err != nil {
		return fail(err)
	}
	opt := st.indexOptions(name, false)
	opt.AllowIncompatible = false
	ix, err := index.Open(ctx, opt)
	if err != nil {
		return fail(err)
	}
	if err := ix.Close(); err != nil {
		return fail(err)
	}
	if err := syncDir(st.dir); err != nil {
		return fail(err)
	}
	unlock(genF)
	st.wmu.Lock()
	defer st.wmu.Unlock()
	if err := writeCurrent(st.dir, pointer{Generation: name}); err != nil {
		return err
	}
	st.log.Info("installed a generation", "generation", name)
	return st.follow(ctx)
}
