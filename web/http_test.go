package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
)

func TestConditionalAndCompressed(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour)
		plain := s.get("/story/")
		etag := plain.Header.Get("ETag")
		want := body(t, plain)
		if !regexp.MustCompile(`^"[A-Za-z0-9_-]+"$`).MatchString(etag) {
			t.Fatalf("ETag = %q, want a strong ETag", etag)
		}
		if res := s.get("/story/", "If-None-Match", etag); res.StatusCode != http.StatusNotModified || body(t, res) != "" {
			t.Errorf("If-None-Match: status %d, want 304 with no body", res.StatusCode)
		}
		if res := s.get("/story/", "If-None-Match", `"other"`); res.StatusCode != http.StatusOK {
			t.Errorf("stale If-None-Match: status %d, want 200", res.StatusCode)
		}

		gz := s.get("/story/", "Accept-Encoding", "gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("gzip: Content-Encoding %q Vary %q", gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); string(got) != want {
			t.Error("gzip body differs from the plain body")
		}
		gzTag := gz.Header.Get("ETag")
		if gzTag == etag {
			t.Error("the gzip body has the plain body's strong ETag")
		}
		if res := s.get("/story/", "Accept-Encoding", "gzip", "If-None-Match", gzTag); res.StatusCode != http.StatusNotModified {
			t.Errorf("gzip If-None-Match: status %d, want 304", res.StatusCode)
		}

		br := s.get("/story/", "Accept-Encoding", "gzip, deflate, br")
		if br.Header.Get("Content-Encoding") != "br" {
			t.Fatalf("br: Content-Encoding %q", br.Header.Get("Content-Encoding"))
		}
		if got, _ := io.ReadAll(brotli.NewReader(br.Body)); string(got) != want {
			t.Error("brotli body differs from the plain body")
		}
		if res := s.get("/story/", "Accept-Encoding", "br;q=0, gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("q=0 codings: Content-Encoding %q, want none", res.Header.Get("Content-Encoding"))
		}

		head := s.do(http.MethodHead, "/story/")
		if head.StatusCode != http.StatusOK || body(t, head) != "" || head.Header.Get("Content-Length") != plain.Header.Get("Content-Length") {
			t.Errorf("HEAD: status %d length %q", head.StatusCode, head.Header.Get("Content-Length"))
		}
	})
}

func TestHeaders(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		a := s.article("Story", time.Hour)
		res := s.get("/story/")
		csp := res.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("CSP = %q", csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		cc := res.Header.Get("Cache-Control")
		if !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=60") || !strings.Contains(cc, "stale-while-revalidate") || !strings.Contains(cc, "s-maxage") {
			t.Errorf("Cache-Control = %q", cc)
		}
		keys := res.Header.Get("Surrogate-Key")
		if !strings.Contains(keys, "article-") || !strings.Contains(keys, "author-") || !strings.Contains(keys, "tag-") || a.ID == 0 {
			t.Errorf("Surrogate-Key = %q", keys)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
	})
}

func TestNotFoundAndRedirects(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour)
		doc := s.page("/no-such-story/", http.StatusNotFound)
		if doc.Find("h1").Text() != "Page not found" || len(links(doc, "main a[href='/']")) == 0 || len(links(doc, "main li a")) != 1 {
			t.Errorf("404 page: h1 %q, links %q", doc.Find("h1").Text(), links(doc, "main a"))
		}
		for _, path := range []string{"/a/b/c/", "/media/x/abc.jpg", "/static/nope.css", "/tag/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		res := s.get("/story?x=1")
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/story/?x=1" {
			t.Errorf("/story: status %d Location %q, want 301 to /story/", res.StatusCode, res.Header.Get("Location"))
		}
		if res := s.get("/healthz"); res.StatusCode != http.StatusOK || body(t, res) != "ok\n" {
			t.Errorf("/healthz: status %d", res.StatusCode)
		}
		if res := s.do(http.MethodPost, "/story/"); res.StatusCode < 400 {
			t.Errorf("POST /story/: status %d, want an error", res.StatusCode)
		}
	})
}

func TestStaticAndMedia(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour, withImage(s))
		doc := s.page("/story/", http.StatusOK)
		css := doc.Find("link[rel=stylesheet]").AttrOr("href", "")
		res := s.get(css)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
			t.Errorf("%s: status %d, Cache-Control %q", css, res.StatusCode, res.Header.Get("Cache-Control"))
		}
		// An old hash serves the current file briefly; anything else in its place is not a hash.
		if res := s.get("/static/000000000000/style.css"); res.StatusCode != http.StatusOK || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("old hash: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		for _, path := range []string{"/static/x/style.css", "/static/00000000000G/style.css", "/static/0000000000000/style.css"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}
		src := doc.Find("figure img").AttrOr("src", "")
		res = s.get(src)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d type %q", src, res.StatusCode, res.Header.Get("Content-Type"))
		}
		// One address per file: other spellings of the width, and widths the photo lacks, are 404.
		dir := src[:strings.LastIndex(src, "/")+1]
		for _, name := range []string{"0320.jpg", "+320.jpg", "320.0.jpg", "00320.jpg", "321.jpg", "9223372036854775807.jpg", "320.JPG"} {
			if res := s.get(dir + name); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", dir+name, res.StatusCode)
			}
		}
		for _, u := range strings.Split(doc.Find("figure img").AttrOr("srcset", ""), ", ") {
			path, _, _ := strings.Cut(u, " ")
			if res := s.get(path); res.StatusCode != http.StatusOK {
				t.Errorf("srcset %s: status %d", path, res.StatusCode)
			}
		}
	})
}

// TestPageWeight keeps a reader's article page, without images, within 40 KB.
func TestPageWeight(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Older", 2*time.Hour)
		s.article("Story", time.Hour, withImage(s), func(a *byline.Article) {
			a.Body = strings.Repeat("A paragraph of a long article, with “quotations” and commas, as newsrooms write them.\n\n", 60)
		})
		doc := s.page("/story/", http.StatusOK)
		total := len(body(t, s.get("/story/")))
		for _, sel := range []string{"link[rel=stylesheet]", "script[src]"} {
			doc.Find(sel).Each(func(_ int, el *goquery.Selection) {
				total += len(body(t, s.get(el.AttrOr("href", el.AttrOr("src", "")))))
			})
		}
		if total > 40*1024 {
			t.Errorf("page weight without images = %d bytes, want at most 40 KB", total)
		}
		t.Logf("page weight without images: %d bytes", total)
	})
}

// TestChangeFromAnotherProcess shows that a change written through another connection to
// the same database (as `byline import` in another process does) is on the next request.
func TestChangeFromAnotherProcess(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			ctx := context.Background()
			served, err := store.Open(ctx, url, true)
			if err != nil {
				t.Fatal(err)
			}
			defer served.Close()
			s := newSite(t, served)
			s.article("Story", time.Hour)
			if !strings.Contains(body(t, s.get("/story/")), "About Story.") {
				t.Fatal("first render lacks the standfirst")
			}
			body(t, s.get("/")) // cache the front page too

			other, err := store.Open(ctx, url, true)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			a, err := other.FindArticleBySlug(ctx, "story")
			if err != nil {
				t.Fatal(err)
			}
			a.Standfirst, a.Title = "A corrected standfirst.", "Story, corrected"
			if _, err := other.SaveArticle(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
			if engine == "postgres" {
				// Between nodes the change travels by NOTIFY, delivered just after the
				// commit: give it the moment a real second request would take.
				waitRevision(t, served, other)
			}
			if b := body(t, s.get("/story/")); !strings.Contains(b, "A corrected standfirst.") {
				t.Error("the article page still shows the old standfirst after a change by another process")
			}
			if b := body(t, s.get("/")); !strings.Contains(b, "Story, corrected") {
				t.Error("the front page still shows the old title")
			}
			au := &byline.Article{Slug: "new", Title: "Brand new", Status: byline.StatusPublished,
				Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Minute), BodyHTML: "<p>x</p>"}
			if _, err := other.SaveArticle(ctx, au, nil); err != nil {
				t.Fatal(err)
			}
			if engine == "postgres" {
				waitRevision(t, served, other)
			}
			if b := body(t, s.get("/")); !strings.Contains(b, "Brand new") {
				t.Error("the front page misses an article added by another process")
			}
		})
	}
}

// waitRevision waits until served sees the content revision of other. NOTIFY arrives in
// milliseconds; the deadline only keeps a broken build from hanging.
func waitRevision(t *testing.T, served, other *store.DB) {
	t.Helper()
	ctx := context.Background()
	want, err := other.ContentRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if got, _ := served.ContentRevision(ctx); got >= want {
			return
		}
	}
	t.Fatalf("the change did not reach the other node within 20 seconds")
}

// TestScheduledArticleAppearsOnTime: a cached page gives way when a scheduled article's
// publish time comes, with no change in the store.
func TestScheduledArticleAppearsOnTime(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s, setClock := newClockedSite(t, db)
		s.article("Live", time.Hour)
		s.article("Embargoed", -90*time.Second)
		for _, path := range []string{"/", "/rss/"} {
			if strings.Contains(body(t, s.get(path)), "Embargoed") {
				t.Fatalf("%s shows the article before its time", path)
			}
		}
		if res := s.get("/embargoed/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("embargoed article: status %d before its time", res.StatusCode)
		}
		setClock(now.Add(91 * time.Second))
		for _, path := range []string{"/", "/rss/", "/embargoed/"} {
			if !strings.Contains(body(t, s.get(path)), "Embargoed") {
				t.Errorf("%s does not show the article once its time has come", path)
			}
		}
	})
}

// pileUpStore counts article lookups, that is page renders, and holds the first one until
// the given number of readers have asked for the content revision, as each does before it
// looks in the page cache: so readers pile up behind one render, whatever the machine's speed.
type pileUpStore struct {
	*store.DB
	readers int
	arrived chan struct{} // closed when the readers have all arrived

	mu        sync.Mutex
	revisions int
	lookups   int
}

func (p *pileUpStore) ContentRevision(ctx context.Context) (int64, error) {
	p.mu.Lock()
	if p.revisions++; p.revisions == p.readers {
		close(p.arrived)
	}
	p.mu.Unlock()
	return p.DB.ContentRevision(ctx)
}

func (p *pileUpStore) FindArticleBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	p.mu.Lock()
	p.lookups++
	p.mu.Unlock()
	select {
	case <-p.arrived:
	case <-time.After(20 * time.Second): // only a broken build waits this long
	}
	return p.DB.FindArticleBySlug(ctx, slug)
}

// TestOneRenderForManyReaders: when many readers ask at once for a page that is not cached
// (as after a change, under a breaking-news spike), the page is rendered once.
func TestOneRenderForManyReaders(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const readers = 40
		pile := &pileUpStore{DB: db, readers: readers, arrived: make(chan struct{})}
		s := newSite(t, db, func(c *web.Config) { c.Store = pile })
		s.article("Story", time.Hour)
		srv := s.srv
		var wg sync.WaitGroup
		for range readers {
			wg.Go(func() {
				res, err := http.Get(srv.URL + "/story/")
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("status %d", res.StatusCode)
				}
			})
		}
		wg.Wait()
		if pile.lookups != 1 {
			t.Errorf("%d simultaneous readers caused %d renders, want 1", readers, pile.lookups)
		}
	})
}

// TestHealthzAsksTheDatabase: with the database gone, /healthz says so, while the pages in
// the cache go on being served as they were.
func TestHealthzAsksTheDatabase(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	s.article("Story", time.Hour)
	body(t, s.get("/story/"))
	if res := s.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("healthy: status %d", res.StatusCode)
	}
	db.Close()
	if res := s.get("/healthz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("database closed: status %d, want 503", res.StatusCode)
	}
	// Pages seen before still come from the cache, as they were.
	if res := s.get("/story/"); res.StatusCode != http.StatusOK || !strings.Contains(body(t, res), "About Story.") {
		t.Errorf("cached page with the database gone: status %d", res.StatusCode)
	}
	if res := s.get("/never-seen/"); res.StatusCode != http.StatusInternalServerError {
		t.Errorf("uncached page with the database gone: status %d, want 500", res.StatusCode)
	}
}

// failingStore breaks article lookups the way a database fault would.
type failingStore struct{ *store.DB }

func (failingStore) FindArticleBySlug(context.Context, string) (*byline.Article, error) {
	return nil, errors.New("disk I/O error: secret internals")
}

// TestInternalErrors: a fault becomes a 500 page in plain words, and the log (not the
// reader) gets the details with the request id, even with request logging off.
func TestInternalErrors(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	var logs bytes.Buffer
	s := newSite(t, db, func(c *web.Config) {
		c.Store = failingStore{db}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	res := s.get("/some-story/")
	page := body(t, res)
	if res.StatusCode != http.StatusInternalServerError || strings.Contains(page, "secret internals") || !strings.Contains(page, "Something went wrong") {
		t.Errorf("status %d, page leaks the error or says nothing useful", res.StatusCode)
	}
	id := res.Header.Get("X-Request-Id")
	if !strings.Contains(logs.String(), "secret internals") || id == "" || !strings.Contains(logs.String(), id) {
		t.Errorf("log = %q, want the error with request id %q", logs.String(), id)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("500 page Cache-Control = %q, want no-store", res.Header.Get("Cache-Control"))
	}
}

// rawGet sends a request line as written, for paths an HTTP client would escape first.
func rawGet(t *testing.T, s *site, target string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: news.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// TestNoOpenRedirect: whatever the path, a redirect leads only to a path on this site; an
// address that would lead elsewhere is a 404.
func TestNoOpenRedirect(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour)
		paths := []string{"/%2Fevil.example", "/%2fevil.example", "/%5Cevil.example", "/%5cevil.example", "//evil.example",
			"///evil.example", "/%2F%2Fevil.example", "/%5C%5Cevil.example", "/%2Fevil.example?x=1", "/.%2F%2Fevil.example",
			"/%09/evil.example", "/tag/%2F%2Fevil.example", "/author/%2Fevil.example", "/%2F/evil.example", "/story"}
		check := func(path string, res *http.Response) {
			t.Helper()
			loc := res.Header.Get("Location")
			switch {
			case res.StatusCode == http.StatusNotFound:
			case res.StatusCode >= 300 && res.StatusCode < 400:
				to, err := url.Parse(s.srv.URL + "/here/")
				if err == nil {
					to, err = to.Parse(loc)
				}
				if !byline.SitePath(loc) || err != nil || to.Host != strings.TrimPrefix(s.srv.URL, "http://") {
					t.Errorf("%s: %d to %q, a redirect off the site", path, res.StatusCode, loc)
				}
			default:
				t.Errorf("%s: status %d, want 404 or a redirect on the site", path, res.StatusCode)
			}
		}
		for _, path := range paths {
			check(path, s.get(path))
		}
		for _, target := range []string{`/\evil.example`, `/\\evil.example`, `//evil.example`, `/%2Fevil.example`} {
			check(target, rawGet(t, s, target))
		}
		if res := s.get("/story?x=1"); res.Header.Get("Location") != "/story/?x=1" {
			t.Errorf("/story?x=1: Location %q, want /story/?x=1", res.Header.Get("Location"))
		}
	})
}

// TestOneAddressPerPage: a page answers at its plain address only: an encoded slash or
// another spelling of the same path is not a second page, nor a second cache entry.
func TestOneAddressPerPage(t *testing.T) {
	forEachSite(t, func(t *testing.T, s *site) {
		s.article("Story", time.Hour, func(a *byline.Article) {
			a.Tags = []*byline.Tag{{Slug: "transport", Name: "Transport"}}
		})
		for _, path := range []string{"/%2F", "/%2f", "/tag/transport/%2F", "/story/%2F", "/tag/transport/rss/%2F", "/st%6Fry/",
			"/%73tory/", "/tag%2Ftransport/", "/tag/transport%2F", "/story%2F", "/%2Fstory/", "/page/%32/"} {
			res := s.get(path)
			if res.StatusCode != http.StatusNotFound {
				doc, _ := goquery.NewDocumentFromReader(res.Body)
				t.Errorf("%s: status %d (canonical %q), want 404", path, res.StatusCode, doc.Find("link[rel=canonical]").AttrOr("href", ""))
			}
		}
		for _, path := range []string{"/", "/story/", "/tag/transport/"} {
			if got := s.page(path, http.StatusOK).Find("link[rel=canonical]").AttrOr("href", ""); got != base+path {
				t.Errorf("%s: canonical %q", path, got)
			}
		}
	})
}

// manyTagsStore returns articles with far more tags than the domain allows, as a store with
// old or hand-edited rows might.
type manyTagsStore struct{ *store.DB }

func (m manyTagsStore) FindArticleBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	a, err := m.DB.FindArticleBySlug(ctx, slug)
	if err == nil {
		for i := range 20000 {
			a.Tags = append(a.Tags, &byline.Tag{ID: int64(1000000 + i), Slug: fmt.Sprintf("t%d", i), Name: fmt.Sprintf("T%d", i)})
		}
	}
	return a, err
}

// TestSurrogateKeysBounded: however many authors and tags an article has, its purge keys
// stay within what proxies and CDNs accept, and always name the article itself.
func TestSurrogateKeysBounded(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db, func(c *web.Config) { c.Store = manyTagsStore{db} })
	a := s.article("Story", time.Hour)
	res := s.get("/story/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, h := range []string{"Surrogate-Key", "Cache-Tag"} {
		v := res.Header.Get(h)
		first, _, _ := strings.Cut(strings.ReplaceAll(v, ",", " "), " ")
		if len(v) > 2048 || first != fmt.Sprintf("article-%d", a.ID) {
			t.Errorf("%s: %d bytes starting %q, want at most 2 KB starting with the article's key", h, len(v), first)
		}
	}
}

// TestAcceptEncoding: the body is compressed as the reader's Accept-Encoding asks, by the
// rules of RFC 9110: q=0 refuses a coding however it is written, * stands for the codings
// not named, names and parameters are case-insensitive, and the higher weight wins.
func TestAcceptEncoding(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	s := newSite(t, db)
	s.article("Story", time.Hour)
	for header, want := range map[string]string{
		"": "", "identity": "", "gzip": "gzip", "br": "br", "gzip, deflate, br": "br", "deflate": "",
		"br;q=0": "", "br; q=0": "", "br ; q=0": "", "br;q=0.0": "", "br;q=0.000": "", "br;Q=0": "", "BR;q=0": "",
		"br;level=1;q=0": "", "br;q=0, gzip": "gzip", "gzip;q=0, br": "br", "br;q=0, gzip;q=0": "",
		"*": "br", "*;q=0": "", "br;q=0, *": "gzip", "gzip;q=0, *": "br", "*, br;q=0, gzip;q=0": "",
		"GZIP": "gzip", "Br": "br", "gzip;q=1.0, br;q=0.5": "gzip", "gzip;q=0.5, br;q=0.5": "br", "gzip;q=0.001": "gzip",
		"br;q=abc": "", "br;q=1.5": "", "br;q=-1": "", "identity, br;q=0.5": "", "identity;q=0.5, br": "br", "identity, br": "br", "identity;q=0, gzip": "gzip", "x-gzip": "gzip",
		"br;q=0.5, gzip;q=0.8, *;q=0.9": "gzip",
	} {
		res := s.get("/story/", "Accept-Encoding", header)
		if got := res.Header.Get("Content-Encoding"); got != want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", header, got, want)
		}
	}
}

// brokenStore fails one store method, as the database does when a query pages need breaks
// while a ping still answers.
type brokenStore struct {
	*store.DB
	method string
}

// fail returns an error when method is the one that fails.
func (b brokenStore) fail(method string) error {
	if b.method == method {
		return errors.New(method + ": database disk image is malformed")
	}
	return nil
}

func (b brokenStore) Ping(ctx context.Context) error {
	if err := b.fail("Ping"); err != nil {
		return err
	}
	return b.DB.Ping(ctx)
}

func (b brokenStore) ContentRevision(ctx context.Context) (int64, error) {
	if err := b.fail("ContentRevision"); err != nil {
		return 0, err
	}
	return b.DB.ContentRevision(ctx)
}

func (b brokenStore) FindSettings(ctx context.Context) (byline.Settings, error) {
	if err := b.fail("FindSettings"); err != nil {
		return byline.Settings{}, err
	}
	return b.DB.FindSettings(ctx)
}

func (b brokenStore) NextPublication(ctx context.Context, after time.Time) (time.Time, error) {
	if err := b.fail("NextPublication"); err != nil {
		return time.Time{}, err
	}
	return b.DB.NextPublication(ctx, after)
}

func (b brokenStore) FindArticles(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, error) {
	if err := b.fail("FindArticles"); err != nil {
		return nil, err
	}
	return b.DB.FindArticles(ctx, f)
}

// TestHealthzAsksWhatPagesNeed: /healthz is 200 only when the queries every page makes
// answer, not merely a ping: one failing is a 503 in plain words, the details in the log.
func TestHealthzAsksWhatPagesNeed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		for _, method := range []string{"", "Ping", "ContentRevision", "FindSettings", "NextPublication", "FindArticles"} {
			var logs bytes.Buffer
			s := newSite(t, db, func(c *web.Config) {
				c.Store = brokenStore{db, method}
				c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			res := s.get("/healthz")
			b := body(t, res)
			switch {
			case method == "" && (res.StatusCode != http.StatusOK || b != "ok\n"):
				t.Errorf("healthy store: status %d %q, want 200", res.StatusCode, b)
			case method != "" && (res.StatusCode != http.StatusServiceUnavailable || strings.Contains(b, "malformed") ||
				!strings.Contains(logs.String(), "malformed")):
				t.Errorf("%s failing: status %d %q, log %q; want 503 without the details, which go to the log", method, res.StatusCode, b, logs.String())
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s failing: Cache-Control %q, want no-store", method, cc)
			}
		}
	})
}
