package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/media"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

// now is the test clock: every test site lives at this moment.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const base = "http://news.test"

// site is a test site over a real store and the real handler.
type site struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	md  *markdown.Renderer
}

// newSite serves db through the real handler at the test clock; opts may change the config.
func newSite(t *testing.T, db *store.DB, opts ...func(*web.Config)) *site {
	t.Helper()
	db.Now = func() time.Time { return now }
	cfg := web.Config{Store: db, BaseURL: base, Now: func() time.Time { return now }}
	for _, o := range opts {
		o(&cfg)
	}
	h, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &site{t: t, db: db, srv: srv, md: markdown.New()}
}

// newClockedSite is newSite with a clock the test moves: the site and the store read it.
func newClockedSite(t *testing.T, db *store.DB) (*site, func(time.Time)) {
	t.Helper()
	var mu sync.Mutex
	clock := now
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := newSite(t, db, func(c *web.Config) { c.Now = tick })
	db.Now = tick
	return s, func(t time.Time) { mu.Lock(); clock = t; mu.Unlock() }
}

// article saves an article; opts may change it before it is saved.
func (s *site) article(title string, age time.Duration, opts ...func(*byline.Article)) *byline.Article {
	s.t.Helper()
	a := &byline.Article{Title: title, Slug: strings.ToLower(strings.NewReplacer(" ", "-", "'", "").Replace(title)),
		Standfirst: "About " + title + ".", Body: "The body of " + title + ".\n\nMore.",
		Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-age),
		Authors: []*byline.Author{{Slug: "ana-lopez", Name: "Ana López"}},
		Tags:    []*byline.Tag{{Slug: "politics", Name: "Politics"}}}
	for _, o := range opts {
		o(a)
	}
	var err error
	if a.BodyHTML, a.TeaserHTML, err = s.md.RenderArticle(a.Body); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.db.SaveArticle(context.Background(), a, nil); err != nil {
		s.t.Fatal(err)
	}
	return a
}

// get fetches a path with optional header pairs.
func (s *site) get(path string, header ...string) *http.Response {
	s.t.Helper()
	return s.do(http.MethodGet, path, header...)
}

func (s *site) do(method, path string, header ...string) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { res.Body.Close() })
	return res
}

// page fetches a path, checks its status and parses its HTML.
func (s *site) page(path string, status int) *goquery.Document {
	s.t.Helper()
	res := s.get(path)
	if res.StatusCode != status {
		body, _ := io.ReadAll(res.Body)
		s.t.Fatalf("GET %s: status %d, want %d\n%s", path, res.StatusCode, status, body)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return doc
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func withImage(s *site) func(*byline.Article) {
	return func(a *byline.Article) {
		img, variants := testImage(s.t)
		if _, err := s.db.SaveArticle(context.Background(), &byline.Article{Slug: "img-holder-" + a.Slug, Title: "x",
			Status: byline.StatusDraft, Visibility: byline.VisibilityPublic, PublishedAt: now, ImageAlt: "A photo"},
			&byline.ImageUpload{Image: img, Original: []byte("original"), Variants: variants}); err != nil {
			s.t.Fatal(err)
		}
		a.Image, a.ImageAlt, a.ImageCaption, a.ImageCredit = img, "Agents leave the embassy", "The embassy on Monday.", "Claire Lebertre / AFP"
	}
}

func forEachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) { fn(t, newSite(t, db)) })
}

// testImage makes a small photo and its variants, as the importer would.
func testImage(t *testing.T) (*byline.Image, []byline.ImageVariant) {
	t.Helper()
	src := image.NewRGBA(image.Rect(0, 0, 800, 450))
	for i := range src.Pix {
		src.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	img, variants, err := media.Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return img, variants
}
