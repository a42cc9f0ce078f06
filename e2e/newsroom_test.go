package e2e

import (
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/newsroom"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/chromedp/chromedp"
)

// password is every test account's password.
const password = "correct horse battery staple"

// newsroomSite serves the real handler with the admin and the editor over a fresh store,
// with an Owner, an editor and a contributor who sign in with password.
func newsroomSite(t *testing.T) (*store.DB, *httptest.Server) {
	t.Helper()
	db := storetest.MustOpen(t, "sqlite")
	staff := &newsroom.Newsroom{Store: db}
	ctx := context.Background()
	for _, s := range []struct {
		email, name string
		role        byline.Role
	}{
		{"owner@news.example", "Olga Owner", byline.RoleOwner},
		{"claire@news.example", "Claire Lebertre", byline.RoleEditor},
		{"jo@news.example", "Jo Contributor", byline.RoleContributor},
	} {
		if _, err := staff.AddStaff(ctx, s.email, s.name, s.role, password); err != nil {
			t.Fatal(err)
		}
	}
	h, err := web.New(web.Config{Store: db, BaseURL: "http://unused.test", Staff: staff,
		Auth: &newsroom.Auth{Staff: db, Sessions: db},
		Desk: &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return db, srv
}

// signIn signs in through the form, in a browser without cookies of its own.
func signIn(ctx context.Context, base, email string) error {
	return chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/signin"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(".admin-nav")),
	)
}

// testJPEG writes a photo to upload: a JPEG of a few colours.
func testJPEG(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := range 800 {
		for x := range 1200 {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), 120, 255})
		}
	}
	path := filepath.Join(t.TempDir(), "harbour.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return path
}

// pastedHTML is what Google Docs puts on the clipboard for a heading, a paragraph with bold,
// italics and a link, and a list.
const pastedHTML = `<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-e2e"><h2 dir="ltr"><span>What the dockers want</span></h2>` +
	`<p dir="ltr"><span style="font-weight:700;">Marseille</span><span> port workers </span><span style="font-style:italic;">walked out</span>` +
	`<span> at dawn, </span><a href="https://example.org/union"><span>the union said</span></a><span>.</span></p>` +
	`<ul><li><p><span>Higher pay</span></p></li><li><p><span>Fewer night shifts</span></p></li></ul></b>`

// TestNewsroomJourney: an editor signs in, writes an article by pasting formatted text,
// uploads a photo, publishes, and finds the article on the front page; a contributor is
// offered no Publish button, and a publish forged from their browser is refused.
func TestNewsroomJourney(t *testing.T) {
	ctx, cancelAll := context.WithTimeout(browser(t), 3*time.Minute) // a journey that hangs fails
	defer cancelAll()
	_, srv := newsroomSite(t)
	shots := os.Getenv("BYLINE_SCREENSHOTS") // a folder: screenshots of the admin are kept there

	if err := signIn(ctx, srv.URL, "claire@news.example"); err != nil {
		t.Fatalf("editor sign-in: %v", err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/admin/articles/new"),
		chromedp.WaitVisible(chromedp.CSS(".toolbar")), // the script is running
		chromedp.SendKeys(chromedp.CSS("#title"), "Dockers strike in Marseille"),
		chromedp.SendKeys(chromedp.CSS("#standfirst"), "The port is shut for a second day."),
		chromedp.Click(chromedp.CSS("#body")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Paste as a browser does: a paste event carrying the clipboard's HTML.
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const dt = new DataTransfer();
		dt.setData("text/html", `+"`"+pastedHTML+"`"+`);
		dt.setData("text/plain", "What the dockers want");
		return document.getElementById("body").dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("body").value.includes("**Marseille**")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#body")))
		t.Fatalf("the pasted text did not become Markdown: %v; body %q", err, v)
	}
	body, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## What the dockers want", "*walked out*", "[the union said](https://example.org/union)", "- Higher pay"} {
		if !strings.Contains(body, want) {
			t.Errorf("pasted Markdown lacks %q:\n%s", want, body)
		}
	}
	// Upload the lead photo through the file field; the photo's code fills in.
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#photo-file"), []string{testJPEG(t)}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`/^[0-9a-f]{64}$/.test(document.getElementById("image").value)`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#save-status")))
		t.Fatalf("the photo was not uploaded: %v (status %q)", err, st)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#image_alt"), "Dockers stand by closed gates at the port of Marseille"),
		chromedp.SetValue(chromedp.CSS("#image_credit"), "Claire Lebertre / AFP"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Autosave: within its 10 seconds the draft exists and the address is the article's.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`/^\/admin\/articles\/\d+$/.test(location.pathname) && document.getElementById("save-status").textContent.startsWith("Saved")`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		st, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#save-status")))
		t.Fatalf("no autosave: %v (status %q)", err, st)
	}
	if shots != "" {
		screenshot(t, ctx, filepath.Join(shots, "editor-desktop.png"), 1280)
		screenshot(t, ctx, filepath.Join(shots, "editor-phone.png"), 390)
	}
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
		chromedp.WaitVisible(chromedp.CSS(".form-notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".form-notice")))
	if !strings.Contains(notice, "Published") {
		msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("after Publish: %q", msg)
	}
	// The front page leads to it, with its photo; the article keeps the pasted formatting.
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("main")),
	)
	if err != nil {
		t.Fatal(err)
	}
	front, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(front, "Dockers strike in Marseille") {
		t.Fatalf("the front page does not show the article: %q", front)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/dockers-strike-in-marseille/"),
		chromedp.WaitVisible(chromedp.CSS("article")),
	)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("article").innerHTML`))
	for _, want := range []string{"<strong>Marseille</strong>", "<em>walked out</em>", `href="https://example.org/union"`, "Fewer night shifts", "/media/", "Claire Lebertre / AFP"} {
		if !strings.Contains(html, want) {
			t.Errorf("the published article lacks %q", want)
		}
	}
	if shots != "" {
		chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/admin/articles/"), chromedp.WaitVisible(chromedp.CSS("main")))
		screenshot(t, ctx, filepath.Join(shots, "articles-desktop.png"), 1280)
		screenshot(t, ctx, filepath.Join(shots, "articles-phone.png"), 390)
		chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("main")))
		screenshot(t, ctx, filepath.Join(shots, "dashboard-desktop.png"), 1280)
		screenshot(t, ctx, filepath.Join(shots, "dashboard-phone.png"), 390)
		chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
	}

	// A contributor: a fresh browser, no Publish button, a forged publish refused.
	cctx, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(cctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	if err := signIn(cctx, srv.URL, "jo@news.example"); err != nil {
		t.Fatalf("contributor sign-in: %v", err)
	}
	err = chromedp.Do(cctx,
		chromedp.Navigate(srv.URL+"/admin/articles/new"),
		chromedp.WaitVisible(chromedp.CSS("#title")),
		chromedp.SendKeys(chromedp.CSS("#title"), "My scoop"),
		chromedp.SetValue(chromedp.CSS("#body"), "It is big."),
		// The library's picker: the editor's photo is there to choose.
		chromedp.Click(chromedp.CSS("#pick-photo")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(cctx, chromedp.Poll[bool](`document.querySelectorAll("#picker-results button").length > 0`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		txt, _ := chromedp.Run(cctx, chromedp.Evaluate[string](`document.getElementById("photo-picker").outerHTML`))
		t.Fatalf("the picker shows no photo: %v: %s", err, txt)
	}
	err = chromedp.Do(cctx,
		chromedp.Click(chromedp.CSS("#picker-results button")),
		chromedp.SetValue(chromedp.CSS("#image_alt"), "Closed gates at the port"),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(".form-notice")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := chromedp.Run(cctx, chromedp.Value(chromedp.CSS("#image"))); len(v) != 64 {
		t.Errorf("the photo chosen in the library is not the article's: %q", v)
	}
	n, _ := chromedp.Run(cctx, chromedp.Evaluate[int](`document.querySelectorAll('button[value="publish"], button[value="schedule"]').length`))
	if n != 0 {
		t.Errorf("the contributor's editor offers %d publish buttons", n)
	}
	status, err := chromedp.Run(cctx, chromedp.Evaluate[int](`(async () => {
		const form = new FormData(document.getElementById("editor"));
		form.set("action", "publish");
		const r = await fetch(document.getElementById("editor").getAttribute("action"), {method: "POST", body: new URLSearchParams(form), headers: {Accept: "application/json"}});
		return r.status;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 403 {
		t.Fatalf("the contributor's forged publish answered %d, want 403", status)
	}
	if err := chromedp.Do(cctx, chromedp.Navigate(srv.URL+"/my-scoop/"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if text, _ := chromedp.Run(cctx, chromedp.Text(chromedp.CSS("main"))); strings.Contains(text, "It is big.") {
		t.Fatal("the contributor's article is on the site")
	}
}

// screenshot keeps a full-page screenshot at the width.
func screenshot(t *testing.T, ctx context.Context, path string, width int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
