package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/newsroom"
	"byline/publishing"
	"byline/store/storetest"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core, installed by `npm ci` in this folder (.ci/run does it).
const axeScript = "node_modules/axe-core/axe.min.js"

// TestAccessibility runs axe-core's WCAG 2.1 A and AA rules and its best practices on every
// kind of page of the sample newsroom, at a desktop and a phone width: none may fail.
func TestAccessibility(t *testing.T) {
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run must run npm ci in e2e/", axeScript)
		}
		t.Skipf("%s is missing: run npm ci in e2e/", axeScript)
	}
	ctx := browser(t)
	db := storetest.MustOpen(t, "sqlite")
	im := &publishing.Importer{Store: db, Markdown: markdown.New()}
	if _, err := publishing.Seed(context.Background(), im, time.Now()); err != nil {
		t.Fatal(err)
	}
	ctxb := context.Background()
	story, err := db.FindArticleBySlug(ctxb, "night-trains-return-to-lyon-after-a-decades-absence")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddCorrection(ctxb, &byline.Correction{ArticleID: story.ID, Kind: byline.KindCorrection,
		Text: "An earlier version gave the wrong year for the last night train.", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, db)
	// A signed-in Owner reads the admin's pages.
	owner := &byline.Staff{Email: "owner@news.example", Name: "Olga Owner", Role: byline.RoleOwner, PasswordHash: "unused"}
	if err := db.CreateStaff(ctxb, owner); err != nil {
		t.Fatal(err)
	}
	token, err := (&newsroom.Auth{Staff: db, Sessions: db}).StartSession(ctxb, owner, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	httpOnly := true
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "byline_staff", Value: token,
		URL: srv.URL + "/admin/", Path: "/admin/", HTTPOnly: &httpOnly}); err != nil {
		t.Fatal(err)
	}

	// A photo whose rights end soon, for the library's list of expiring rights.
	photo, err := db.FindPhoto(ctxb, story.Image.ID)
	if err != nil {
		t.Fatal(err)
	}
	photo.RightsExpireAt = time.Now().Add(10 * 24 * time.Hour)
	if err := db.UpdatePhoto(ctxb, photo); err != nil {
		t.Fatal(err)
	}

	// A revision to read: the story saved once through the desk.
	if err := db.UpdateArticle(ctxb, story, story.Version, byline.SaveNote{StaffID: owner.ID}); err != nil {
		t.Fatal(err)
	}
	revs, err := db.FindRevisions(ctxb, story.ID, 1)
	if err != nil || len(revs) != 1 {
		t.Fatalf("revisions: %v", err)
	}

	pages := []string{"/", "/night-trains-return-to-lyon-after-a-decades-absence/",
		"/what-the-new-regional-budget-means-for-your-commute/", "/a-note-from-the-editor-how-we-report-and-who-pays-for-it/",
		"/tag/environment/", "/author/nadia-benali/", "/no-such-page/", "/corrections/", "/admin/signin",
		"/admin/settings", "/admin/audit", "/admin/corrections/", fmt.Sprintf("/admin/articles/%d/corrections", story.ID),
		"/admin/", "/admin/articles/", "/admin/articles/?state=published&q=night", "/admin/articles/new",
		fmt.Sprintf("/admin/articles/%d", story.ID), fmt.Sprintf("/admin/articles/%d/revisions", story.ID),
		fmt.Sprintf("/admin/revisions/%d", revs[0].ID), fmt.Sprintf("/admin/articles/%d/delete", story.ID),
		"/admin/photos/", "/admin/photos/?q=night", fmt.Sprintf("/admin/photos/%d", story.Image.ID),
		"/admin/tags/", fmt.Sprintf("/admin/tags/%d", story.Tags[0].ID)}
	for _, width := range []int{1280, 320} {
		for _, page := range pages {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(int64(width), 900),
				chromedp.Navigate(srv.URL+page),
				chromedp.WaitVisible(chromedp.CSS("main")),
			)
			if err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			if strings.HasPrefix(page, "/admin/") && page != "/admin/signin" {
				// The Owner's session must have opened the page, not the sign-in form.
				if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("nav.admin-nav").length`)); err != nil || n != 1 {
					t.Fatalf("%s: not signed in (%v)", page, err)
				}
			}
			checkAxe(t, ctx, axe, page, width)
		}
	}
}

// checkAxe runs axe-core's WCAG 2.1 A and AA rules and its best practices on the page in
// the browser, and fails the test for each violation, naming the page and the width.
func checkAxe(t *testing.T, ctx context.Context, axe []byte, page string, width int) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe))); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag",
		values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", page, err)
	}
	var violations []struct {
		ID, Impact, Help string
		Nodes            []struct{ Target []string }
	}
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		t.Errorf("%s at %d px: %s (%s): %s, at %s", page, width, v.ID, v.Impact, v.Help, fmt.Sprint(where))
	}
}
