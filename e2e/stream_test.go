// Package e2e drives Debian's Chromium through reader journeys against the real handler.
package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/newsroom"
	"byline/publishing"
	"byline/store/storetest"
	"byline/web"

	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// browser starts a headless Chromium for the test. Without Chromium the test is skipped on a
// developer's machine and fails in CI, where it must run.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run must install chromium", chromium)
		}
		t.Skipf("%s is missing", chromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-background-networking", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}

// serve runs the real handler over the store for the test. Its canonical base differs from
// the test server's address on purpose: pages must work when reached under another name.
func serve(t *testing.T, db web.Store) *httptest.Server {
	t.Helper()
	cfg := web.Config{Store: db, BaseURL: "http://unused.test"}
	if st, ok := db.(interface {
		byline.StaffStore
		byline.SessionStore
	}); ok { // the admin too
		cfg.Staff, cfg.Auth = &newsroom.Newsroom{Store: st}, &newsroom.Auth{Staff: st, Sessions: st}
	}
	if ds, ok := db.(publishing.DeskStore); ok { // and the editor
		cfg.Desk = &publishing.Desk{Store: ds, Markdown: markdown.New()}
	}
	h, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// TestContinuousStream reads an article to its end: the next article is loaded below it,
// and the address bar, title and canonical follow the article in view.
func TestContinuousStream(t *testing.T) {
	ctx := browser(t)
	db := storetest.MustOpen(t, "sqlite")
	now := time.Now().UTC()
	md := markdown.New()
	for i, title := range []string{"First story", "Second story", "Third story"} {
		body := strings.Repeat(fmt.Sprintf("A paragraph of the %s, long enough to fill the screen.\n\n", strings.ToLower(title)), 30)
		html, teaser, _ := md.RenderArticle(body)
		a := &byline.Article{Slug: strings.ReplaceAll(strings.ToLower(title), " ", "-"), Title: title, Standfirst: "About the " + title + ".",
			Body: body, BodyHTML: html, TeaserHTML: teaser, Status: byline.StatusPublished, Visibility: byline.VisibilityPublic,
			PublishedAt: now.Add(-time.Duration(i+1) * time.Hour)}
		if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, db)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/first-story/"),
		chromedp.WaitVisible(chromedp.CSS("article.story h1")),
		chromedp.ScrollIntoView(chromedp.CSS(".next a[data-next]")),
		chromedp.WaitVisible(chromedp.CSS(".stream article.story:nth-of-type(2) h1")),
	)
	if err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".stream article.story").length`))
	if err != nil || count < 2 {
		t.Fatalf("stories on the page = %d (%v), want the next one loaded below", count, err)
	}
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".stream article.story:nth-of-type(2) h1")))
	if heading != "Second story" {
		t.Fatalf("second story heading = %q", heading)
	}
	// Bring the second story's headline to the middle of the screen.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`(function(){var h=document.querySelectorAll(".stream article.story h1")[1];window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - window.innerHeight/2);})()`)); err != nil {
		t.Fatal(err)
	}
	var loc, title, canonical string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		loc, _ = chromedp.Run(ctx, chromedp.Location())
		if strings.HasSuffix(loc, "/second-story/") {
			break
		}
	}
	title, _ = chromedp.Run(ctx, chromedp.Title())
	canonical, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('link[rel="canonical"]').href`))
	if !strings.HasSuffix(loc, "/second-story/") || !strings.HasPrefix(title, "Second story") || !strings.HasSuffix(canonical, "/second-story/") {
		t.Errorf("in view of the second story: location %q, title %q, canonical %q", loc, title, canonical)
	}
}
