package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
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

	"github.com/PuerkitoBio/goquery"
)

// desk is a site with the admin and the editor, and a way to act as staff.
type desk struct {
	*site
	auth *newsroom.Auth
}

func newDeskSite(t *testing.T, db *store.DB) *desk {
	t.Helper()
	auth := &newsroom.Auth{Staff: db, Sessions: db, Now: func() time.Time { return now }}
	s := newSite(t, db, func(c *web.Config) {
		c.Staff = &newsroom.Newsroom{Store: db}
		c.Auth = auth
		c.Desk = &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Now: c.Now}
	})
	return &desk{site: s, auth: auth}
}

// staffer is a signed-in staff member's client.
type staffer struct {
	t      *testing.T
	d      *desk
	staff  *byline.Staff
	cookie string
}

// as creates a staff account with the role and signs it in.
func (d *desk) as(role byline.Role, name string) *staffer {
	d.t.Helper()
	st := &byline.Staff{Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@news.example", Name: name, Role: role,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA"}
	if err := d.db.CreateStaff(context.Background(), st); err != nil {
		d.t.Fatal(err)
	}
	token, err := d.auth.StartSession(context.Background(), st, "127.0.0.1")
	if err != nil {
		d.t.Fatal(err)
	}
	return &staffer{t: d.t, d: d, staff: st, cookie: "byline_staff=" + token}
}

// send makes a request as the staff member; form, when not nil, is posted.
func (s *staffer) send(method, path string, form url.Values, header ...string) *http.Response {
	s.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, s.d.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Cookie", s.cookie)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { res.Body.Close() })
	return res
}

func (s *staffer) json(method, path string, form url.Values) (int, map[string]any) {
	s.t.Helper()
	res := s.send(method, path, form, "Accept", "application/json")
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		s.t.Fatalf("%s %s: %d, not JSON: %v", method, path, res.StatusCode, err)
	}
	return res.StatusCode, out
}

func parse(t *testing.T, res *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// articleForm is the editor's form for an article.
func articleForm(title, body string, extra ...string) url.Values {
	f := url.Values{"title": {title}, "standfirst": {"A standfirst."}, "body": {body}, "authors": {"Claire Lebertre, Marc Dupont"},
		"tags": {"Politics, Marseille"}, "visibility": {"public"}, "comments_open": {"1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// TestEditorCycle writes, autosaves, conflicts, publishes, renames, previews and deletes an
// article through the real handler on both engines.
func TestEditorCycle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		d := newDeskSite(t, db)
		ed := d.as(byline.RoleEditor, "Claire Lebertre")
		other := d.as(byline.RoleEditor, "Marc Dupont")

		// The first autosave of a new article creates the draft.
		code, j := ed.json("POST", "/admin/articles/", articleForm("Dockers strike in Marseille", "The *port* is shut.", "action", "autosave"))
		if code != http.StatusCreated || j["version"] != 1.0 {
			t.Fatalf("first autosave: %d %v, want 201 and version 1", code, j)
		}
		id := strconv.Itoa(int(j["id"].(float64)))
		path := "/admin/articles/" + id
		// The draft is not public.
		if res := d.get("/dockers-strike-in-marseille/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("a draft's address: %d, want 404", res.StatusCode)
		}
		// Two editors have version 1 open; the first autosaves, the second's save is refused.
		code, j = ed.json("POST", path, articleForm("Dockers strike in Marseille", "The port is shut.", "version", "1", "action", "autosave"))
		if code != http.StatusOK || j["version"] != 2.0 {
			t.Fatalf("autosave: %d %v", code, j)
		}
		res := other.send("POST", path, articleForm("Dockers strike", "Marc's text.", "version", "1", "action", "save"))
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", res.StatusCode)
		}
		doc := parse(t, res)
		if msg := doc.Find(".form-error").Text(); !strings.Contains(msg, "Claire Lebertre saved this article") {
			t.Fatalf("stale save message %q", msg)
		}
		if got := doc.Find("#body").Text(); got != "Marc's text." {
			t.Fatalf("the refused form lost the editor's text: %q", got)
		}
		// The list finds it by the start of a word, in any case, and not by others.
		for q, want := range map[string]int{"marseil": 1, "DOCKERS strike": 1, "lyon": 0, "50% _x": 0} {
			doc := parse(t, ed.send("GET", "/admin/articles/?q="+url.QueryEscape(q), nil))
			if got := doc.Find("tbody tr").Length(); got != want {
				t.Errorf("search %q: %d articles, want %d", q, got, want)
			}
		}
		// The editor page shows the article with its fields.
		doc = parse(t, ed.send("GET", path, nil))
		if v, _ := doc.Find("#title").Attr("value"); v != "Dockers strike in Marseille" {
			t.Fatalf("editor title %q", v)
		}
		if cc := ed.send("GET", path, nil).Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("editor Cache-Control %q, want no-store", cc)
		}

		// Publish: the front page and the article show it.
		res = ed.send("POST", path, articleForm("Dockers strike in Marseille", "The port is shut.", "version", "2", "action", "publish"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", res.StatusCode)
		}
		if doc := d.page("/dockers-strike-in-marseille/", http.StatusOK); !strings.Contains(doc.Find("article").Text(), "The port is shut.") {
			t.Fatal("the published article does not show its body")
		}
		if !strings.Contains(d.page("/", http.StatusOK).Text(), "Dockers strike in Marseille") {
			t.Fatal("the front page does not list the published article")
		}
		// A new address: the old one leads there for good.
		res = ed.send("POST", path, articleForm("Dockers strike in Marseille", "The port is shut.", "version", "3", "action", "save", "slug", "marseille-port-strike"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rename: %d", res.StatusCode)
		}
		res = d.get("/dockers-strike-in-marseille/")
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/marseille-port-strike/" {
			t.Fatalf("old address: %d to %q, want 301 to /marseille-port-strike/", res.StatusCode, res.Header.Get("Location"))
		}

		// Preview links show a draft to anyone who has one, until revoked.
		res = ed.send("POST", path, articleForm("Dockers strike in Marseille", "The port is shut.", "version", "4", "action", "unpublish"))
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unpublish: %d", res.StatusCode)
		}
		doc = parse(t, ed.send("POST", path+"/preview-link", url.Values{}))
		link := doc.Find("#preview-link").Text()
		if !strings.HasPrefix(link, base+"/preview/") {
			t.Fatalf("preview link %q", link)
		}
		res = d.get(strings.TrimPrefix(link, base))
		if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("preview: %d %q, want 200 no-store", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		if doc := parse(t, res); doc.Find(`meta[name="robots"][content="noindex"]`).Length() == 0 || !strings.Contains(doc.Text(), "The port is shut.") {
			t.Fatal("the preview is indexable or lacks the body")
		}
		ed.send("POST", path+"/preview-link/revoke", url.Values{})
		if res := d.get(strings.TrimPrefix(link, base)); res.StatusCode != http.StatusNotFound {
			t.Fatalf("revoked preview: %d, want 404", res.StatusCode)
		}

		// Revisions: the list, a diff, a restore.
		doc = parse(t, ed.send("GET", path+"/revisions", nil))
		first, ok := doc.Find("tbody tr a").Last().Attr("href")
		if !ok {
			t.Fatal("no revisions listed")
		}
		doc = parse(t, ed.send("GET", first, nil))
		if !strings.Contains(doc.Find(".diff").Text(), "port") {
			t.Fatalf("revision diff: %q", doc.Find(".diff").Text())
		}

		// Delete, after confirmation.
		if res := ed.send("POST", path+"/delete", url.Values{}); res.Header.Get("Location") != path+"/delete" {
			t.Fatalf("delete without confirmation: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := ed.send("POST", path+"/delete", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if res := ed.send("GET", path, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("deleted article's editor: %d, want 404", res.StatusCode)
		}
	})
}

// TestEditorRefusals: a contributor's publish is refused and nothing is published; an id
// too large, a stranger and a form from another site are turned away.
func TestEditorRefusals(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	d := newDeskSite(t, db)
	c := d.as(byline.RoleContributor, "Jo Contributor")
	res := c.send("POST", "/admin/articles/", articleForm("My scoop", "Text.", "action", "save"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("contributor's draft: %d", res.StatusCode)
	}
	path := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	if doc := parse(t, c.send("GET", path, nil)); doc.Find(`button[value="publish"]`).Length() != 0 {
		t.Error("the contributor's editor offers Publish")
	}
	res = c.send("POST", path, articleForm("My scoop", "Text.", "version", "1", "action", "publish"))
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("contributor's publish: %d, want 403", res.StatusCode)
	}
	if res := d.get("/my-scoop/"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("after a refused publish the article answers %d", res.StatusCode)
	}
	for _, p := range []string{"/admin/articles/99999999999999999999999", "/admin/articles/0", "/admin/articles/-1", "/admin/articles/1e3"} {
		if res := c.send("GET", p, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
	if res := d.get(path); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/signin" {
		t.Errorf("a stranger at the editor: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.send("POST", path, articleForm("Hijacked", "Text.", "version", "1"), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a form from another site: %d, want 403", res.StatusCode)
	}
	// The reserved addresses of the site are refused as slugs.
	res = c.send("POST", "/admin/articles/", articleForm("Admin", "Text.", "slug", "admin"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("slug admin: %d, want 422", res.StatusCode)
	}
}

// TestPasteAndPreview: pasted HTML comes back as Markdown; the live preview renders the
// unsaved form as the article page does.
func TestPasteAndPreview(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	d := newDeskSite(t, db)
	ed := d.as(byline.RoleEditor, "Claire Lebertre")
	req, _ := http.NewRequest("POST", d.srv.URL+"/admin/paste", strings.NewReader(`<p><b>Bold</b> and <a href="https://example.org/">a link</a></p>`))
	req.Header.Set("Cookie", ed.cookie)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var j map[string]string
	json.NewDecoder(res.Body).Decode(&j)
	if !strings.Contains(j["markdown"], "**Bold**") || !strings.Contains(j["markdown"], "[a link](https://example.org/)") {
		t.Fatalf("paste: %q", j["markdown"])
	}
	doc := parse(t, ed.send("POST", "/admin/preview", articleForm("Preview me", "Some <script>alert(1)</script> **text**")))
	if doc.Find("article strong").Text() != "text" || doc.Find("article script").Length() != 0 {
		t.Fatalf("preview body: %q", doc.Find("article").Text())
	}
}

// TestRedirectsAndLeaks: an old address leads on only while its article is on the site; a
// writer cannot take another article's old address; a refused form never shows someone
// else's article.
func TestRedirectsAndLeaks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		d := newDeskSite(t, db)
		ed := d.as(byline.RoleEditor, "Claire Lebertre")
		c := d.as(byline.RoleContributor, "Jo Contributor")
		res := ed.send("POST", "/admin/articles/", articleForm("Port strike", "Text.", "action", "publish"))
		path := strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
		if res := ed.send("POST", path, articleForm("Port strike", "Text.", "version", "2", "slug", "mayor-to-resign-over-port-deal")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rename: %d", res.StatusCode)
		}
		if res := d.get("/port-strike/"); res.StatusCode != http.StatusMovedPermanently {
			t.Fatalf("old address of a live article: %d, want 301", res.StatusCode)
		}
		// A writer's draft cannot take the old address over.
		res = c.send("POST", "/admin/articles/", articleForm("Other", "Text.", "slug", "port-strike"))
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("a draft on another article's old address: %d, want 409", res.StatusCode)
		}
		if res := d.get("/port-strike/"); res.StatusCode != http.StatusMovedPermanently {
			t.Fatalf("old address after the refused draft: %d, want 301", res.StatusCode)
		}
		// A contributor's form with a bad schedule time on the editor's article: refused
		// without showing it.
		res = c.send("POST", path, articleForm("x", "y", "version", "3", "action", "schedule", "publish_at", "nonsense"))
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("a contributor's schedule of another's article: %d, want 403", res.StatusCode)
		}
		if strings.Contains(body(t, res), "mayor-to-resign") {
			t.Fatal("the refusal shows the other article")
		}
		// Taken off the site: the old address no longer gives the new one away.
		if res := ed.send("POST", path, articleForm("Port strike", "Text.", "version", "3", "slug", "mayor-to-resign-over-port-deal", "action", "unpublish")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unpublish: %d", res.StatusCode)
		}
		if res := d.get("/port-strike/"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("old address of an unpublished article: %d, want 404", res.StatusCode)
		}
	})
}

// TestTagsAndAuthors: an editor renames a tag and writes an author's bio; the public pages
// show them at once; a contributor may not; an empty name is refused.
func TestTagsAndAuthors(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		d := newDeskSite(t, db)
		ed := d.as(byline.RoleEditor, "Claire Lebertre")
		c := d.as(byline.RoleContributor, "Jo Contributor")
		ed.send("POST", "/admin/articles/", articleForm("Port strike", "Text.", "action", "publish"))
		if !strings.Contains(d.page("/tag/politics/", http.StatusOK).Find("h1").Text(), "Politics") {
			t.Fatal("the tag page does not name its tag")
		}
		tag, err := db.FindTagBySlug(context.Background(), "politics")
		if err != nil {
			t.Fatal(err)
		}
		path := "/admin/tags/" + strconv.FormatInt(tag.ID, 10)
		if res := c.send("POST", path, url.Values{"name": {"Hijacked"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a contributor's rename: %d, want 403", res.StatusCode)
		}
		if res := ed.send("POST", path, url.Values{"name": {" "}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("an empty name: %d, want 422", res.StatusCode)
		}
		if res := ed.send("POST", path, url.Values{"name": {"French politics"}, "about": {"Paris and the regions."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("rename: %d", res.StatusCode)
		}
		doc := d.page("/tag/politics/", http.StatusOK)
		if !strings.Contains(doc.Find("h1").Text(), "French politics") || !strings.Contains(doc.Text(), "Paris and the regions.") {
			t.Fatalf("the tag page after the rename: %q", doc.Find("main").Text())
		}
		// The article, saved again from its form (which names the tag by its new name),
		// stays under the tag's address; no new tag appears.
		a, err := db.FindArticleBySlug(context.Background(), "port-strike")
		if err != nil {
			t.Fatal(err)
		}
		res := ed.send("POST", "/admin/articles/"+strconv.FormatInt(a.ID, 10), url.Values{"version": {strconv.FormatInt(a.Version, 10)},
			"title": {"Port strike"}, "body": {"Text."}, "authors": {"Claire Lebertre"}, "tags": {"French politics, Marseille"}, "visibility": {"public"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save after the rename: %d", res.StatusCode)
		}
		if _, err := db.FindTagBySlug(context.Background(), "french-politics"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("saving made a new tag for the renamed one: %v", err)
		}
		if !strings.Contains(d.page("/tag/politics/", http.StatusOK).Text(), "Port strike") {
			t.Fatal("the article left its renamed tag")
		}
		if res := ed.send("POST", path, url.Values{"name": {"Politics, Policy"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a name with a comma: %d, want 422", res.StatusCode)
		}
		au, _ := db.FindAuthorBySlug(context.Background(), "claire-lebertre")
		if res := ed.send("POST", "/admin/authors/"+strconv.FormatInt(au.ID, 10), url.Values{"name": {"Claire Lebertre"}, "about": {"Marseille correspondent."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("author bio: %d", res.StatusCode)
		}
		if !strings.Contains(d.page("/author/claire-lebertre/", http.StatusOK).Text(), "Marseille correspondent.") {
			t.Fatal("the author page lacks the bio")
		}
	})
}

// TestNewArticleWithPhoto: the photo page's link opens the editor with the photo as the lead
// photo, its texts filled in.
func TestNewArticleWithPhoto(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	d := newDeskSite(t, db)
	ed := d.as(byline.RoleEditor, "Claire Lebertre")
	img := withImage(d.site)
	a := d.article("With a photo", time.Hour, img)
	if err := db.UpdatePhoto(context.Background(), &byline.Photo{Image: *a.Image, Alt: "Gates", Caption: "The port", Credit: "Claire Lebertre", Source: "AFP"}); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, ed.send("GET", "/admin/articles/new?image="+a.Image.Hash, nil))
	for field, want := range map[string]string{"#image": a.Image.Hash, "#image_alt": "Gates", "#image_caption": "The port", "#image_credit": "Claire Lebertre / AFP"} {
		if v, _ := doc.Find(field).Attr("value"); v != want {
			t.Errorf("%s = %q, want %q", field, v, want)
		}
	}
	if doc := parse(t, ed.send("GET", "/admin/articles/new?image=nonsense", nil)); doc.Find("#image").AttrOr("value", "") != "" {
		t.Error("a made-up photo code was kept")
	}
}
