package e2e

import (
	"context"
	"os"
	"strings"
	"testing"

	"byline"
	"byline/mail"
	"byline/newsroom"
	"byline/store/storetest"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestAccountPagesAccessibility runs the accessibility check of TestAccessibility on the
// staff, account and outbox pages and the door's reset and invitation pages, at a desktop
// and a phone width.
func TestAccountPagesAccessibility(t *testing.T) {
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run must run npm ci in e2e/", axeScript)
		}
		t.Skipf("%s is missing: run npm ci in e2e/", axeScript)
	}
	ctx := browser(t)
	db := storetest.MustOpen(t, "sqlite")
	srv := serve(t, db)
	ctxb := context.Background()
	n := &newsroom.Newsroom{Store: db, Sessions: db, Mail: &mail.Outbox{Store: db}, BaseURL: srv.URL}
	owner, err := n.AddStaff(ctxb, "owner@news.example", "Olga Owner", byline.RoleOwner, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.AddStaff(ctxb, "ed@news.example", "Ed Itor", byline.RoleEditor, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Invite(ctxb, owner, "ana@news.example", "Ana López", byline.RoleAuthor, "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if err := n.RequestPasswordReset(ctxb, "ed@news.example", "127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	var invite, reset string
	list, _ := db.FindOutbox(ctxb, 10)
	for _, m := range list {
		for _, f := range strings.Fields(m.Text) {
			if strings.HasPrefix(f, srv.URL+"/admin/invite/") {
				invite = strings.TrimPrefix(f, srv.URL)
			}
			if strings.HasPrefix(f, srv.URL+"/admin/reset/") {
				reset = strings.TrimPrefix(f, srv.URL)
			}
		}
	}
	if invite == "" || reset == "" {
		t.Fatalf("links not found in the outbox: %q %q", invite, reset)
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
	pages := []string{"/admin/staff/", "/admin/account", "/admin/outbox", "/admin/reset", reset, invite, "/admin/reset/gone-gone-gone-gone-gone"}
	for _, width := range []int{1280, 320} {
		for _, page := range pages {
			axeCheck(t, ctx, axe, width, srv.URL+page, page)
		}
		// The two-factor set-up, with its QR code, is the answer to a form.
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/account"), chromedp.WaitVisible(`form[action="/admin/account/totp/new"] button`),
			chromedp.Click(`form[action="/admin/account/totp/new"] button`), chromedp.WaitVisible(`img.totp-qr`)); err != nil {
			t.Fatalf("two-factor set-up: %v", err)
		}
		axeCheck(t, ctx, axe, width, "", "the two-factor set-up")
	}
}

// axeCheck runs axe-core on the page at url (or on the current page when url is empty) and
// reports every violation.
func axeCheck(t *testing.T, ctx context.Context, axe []byte, width int, url, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatal(err)
	}
	if url != "" {
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	checkAxe(t, ctx, axe, name, width)
}
