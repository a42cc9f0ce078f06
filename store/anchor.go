package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"byline"

	"golang.org/x/sync/singleflight"
)

// Deep archive pages. A list page at depth n would walk n rows with OFFSET, so a crawler
// walking the archive would pay more at every page. Instead, the store remembers, per list
// (front page, a tag, an author), the position of every anchorStep-th article, found by
// walking the index only as deep as pages have been asked for; a page then starts from the
// nearest anchor by keyset and skips fewer than anchorStep rows, whatever its depth. The
// anchors hold while the content revision is the same and no scheduled article has come
// out since they were found; after a change, the first deep page walks again, at most as far
// as it lies (what OFFSET would have cost it), and the pages after it extend that walk.

// anchorStep is how many rows apart the remembered positions are.
const anchorStep = 100

// anchorFrom is the offset from which anchors are used; shallower pages use OFFSET, which
// costs little there and needs no walk.
const anchorFrom = 4 * anchorStep

// anchorAhead is how many anchors past the one asked for a walk goes on to find, so that a
// crawler's next pages need no walk.
const anchorAhead = 10

// maxAnchorLists bounds how many lists' anchors are kept (each about 32 bytes per
// anchorStep articles reached: 32 KB for 100,000 articles); the least used goes first.
const maxAnchorLists = 256

// anchorWalkTimeout bounds one walk, which runs on behalf of every reader waiting for it.
const anchorWalkTimeout = 30 * time.Second

// position is where an article stands in the newest-first order.
type position struct {
	at time.Time
	id int64
}

// anchorList is the positions of every anchorStep-th article of one list found so far,
// valid for VisibleAt in [from, until) (until zero: no end) at one content revision.
type anchorList struct {
	revision    int64
	from, until time.Time
	pos         []position
	complete    bool  // pos reaches the end of the list
	used        int64 // when it was last used, in the cache's own count
}

func (l *anchorList) valid(rev int64, at time.Time) bool {
	return l.revision == rev && !at.Before(l.from) && (l.until.IsZero() || at.Before(l.until))
}

type anchorCache struct {
	mu    sync.Mutex
	lists map[string]*anchorList
	uses  int64
	walks singleflight.Group // one walk per list at a time; the others wait for it
}

// listKey names the list a filter selects, whatever its time, offset and limit.
func listKey(f byline.ArticleFilter) string {
	return strconv.Quote(string(f.Status)) + strconv.Quote(f.TagSlug) + strconv.Quote(f.AuthorSlug) + strconv.FormatBool(f.Featured)
}

// lookup returns the anchor of row k*anchorStep when the cache knows it (found), or that the
// list ends before it (found, !ok); otherwise it must be walked.
func (c *anchorCache) lookup(key string, rev int64, at time.Time, k int) (p position, ok, found bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lists[key]
	if l == nil || !l.valid(rev, at) {
		return position{}, false, false
	}
	c.uses++
	l.used = c.uses
	switch {
	case k < len(l.pos):
		return l.pos[k], true, true
	case l.complete:
		return position{}, false, true
	}
	return position{}, false, false
}

// anchor returns the position of the article at offset k*anchorStep (k = offset/anchorStep)
// in the list f selects at f.VisibleAt, or false when the list is shorter.
func (db *DB) anchor(ctx context.Context, f byline.ArticleFilter, offset int) (position, bool, error) {
	k := offset / anchorStep
	key := listKey(f)
	c := &db.anchors
	for range 8 { // each walk reaches further; a few rounds cover any reader
		rev, err := db.ContentRevision(ctx)
		if err != nil {
			return position{}, false, err
		}
		if p, ok, found := c.lookup(key, rev, f.VisibleAt, k); found {
			return p, ok, nil
		}
		// The walk serves every reader of this list that waits for it: it must not stop
		// when the first of them leaves, and a reader who leaves stops waiting.
		walk := c.walks.DoChan(key, func() (any, error) {
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), anchorWalkTimeout)
			defer cancel()
			return nil, db.walkAnchors(wctx, f, key, rev, k+anchorAhead)
		})
		select {
		case <-ctx.Done():
			return position{}, false, ctx.Err()
		case res := <-walk:
			if res.Err != nil {
				return position{}, false, res.Err
			}
		}
	}
	return position{}, false, fmt.Errorf("find archive position %d: the list keeps changing", offset)
}

// walkAnchors extends the list's anchors at revision rev to anchor k (or the list's end),
// walking on from the last known anchor. rev was read before the walk: a commit during it
// moves the revision, and the anchors are then found again.
func (db *DB) walkAnchors(ctx context.Context, f byline.ArticleFilter, key string, rev int64, k int) error {
	c := &db.anchors
	c.mu.Lock()
	var l anchorList
	if cur := c.lists[key]; cur != nil && cur.valid(rev, f.VisibleAt) {
		l = *cur
	}
	c.mu.Unlock()
	if l.pos == nil {
		l = anchorList{revision: rev, from: f.VisibleAt}
		var err error
		if l.until, err = db.NextPublication(ctx, f.VisibleAt); err != nil {
			return err
		}
	}
	if l.complete || k < len(l.pos) {
		return nil
	}
	var from *position
	first := 0 // the row index the walk starts at
	if n := len(l.pos); n > 0 {
		from, first = &l.pos[n-1], (n-1)*anchorStep
	}
	want := k*anchorStep + 1 - first // rows up to and including anchor k
	where, args := filterWhere(f, from)
	args = append(args, want)
	rows, err := db.query(ctx, `SELECT a.published_at, a.id FROM articles a`+where+
		` ORDER BY a.published_at DESC, a.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return fmt.Errorf("find archive positions: %w", err)
	}
	defer rows.Close()
	pos := append([]position(nil), l.pos...)
	n := 0
	for ; rows.Next(); n++ {
		var p position
		if err := rows.Scan(&p.at, &p.id); err != nil {
			return fmt.Errorf("scan archive position: %w", err)
		}
		if i := first + n; i%anchorStep == 0 && i/anchorStep >= len(pos) {
			pos = append(pos, p)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find archive positions: %w", err)
	}
	l.pos, l.complete = pos, n < want
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.lists[key]; cur != nil && cur.revision > rev {
		return nil // a newer list is there already
	}
	if c.lists == nil {
		c.lists = make(map[string]*anchorList)
	}
	if _, ok := c.lists[key]; !ok && len(c.lists) >= maxAnchorLists {
		oldest := ""
		for k, x := range c.lists {
			if oldest == "" || x.used < c.lists[oldest].used {
				oldest = k
			}
		}
		delete(c.lists, oldest)
	}
	c.uses++
	l.used = c.uses
	c.lists[key] = &l
	return nil
}
