package web

import (
	"container/list"
	"strings"
	"sync"
	"time"
)

// pageCache keeps rendered anonymous pages. An entry is served only while the store's content
// revision is the one it was rendered at, so a change made by any process or node shows on
// the very next request; and only until the next scheduled article's publish time, so that
// it appears on the second. Entries also expire after ttl, as a last safety net.
//
// The cache is bounded in bytes, the compressed copies a response makes later included, and
// lets go of the least recently used page first: a crawler reading every page of the archive
// once pushes out other pages it read once, while the front page, read all the time, stays.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	lru     list.List                // the most recently used at the front
	bytes   int64                    // what the entries take
	budget  int64
	ttl     time.Duration

	// The next scheduled publication, as found at revision nextRev (zero: none).
	next    time.Time
	nextRev int64

	// rev is the content revision the cache has caught up with (see catchUp); catching
	// holds one catch-up at a time.
	rev      int64
	catching sync.Mutex
}

// changesFunc returns the surrogate keys of the pages the revisions after `after` up to
// `upto` changed, or all when any page may have.
type changesFunc func(after, upto int64) (keys []string, all bool, err error)

// catchUp brings the cache from the revision it knew to rev. Pages the changes in between
// did not touch are current at rev too, and stay cached: an editor's save of one article
// re-renders that article's page and the lists, not every article of the archive. Only an
// article's own page can be kept so: its surrogate keys name everything it shows (the
// article, its next one, its bylines and tags). Every other page (lists, feeds, sitemaps)
// may name any article and is rendered again. Without changes (nil), or when they are not
// known, nothing is kept.
func (c *pageCache) catchUp(rev int64, changes changesFunc) {
	c.mu.Lock()
	cur := c.rev
	c.mu.Unlock()
	if cur == rev {
		return
	}
	c.catching.Lock()
	defer c.catching.Unlock()
	c.mu.Lock()
	cur = c.rev
	c.mu.Unlock()
	if cur == rev {
		return
	}
	var keys []string
	all := true
	if cur != 0 && rev > cur && changes != nil {
		var err error
		if keys, all, err = changes(cur, rev); err != nil {
			all = true // not knowing what changed, keep nothing
		}
	}
	touched := make(map[string]bool, len(keys))
	for _, k := range keys {
		touched[k] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !all {
		for el := c.lru.Front(); el != nil; el = el.Next() {
			e := el.Value.(*cacheEntry)
			if e.revision == cur && articlePage(e.res) && !touches(e.res, touched) {
				e.revision = rev
			}
		}
	}
	c.rev = rev
}

// articlePage reports whether a cached response is an article's page: its first surrogate
// key names the article.
func articlePage(res *response) bool {
	return len(res.surrogate) > 0 && strings.HasPrefix(res.surrogate[0], "article-")
}

// touches reports whether any of the response's surrogate keys is among the changed ones.
func touches(res *response, changed map[string]bool) bool {
	for _, header := range res.surrogate {
		for _, k := range strings.Fields(header) {
			if changed[k] {
				return true
			}
		}
	}
	return false
}

// cacheEntry is one cached page.
type cacheEntry struct {
	key      string
	res      *response
	revision int64
	expires  time.Time
	size     int64 // the bytes counted for it in pageCache.bytes
}

// entryOverhead is what an entry costs besides its key and response: the entry, its list
// element and its place in the map, rounded up.
const entryOverhead = 256

// defaultPageCacheBytes is the page cache's budget when the configuration sets none: some
// thousands of pages, a few megabytes each at most.
const defaultPageCacheBytes = 32 << 20

// newPageCache returns a cache that holds at most budget bytes.
func newPageCache(budget int64, ttl time.Duration) *pageCache {
	return &pageCache{entries: make(map[string]*list.Element), budget: budget, ttl: ttl}
}

// get returns the page cached under key for the revision, or nil. A page found becomes the
// most recently used.
func (c *pageCache) get(key string, revision int64, now time.Time) *response {
	c.mu.Lock()
	el, ok := c.entries[key]
	if !ok {
		c.mu.Unlock()
		return nil
	}
	e := el.Value.(*cacheEntry)
	if e.revision != revision || !now.Before(e.expires) {
		c.mu.Unlock()
		return nil
	}
	if c.lru.Front() != el {
		c.lru.MoveToFront(el)
	}
	c.mu.Unlock()
	return e.res
}

// stale returns the page cached under key whatever its revision or age, or nil: for when
// the store cannot say whether it is current.
func (c *pageCache) stale(key string) *response {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		return el.Value.(*cacheEntry).res
	}
	return nil
}

// nextPublication returns the next scheduled publication known for the revision, or false
// when it must be looked up (another revision, or its time has come).
func (c *pageCache) nextPublication(revision int64, now time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nextRev != revision || !c.next.IsZero() && !now.Before(c.next) {
		return time.Time{}, false
	}
	return c.next, true
}

func (c *pageCache) setNextPublication(revision int64, next time.Time) {
	c.mu.Lock()
	c.next, c.nextRev = next, revision
	c.mu.Unlock()
}

// put caches a page rendered at revision until expires (zero: no sooner than the ttl), as
// the most recently used, and lets go of the least recently used pages until the cache is
// within its budget. A page bigger than an eighth of the budget is not kept: it would push
// out too many others.
func (c *pageCache) put(key string, revision int64, now, expires time.Time, res *response) {
	if limit := now.Add(c.ttl); expires.IsZero() || limit.Before(expires) {
		expires = limit
	}
	e := &cacheEntry{key: key, res: res, revision: revision, expires: expires}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.remove(el)
	}
	e.size = int64(len(key)) + entryOverhead + res.size()
	if e.size > c.budget/8 {
		return
	}
	c.entries[key] = c.lru.PushFront(e)
	c.bytes += e.size
	// A compressed copy made later grows the entry: count it, and make room for it.
	res.grown.Store(&growth{func(n int64) { c.grow(e, n) }})
	c.evict()
}

// grow counts n more bytes for an entry, if it is still cached.
func (c *pageCache) grow(e *cacheEntry, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok && el.Value == e {
		e.size += n
		c.bytes += n
		c.evict()
	}
}

// evict lets go of the least recently used entries until the cache is within its budget.
func (c *pageCache) evict() {
	for c.bytes > c.budget {
		c.remove(c.lru.Back())
	}
}

// remove takes an entry out of the cache.
func (c *pageCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

// size returns the bytes the cache holds.
func (c *pageCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
