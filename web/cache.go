package web

import (
	"sync"
	"time"
)

// pageCache keeps rendered anonymous pages. An entry is served only while the store's content
// revision is the one it was rendered at, so a change made by any process or node shows on
// the very next request; and only until the next scheduled article's publish time, so that
// it appears on the second. Entries also expire after ttl, as a last safety net.
type pageCache struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry
	max     int
	ttl     time.Duration

	// The next scheduled publication, as found at revision nextRev (zero: none).
	next    time.Time
	nextRev int64
}

type cacheEntry struct {
	res      *response
	revision int64
	expires  time.Time
}

func newPageCache(max int, ttl time.Duration) *pageCache {
	return &pageCache{entries: make(map[string]cacheEntry), max: max, ttl: ttl}
}

// get returns the page cached under key for the revision, or nil.
func (c *pageCache) get(key string, revision int64, now time.Time) *response {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.revision != revision || !now.Before(e.expires) {
		return nil
	}
	return e.res
}

// stale returns the page cached under key whatever its revision or age, or nil: for when
// the store cannot say whether it is current.
func (c *pageCache) stale(key string) *response {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[key].res
}

// nextPublication returns the next scheduled publication known for the revision, or false
// when it must be looked up (another revision, or its time has come).
func (c *pageCache) nextPublication(revision int64, now time.Time) (time.Time, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
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

// put caches a page rendered at revision until expires (zero: no sooner than the ttl). When
// the cache is full, entries of older revisions go first, then everything: simple, and a
// full cache is rare.
func (c *pageCache) put(key string, revision int64, now, expires time.Time, res *response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if e.revision != revision || !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	if limit := now.Add(c.ttl); expires.IsZero() || limit.Before(expires) {
		expires = limit
	}
	c.entries[key] = cacheEntry{res: res, revision: revision, expires: expires}
}
