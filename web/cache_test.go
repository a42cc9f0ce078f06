package web

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/store/storetest"
)

// heapInuse is the memory the heap holds, after a collection.
func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestPageCacheBoundedInBytes: a crawl of tens of thousands of distinct pages leaves the cache
// within its budget in bytes, compressed copies included, and the page readers keep asking
// for (the front page) stays cached throughout.
func TestPageCacheBoundedInBytes(t *testing.T) {
	const budget = 4 << 20
	c := newPageCache(budget, 10*time.Minute)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	page := func(n int) *response {
		body := bytes.Repeat([]byte("<p>Some text of a page.</p>\n"), n)
		return newResponse(http.StatusOK, "text/html; charset=utf-8", pageCacheControl, body)
	}
	front := page(300)
	c.put("/", 1, now, time.Time{}, front)
	before := heapInuse()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50000 {
		res := page(50 + rng.IntN(400)) // 1 to 12 KB
		c.put(fmt.Sprintf("/tag/t%d/", i), 1, now, time.Time{}, res)
		if i%25 == 0 {
			res.gzipped() // a reader asked for it compressed: the cache grows after the put
		}
		if i%100 == 0 {
			if c.get("/", 1, now) != front {
				t.Fatalf("after %d pages the front page, read every 100 pages, left the cache", i)
			}
			front.brotlied()
		}
		if size := c.size(); size > budget {
			t.Fatalf("after %d pages the cache holds %d bytes, over its budget of %d", i, size, budget)
		}
	}
	if c.get("/", 1, now) != front {
		t.Error("the front page left the cache during the crawl")
	}
	after := heapInuse()
	t.Logf("cache: %d bytes of %d; heap in use %.1f MB before the crawl, %.1f MB after", c.size(), budget,
		float64(before)/(1<<20), float64(after)/(1<<20))
	if after > before+3*budget {
		t.Errorf("heap grew by %d bytes during the crawl, more than thrice the cache's budget", after-before)
	}
}

// TestPageCacheLeastRecentlyUsed: when full, the cache lets go of the page read longest ago,
// not of everything, and a read makes a page recent.
func TestPageCacheLeastRecentlyUsed(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	res := func() *response {
		return newResponse(http.StatusOK, "text/plain", pageCacheControl, make([]byte, 1000))
	}
	one := int64(len("/a/")) + entryOverhead + res().size()
	c := newPageCache(8*one, time.Minute)
	keys := []string{"/a/", "/b/", "/c/", "/d/", "/e/", "/f/", "/g/", "/h/"}
	for _, key := range keys {
		c.put(key, 1, now, time.Time{}, res())
	}
	if c.size() != 8*one {
		t.Fatalf("eight pages take %d bytes, want %d", c.size(), 8*one)
	}
	c.get("/a/", 1, now) // /b/ is now the least recently used
	c.put("/i/", 1, now, time.Time{}, res())
	for _, key := range append(keys, "/i/") {
		if got, want := c.stale(key) != nil, key != "/b/"; got != want {
			t.Errorf("%s cached: %v, want %v", key, got, want)
		}
	}
	big := newResponse(http.StatusOK, "text/plain", pageCacheControl, make([]byte, 2*one))
	c.put("/big/", 1, now, time.Time{}, big)
	if c.stale("/big/") != nil || c.stale("/c/") == nil || c.size() > 8*one {
		t.Error("a page bigger than an eighth of the cache was kept, or pushed others out")
	}
	// A page compressed once cached grows the cache, which makes room for the copy.
	c = newPageCache(8*one, time.Minute)
	for _, key := range keys {
		c.put(key, 1, now, time.Time{}, res())
	}
	h := c.get("/h/", 1, now)
	gz := int64(len(h.gzipped()))
	if c.size() != 7*one+gz || c.stale("/a/") != nil || c.stale("/h/") == nil {
		t.Errorf("after compressing a page: %d bytes, want %d; the least recent gone: %v", c.size(), 7*one+gz, c.stale("/a/") == nil)
	}
}

// countingFinds counts FindArticles calls: the front page makes some when rendered, none
// when it comes from the cache.
type countingFinds struct {
	Store
	mu    sync.Mutex
	finds int
}

func (c *countingFinds) FindArticles(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, error) {
	c.mu.Lock()
	c.finds++
	c.mu.Unlock()
	return c.Store.FindArticles(ctx, f)
}

// count returns the FindArticles calls so far.
func (c *countingFinds) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.finds
}

// TestCrawlKeepsTheFrontPage: a crawler reading every page of the site through the real
// handler, over ten times the cache's budget, leaves the cache within it and the front page,
// which readers keep asking for, served from it without a query.
func TestCrawlKeepsTheFrontPage(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var paths []string
	for i := range 60 {
		slug := fmt.Sprintf("story-%d", i)
		a := &byline.Article{Slug: slug, Title: fmt.Sprintf("Story %d", i), Standfirst: strings.Repeat("A standfirst. ", 20),
			Body: "Body", BodyHTML: strings.Repeat("<p>A paragraph of the story.</p>", 100),
			Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Duration(i+1) * time.Hour),
			Authors: []*byline.Author{{Slug: fmt.Sprintf("author-%d", i), Name: fmt.Sprintf("Author %d", i)}},
			Tags:    []*byline.Tag{{Slug: fmt.Sprintf("tag-%d", i), Name: fmt.Sprintf("Tag %d", i)}}}
		if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, "/"+slug+"/", "/tag/"+a.Tags[0].Slug+"/", "/author/"+a.Authors[0].Slug+"/",
			"/tag/"+a.Tags[0].Slug+"/rss/", "/author/"+a.Authors[0].Slug+"/rss/")
	}
	const budget = 256 << 10
	counting := &countingFinds{Store: db}
	s, err := New(Config{Store: counting, BaseURL: "http://news.test", Now: func() time.Time { return now }, PageCacheBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip, br")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, w.Code)
		}
	}
	get("/")
	before := heapInuse()
	for i, path := range paths {
		get(path)
		if i%10 == 0 {
			get("/")
		}
	}
	finds := counting.count()
	get("/")
	if got := counting.count(); got != finds {
		t.Errorf("the front page was rendered again after the crawl (%d queries): it left the cache", got-finds)
	}
	if size := s.cache.size(); size > budget {
		t.Errorf("after the crawl the cache holds %d bytes, over its budget of %d", size, budget)
	}
	t.Logf("crawl of %d pages: cache %d bytes of %d; heap in use %.1f MB before, %.1f MB after",
		len(paths), s.cache.size(), budget, float64(before)/(1<<20), float64(heapInuse())/(1<<20))
}
