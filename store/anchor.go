package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"byline"
)

// Deep archive pages. A list page at depth n would walk n rows with OFFSET, so a crawler
// walking the archive would pay more at every page. Instead, the store remembers, per list
// (front page, a tag, an author), the position of every anchorStep-th article, found in one
// walk of the index; a page then starts from the nearest anchor by keyset and skips fewer
// than anchorStep rows, whatever its depth. The anchors hold while the content revision is
// the same and no scheduled article has come out since they were found.

// anchorStep is how many rows apart the remembered positions are.
const anchorStep = 100

// anchorFrom is the offset from which anchors are used; shallower pages use OFFSET, which
// costs little there and needs no walk.
const anchorFrom = 4 * anchorStep

// maxAnchorLists bounds how many lists' anchors are kept (each is about 32 bytes per
// anchorStep articles of the list: 32 KB for 100,000 articles).
const maxAnchorLists = 256

// position is where an article stands in the newest-first order.
type position struct {
	at time.Time
	id int64
}

// anchorList is the positions of every anchorStep-th article of one list, valid for
// VisibleAt in [from, until) (until zero: no end) at one content revision.
type anchorList struct {
	revision    int64
	from, until time.Time
	pos         []position
}

func (l *anchorList) valid(rev int64, at time.Time) bool {
	return l.revision == rev && !at.Before(l.from) && (l.until.IsZero() || at.Before(l.until))
}

type anchorCache struct {
	mu    sync.Mutex
	lists map[string]*anchorList
	// computing holds one lock per list key, so that readers of the same deep list wait
	// for one walk instead of each walking.
	computing map[string]*sync.Mutex
}

// listKey names the list a filter selects, whatever its time, offset and limit.
func listKey(f byline.ArticleFilter) string {
	return string(f.Status) + "\x00" + f.TagSlug + "\x00" + f.AuthorSlug + "\x00" + strconv.FormatBool(f.Featured)
}

// anchor returns the position of the article at offset in the list f selects at
// f.VisibleAt, or false when the list is shorter.
func (db *DB) anchor(ctx context.Context, f byline.ArticleFilter, offset int) (position, bool, error) {
	l, err := db.anchorList(ctx, f)
	if err != nil {
		return position{}, false, err
	}
	k := offset / anchorStep
	if k >= len(l.pos) {
		return position{}, false, nil
	}
	return l.pos[k], true, nil
}

func (db *DB) anchorList(ctx context.Context, f byline.ArticleFilter) (*anchorList, error) {
	rev, err := db.ContentRevision(ctx)
	if err != nil {
		return nil, err
	}
	key := listKey(f)
	c := &db.anchors
	c.mu.Lock()
	if l := c.lists[key]; l != nil && l.valid(rev, f.VisibleAt) {
		c.mu.Unlock()
		return l, nil
	}
	if c.computing == nil {
		c.computing = make(map[string]*sync.Mutex)
		c.lists = make(map[string]*anchorList)
	}
	lock := c.computing[key]
	if lock == nil {
		lock = new(sync.Mutex)
		c.computing[key] = lock
	}
	c.mu.Unlock()

	lock.Lock()
	defer lock.Unlock()
	c.mu.Lock()
	l := c.lists[key]
	c.mu.Unlock()
	if l != nil && l.valid(rev, f.VisibleAt) { // found by the reader we waited for
		return l, nil
	}
	if l, err = db.walkAnchors(ctx, f, rev); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.lists) >= maxAnchorLists {
		for k := range c.lists { // any one: a bound, not a policy
			delete(c.lists, k)
			delete(c.computing, k)
			break
		}
	}
	c.lists[key] = l
	c.mu.Unlock()
	return l, nil
}

// walkAnchors walks the list's index once, keeping every anchorStep-th position. The
// revision was read before the walk: a commit during it moves the revision, and the
// anchors are then found again.
func (db *DB) walkAnchors(ctx context.Context, f byline.ArticleFilter, rev int64) (*anchorList, error) {
	where, args := filterWhere(f, nil)
	rows, err := db.query(ctx, `SELECT a.published_at, a.id FROM articles a`+where+` ORDER BY a.published_at DESC, a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find archive positions: %w", err)
	}
	defer rows.Close()
	l := &anchorList{revision: rev, from: f.VisibleAt}
	for n := 0; rows.Next(); n++ {
		var p position
		if err := rows.Scan(&p.at, &p.id); err != nil {
			return nil, fmt.Errorf("scan archive position: %w", err)
		}
		if n%anchorStep == 0 {
			l.pos = append(l.pos, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find archive positions: %w", err)
	}
	if l.until, err = db.NextPublication(ctx, f.VisibleAt); err != nil {
		return nil, err
	}
	return l, nil
}
