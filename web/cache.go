package web

import (
	"sync"
	"time"
)

// pageCache keeps rendered anonymous pages. An entry is served only while the store's content
// revision is the one it was rendered at, so a change made by any process or node shows on
// the very next request. Entries also expire after ttl, so that scheduled articles appear
// on time.
type pageCache struct {
	mu      sync.RWMutex
	entries map[string]cacheEntry
	max     int
	ttl     time.Duration
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
	if !ok || e.revision != revision || now.After(e.expires) {
		return nil
	}
	return e.res
}

// put caches a page rendered at revision. When the cache is full, entries of older
// revisions go first, then everything: simple, and a full cache is rare.
func (c *pageCache) put(key string, revision int64, now time.Time, res *response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if e.revision != revision || now.After(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= c.max {
			clear(c.entries)
		}
	}
	c.entries[key] = cacheEntry{res: res, revision: revision, expires: now.Add(c.ttl)}
}
