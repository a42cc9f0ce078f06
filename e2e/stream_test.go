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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
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

// TestStreamBriskScrolling: the address bar follows the article filling the middle of the
// screen however the reader gets there — a jump past headlines (a flick), Page Down, the
// End key — not only when a headline crosses a band in the middle.
func TestStreamBriskScrolling(t *testing.T) {
	ctx, cancel := context.WithTimeout(browser(t), 2*time.Minute)
	defer cancel()
	db := storetest.MustOpen(t, "sqlite")
	now := time.Now().UTC()
	md := markdown.New()
	titles := []string{"First story", "Second story", "Third story", "Fourth story", "Fifth story"}
	for i, title := range titles {
		body := strings.Repeat(fmt.Sprintf("A paragraph of the %s, long enough to fill the screen.\n\n", strings.ToLower(title)), 40)
		html, teaser, _ := md.RenderArticle(body)
		a := &byline.Article{Slug: strings.ReplaceAll(strings.ToLower(title), " ", "-"), Title: title, Standfirst: "About the " + title + ".",
			Body: body, BodyHTML: html, TeaserHTML: teaser, Status: byline.StatusPublished, Visibility: byline.VisibilityPublic,
			PublishedAt: now.Add(-time.Duration(i+1) * time.Hour)}
		if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, db)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.URL+"/first-story/"), chromedp.WaitVisible(chromedp.CSS("article.story h1"))); err != nil {
		t.Fatal(err)
	}
	// Read down until four articles are on the page.
	for n := 1; n < 4; {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.scrollTo(0, document.body.scrollHeight)`)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Poll[int](`document.querySelectorAll(".stream article.story").length > `+fmt.Sprint(n)+` && document.querySelectorAll(".stream article.story").length`, chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatalf("the stream stopped at %d articles: %v", n, err)
		}
		n = got
	}
	at := func(want, how string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.pathname === "/`+want+`/"`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			t.Errorf("after %s: the address is %q, want /%s/", how, loc, want)
		}
	}
	// A flick from the top straight into the middle of the fourth article's text, past
	// three headlines.
	jump := func(i int, how string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](fmt.Sprintf(`(function(){var s=document.querySelectorAll(".stream article.story")[%d].getBoundingClientRect();
			window.scrollTo({top: window.scrollY + s.top + s.height/2 - window.innerHeight/2, behavior: "instant"});})()`, i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.scrollTo({top: 0, behavior: "instant"})`)); err != nil {
		t.Fatal(err)
	}
	at("first-story", "going back to the top")
	jump(3, "a flick")
	at("fourth-story", "a flick into the fourth article's text")
	jump(1, "a flick back")
	at("second-story", "a flick back into the second article's text")
	// Page Down, pressed briskly, from the second article into the third.
	before, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.scrollY`))
	// Real key presses, as the keyboard sends them (Page Down is virtual key 34); Chromium
	// scrolls the page for them, quicker than any band around a headline can see.
	press := func(key string, code int64, command string) {
		t.Helper()
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeRawKeyDown, Key: key, Code: key, WindowsVirtualKeyCode: code, Commands: []string{command}}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: key, WindowsVirtualKeyCode: code}
		for _, p := range []input.DispatchKeyEventParams{down, up} {
			if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Keys go to the page that has the focus: a headless tab has none until told.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		press("PageDown", 34, "scrollPageForward")
	}
	// Keyboard scrolling is animated: wait until it has settled.
	chromedp.Run(ctx, chromedp.Poll[bool](`(function(){var y=scrollY;return new Promise(r=>setTimeout(()=>r(y===scrollY && y>`+fmt.Sprint(before)+`),300))})()`, chromedp.WithPollingTimeout(10*time.Second)))
	want, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var m=innerHeight/2;var s=[...document.querySelectorAll(".stream article.story")].find(x=>{var r=x.getBoundingClientRect();return r.top<=m&&r.bottom>m});return s?new URL(s.dataset.url,location.href).pathname.replaceAll("/",""):""})()`))
	if want == "" || want == "second-story" {
		after, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.scrollY`))
		t.Fatalf("Page Down did not move past the second article (in the middle: %q; scrolled from %.0f to %.0f)", want, before, after)
	}
	at(want, "Page Down")
	// The End key: the last article on the page fills the screen's middle or most of it.
	press("End", 35, "scrollToEndOfDocument")
	last, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var a=[...document.querySelectorAll(".stream article.story")];return new URL(a[a.length-1].dataset.url,location.href).pathname.replaceAll("/","")})()`))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.scrollY + innerHeight >= document.body.scrollHeight - 2`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the End key did not reach the end: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`location.pathname === "/`+last+`/" || document.querySelectorAll(".stream article.story").length > 4`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Errorf("after the End key: the address is %q, want /%s/ (the last article)", loc, last)
	}
}
