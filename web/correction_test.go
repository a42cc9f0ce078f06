package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/newsroom"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

// deskSite is a test site with the admin served.
func deskSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	return newSite(t, db, func(c *web.Config) {
		c.Staff = &newsroom.Newsroom{Store: db}
		c.Auth = &newsroom.Auth{Staff: db, Sessions: db, Now: c.Now}
	})
}

// deskClient is a signed-in staff member's browser.
type deskClient struct {
	t     *testing.T
	s     *site
	c     *http.Client
	staff *byline.Staff
}

// signIn creates an account with the role and signs it in through the sign-in form.
func signIn(t *testing.T, s *site, role byline.Role) *deskClient {
	t.Helper()
	const password = "a long enough password"
	hash, err := newsroom.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	st := &byline.Staff{Email: string(role) + "@news.example", Name: "The " + string(role), Role: role, PasswordHash: hash}
	if err := s.db.CreateStaff(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	d := &deskClient{t: t, s: s, staff: st, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if res := d.post("/admin/signin", url.Values{"email": {st.Email}, "password": {password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", role, res.StatusCode)
	}
	return d
}

func (d *deskClient) get(path string) *http.Response {
	d.t.Helper()
	res, err := d.c.Get(d.s.srv.URL + path)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { res.Body.Close() })
	return res
}

func (d *deskClient) post(path string, form url.Values) *http.Response {
	d.t.Helper()
	res, err := d.c.PostForm(d.s.srv.URL+path, form)
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { res.Body.Close() })
	return res
}

// doc parses a response's HTML after checking its status.
func (d *deskClient) doc(res *http.Response, status int) *goquery.Document {
	d.t.Helper()
	if res.StatusCode != status {
		b, _ := io.ReadAll(res.Body)
		d.t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, b)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	return doc
}

// TestCorrections walks corrections end to end on both engines: an editor adds a correction
// and an update to a published article; the cached article page shows them in its box, its
// JSON-LD carries the correction with dateModified moved; /corrections/ and its feed list
// them with links; Authors and Contributors are refused; a draft takes none, and an article
// that goes back to draft takes its notes off the public pages; a members-only body never
// leaks; a wrong note is deleted; each change is audited.
func TestCorrections(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := deskSite(t, db)
		story := s.article("Minister resigns", 2*time.Hour)
		paid := s.article("Inside the deal", 3*time.Hour, func(a *byline.Article) {
			a.Visibility, a.Body = byline.VisibilityMembers, "Teaser.\n\n<!--more-->\n\nSECRETBODY for members."
		})
		withdrawn := s.article("Withdrawn story", 4*time.Hour)
		draft := s.article("Draft story", time.Hour, func(a *byline.Article) { a.Status = byline.StatusDraft })
		editor := signIn(t, s, byline.RoleEditor)
		author := signIn(t, s, byline.RoleAuthor)
		contributor := signIn(t, s, byline.RoleContributor)
		notes := func(a *byline.Article) string { return fmt.Sprintf("/admin/articles/%d/corrections", a.ID) }

		if res := editor.post(notes(withdrawn), url.Values{"kind": {"correction"}, "text": {"WITHDRAWNNOTE"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a note to the story withdrawn next: status %d", res.StatusCode)
		}
		withdrawn.Status = byline.StatusDraft
		if _, err := db.SaveArticle(context.Background(), withdrawn, nil); err != nil {
			t.Fatal(err)
		}
		// The page is cached before the note: the note must show all the same.
		if s.page("/minister-resigns/", 200).Find(".notes").Length() != 0 {
			t.Fatal("an article without notes shows a notes box")
		}
		page := editor.doc(editor.get(notes(story)), 200)
		if page.Find(`form[action="`+notes(story)+`"] textarea[name="text"]`).Length() != 1 {
			t.Fatal("the editor's notes page has no form")
		}
		res := editor.post(notes(story), url.Values{"kind": {"correction"}, "text": {"The minister's name was misspelt <b>Dupont</b>."}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), notes(story)) {
			t.Fatalf("add a correction: status %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := editor.post(notes(story), url.Values{"kind": {"update"}, "text": {"The vote was held."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add an update: status %d", res.StatusCode)
		}
		for _, c := range []*deskClient{author, contributor} {
			if res := c.post(notes(story), url.Values{"kind": {"correction"}, "text": {"Sneaky."}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s adds a note: status %d, want 403", c.staff.Role, res.StatusCode)
			}
			if res := c.get(notes(story)); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s opens the notes page: status %d, want 403", c.staff.Role, res.StatusCode)
			}
		}
		bad := editor.doc(editor.post(notes(story), url.Values{"kind": {"erratum"}, "text": {"kept text"}}), http.StatusUnprocessableEntity)
		if bad.Find(".field-error").Length() == 0 || bad.Find("textarea#text").Text() != "kept text" {
			t.Errorf("a bad kind: no field error or the text was lost")
		}
		editor.doc(editor.post(notes(draft), url.Values{"kind": {"correction"}, "text": {"On a draft."}}), http.StatusUnprocessableEntity)
		if res := editor.post(notes(paid), url.Values{"kind": {"clarification"}, "text": {"The deal was signed on Tuesday."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add a clarification: status %d", res.StatusCode)
		}

		// The article's box: a heading, both notes with their times, the text as written.
		doc := s.page("/minister-resigns/", 200)
		box := doc.Find("aside.notes")
		if h := strings.TrimSpace(box.Find("h2").Text()); h != "Corrections and updates" {
			t.Errorf("box heading %q", h)
		}
		if box.Find("li").Length() != 2 || box.Find("li time[datetime]").Length() != 2 {
			t.Errorf("box has %d notes with %d times, want 2 and 2", box.Find("li").Length(), box.Find("li time[datetime]").Length())
		}
		if !strings.Contains(box.Text(), "misspelt <b>Dupont</b>.") || box.Find("b").Length() != 0 {
			t.Errorf("note text not shown as written: %q", box.Text())
		}
		var ld struct {
			DateModified string `json:"dateModified"`
			Correction   []struct {
				Type          string `json:"@type"`
				Text          string `json:"text"`
				DatePublished string `json:"datePublished"`
			} `json:"correction"`
		}
		if err := json.Unmarshal([]byte(doc.Find(`script[type="application/ld+json"]`).Text()), &ld); err != nil {
			t.Fatal(err)
		}
		stamp := now.Format(time.RFC3339)
		if ld.DateModified != stamp {
			t.Errorf("dateModified %q, want the latest note's %q", ld.DateModified, stamp)
		}
		if len(ld.Correction) != 1 || ld.Correction[0].Type != "CorrectionComment" || ld.Correction[0].DatePublished != stamp ||
			!strings.Contains(ld.Correction[0].Text, "misspelt") {
			t.Errorf("JSON-LD corrections %+v, want the correction alone (an update is none)", ld.Correction)
		}

		// /corrections/: newest first, linked to the notes on their articles; nothing of the
		// withdrawn story, nothing of the members' body.
		res = s.get("/corrections/")
		raw := body(t, res)
		list, _ := goquery.NewDocumentFromReader(strings.NewReader(raw))
		items := list.Find(".note-list li")
		if items.Length() != 3 {
			t.Fatalf("/corrections/ lists %d notes, want 3:\n%s", items.Length(), raw)
		}
		if href, _ := items.First().Find("h2 a").Attr("href"); !strings.HasPrefix(href, "/inside-the-deal/#correction-") && !strings.HasPrefix(href, "/minister-resigns/#correction-") {
			t.Errorf("first link %q", href)
		}
		for _, leak := range []string{"WITHDRAWNNOTE", "Withdrawn story", "SECRETBODY"} {
			if strings.Contains(raw, leak) {
				t.Errorf("/corrections/ shows %q", leak)
			}
		}
		for _, path := range []string{"/corrections/page/2/", "/corrections/page/1/", "/corrections/page/02/", "/corrections/page/99999999999999999999/"} {
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
			}
		}

		res = s.get("/corrections/rss/")
		raw = body(t, res)
		feed, err := gofeed.NewParser().ParseString(raw)
		if err != nil {
			t.Fatalf("corrections feed: %v\n%s", err, raw)
		}
		if len(feed.Items) != 3 || !strings.Contains(res.Header.Get("Content-Type"), "rss") {
			t.Fatalf("feed has %d items (%s), want 3", len(feed.Items), res.Header.Get("Content-Type"))
		}
		var sawCorrection bool
		for _, it := range feed.Items {
			if strings.HasPrefix(it.Title, "Correction: Minister resigns") {
				sawCorrection = true
				if !strings.Contains(it.Description, "&lt;b&gt;Dupont") || !strings.HasPrefix(it.Link, base+"/minister-resigns/#correction-") {
					t.Errorf("feed item %q: description %q, link %q", it.Title, it.Description, it.Link)
				}
			}
		}
		if !sawCorrection {
			t.Errorf("the feed lacks the correction: %v", feed.Items)
		}
		for _, leak := range []string{"WITHDRAWNNOTE", "SECRETBODY"} {
			if strings.Contains(raw, leak) {
				t.Errorf("the feed carries %q", leak)
			}
		}

		// The desk's list has every note, the withdrawn story's too; a wrong note goes.
		if n := editor.doc(editor.get("/admin/corrections/"), 200).Find("tbody tr").Length(); n != 4 {
			t.Errorf("the desk's list has %d notes, want 4", n)
		}
		found, err := db.FindCorrections(context.Background(), byline.CorrectionFilter{ArticleID: story.ID})
		if err != nil || len(found) != 2 {
			t.Fatal(found, err)
		}
		if res := author.post(fmt.Sprintf("/admin/corrections/%d/delete", found[0].ID), url.Values{}); res.StatusCode != http.StatusForbidden {
			t.Errorf("an author deletes a note: status %d", res.StatusCode)
		}
		if res := editor.post(fmt.Sprintf("/admin/corrections/%d/delete", found[0].ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: status %d", res.StatusCode)
		}
		if n := s.page("/minister-resigns/", 200).Find("aside.notes li").Length(); n != 1 {
			t.Errorf("after deleting one, the box has %d notes, want 1", n)
		}
		log, err := db.FindAuditLog(context.Background(), byline.AuditFilter{StaffID: editor.staff.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); got != "deleted update,added clarification,added update,added correction,added correction,signed in" {
			t.Errorf("audit log %q", got)
		}
	})
}
