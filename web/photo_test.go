package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/markdown"
	"byline/media"
	"byline/media/mediatest"
	"byline/newsroom"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
	"byline/web"

	"github.com/PuerkitoBio/goquery"
)

// photoSite is a test site with the admin served and a clock the test moves.
func photoSite(t *testing.T, db *store.DB) (*site, func(time.Duration)) {
	t.Helper()
	var mu sync.Mutex
	clock := now
	tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := newSite(t, db, func(c *web.Config) {
		c.Now = tick
		c.Staff = &newsroom.Newsroom{Store: db}
		c.Auth = &newsroom.Auth{Staff: db, Sessions: db, Now: tick}
	})
	db.Now = tick
	return s, func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
}

// upload posts a file as the form's "photo" field (with the other fields), asking for JSON
// when asJSON; it returns the response and its body.
func (d *deskClient) upload(name string, data []byte, asJSON bool, fields ...string) (*http.Response, []byte) {
	d.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("photo", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, d.s.srv.URL+"/admin/photos", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	res, err := d.c.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// uploaded is the JSON an upload answers.
type uploaded struct {
	ID             int64   `json:"id"`
	Hash           string  `json:"hash"`
	URL            string  `json:"url"`
	Thumb          string  `json:"thumb"`
	Width          int     `json:"width"`
	Height         int     `json:"height"`
	Mime           string  `json:"mime"`
	Alt            string  `json:"alt"`
	Caption        string  `json:"caption"`
	Credit         string  `json:"credit"`
	Source         string  `json:"source"`
	Copyright      string  `json:"copyright"`
	RightsExpireAt *string `json:"rights_expire_at"`
	Expired        bool    `json:"expired"`
	Created        bool    `json:"created"`
	Error          string  `json:"error"`
}

func decode(t *testing.T, b []byte) uploaded {
	t.Helper()
	var u uploaded
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return u
}

// bombPNG is a small PNG whose header claims 30,000 × 30,000 pixels.
func bombPNG() []byte {
	data := mediatest.PNG(8, 8, mediatest.Tags{})
	ihdr := data[8+8 : 8+8+13]
	binary.BigEndian.PutUint32(ihdr[0:], 30000)
	binary.BigEndian.PutUint32(ihdr[4:], 30000)
	binary.BigEndian.PutUint32(data[8+8+13:], crc32.ChecksumIEEE(data[8+4:8+8+13]))
	return data
}

// TestPhotoUploads: good JPEG, PNG, WebP and GIF files are taken, with their fields read
// from IPTC and XMP and their GPS position removed from the stored original; a file whose
// name lies is taken for what it is; text, a bomb, a file too large and a truncated one are
// each refused with a clear message, and nothing is stored.
func TestPhotoUploads(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s, _ := photoSite(t, db)
		d := signIn(t, s, byline.RoleContributor)
		ctx := context.Background()
		agency := mediatest.Tags{GPS: true, XMPGPS: true, Artist: "exif artist", ByLine: "Claire Lebertre", Credit: "AFP",
			Source: "AFP", IPTCCopyright: "© AFP 2026", Caption: "Agents leave the embassy on Monday.",
			XMPAlt: "Two agents walk out of a gate."}
		jpegData := mediatest.JPEG(1000, 600, agency)
		res, b := d.upload("embassy.jpg", jpegData, true)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("JPEG: status %d: %s", res.StatusCode, b)
		}
		u := decode(t, b)
		if u.Credit != "Claire Lebertre / AFP" || u.Source != "AFP" || u.Copyright != "© AFP 2026" ||
			u.Caption != agency.Caption || u.Alt != agency.XMPAlt || u.Mime != "image/jpeg" || u.Width != 1000 || u.Height != 600 || !u.Created {
			t.Errorf("JPEG upload answered %+v", u)
		}
		if u.URL != media.VariantURL(&byline.Image{Hash: u.Hash}, 960) || u.RightsExpireAt != nil {
			t.Errorf("JPEG upload: url %q, rights %v", u.URL, u.RightsExpireAt)
		}
		stored, err := db.OpenOriginal(ctx, u.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if m := media.ReadMetadata(stored); m.Location || bytes.Contains(stored, []byte("Exif\x00\x00")) || bytes.Contains(stored, []byte("GPSLatitude")) {
			t.Error("the stored original still carries its GPS position")
		}
		if res := s.get(u.URL); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s: status %d", u.URL, res.StatusCode)
		}
		// The same file again is the same photo.
		res, b = d.upload("again.jpg", jpegData, true)
		if again := decode(t, b); res.StatusCode != http.StatusOK || again.ID != u.ID || again.Created {
			t.Errorf("second upload: status %d, %+v", res.StatusCode, again)
		}
		// A person's upload lands on the photo's page.
		res, _ = d.upload("crowd.png", mediatest.PNG(500, 300, mediatest.Tags{Description: "A crowd."}), false, "alt", "A crowd on a square")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/admin/photos/") {
			t.Fatalf("form upload: status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
		doc := d.doc(d.get(res.Header.Get("Location")), http.StatusOK)
		if doc.Find("#alt").Text() != "A crowd on a square" || doc.Find("#caption").Text() != "A crowd." {
			t.Errorf("photo page: alt %q caption %q", doc.Find("#alt").Text(), doc.Find("#caption").Text())
		}
		for _, tt := range []struct {
			name, mime string
			data       []byte
		}{
			{"cat.webp", "image/webp", mediatest.WebP(mediatest.Tags{GPS: true, XMPCredit: "EPA"})},
			{"anim.gif", "image/gif", mediatest.GIF(300, 200)},
			{"lies.jpg", "image/png", mediatest.PNG(200, 100, mediatest.Tags{})}, // a PNG named .jpg is a PNG
		} {
			res, b := d.upload(tt.name, tt.data, true)
			if u := decode(t, b); res.StatusCode != http.StatusCreated || u.Mime != tt.mime {
				t.Errorf("%s: status %d, %+v", tt.name, res.StatusCode, u)
			}
		}

		_, before, _ := db.FindPhotos(ctx, byline.PhotoFilter{})
		huge := append(mediatest.JPEG(100, 100, mediatest.Tags{}), bytes.Repeat([]byte{0}, media.MaxBytes)...)
		truncated := mediatest.JPEG(1000, 600, mediatest.Tags{})
		for _, tt := range []struct {
			name   string
			data   []byte
			status int
			says   string
		}{
			{"notes.jpg", []byte("Notes from the council meeting, not a photo at all."), http.StatusUnprocessableEntity, "not a JPEG, PNG, WebP or GIF"},
			{"bomb.png", bombPNG(), http.StatusUnprocessableEntity, "30000×30000 pixels"},
			{"huge.jpg", huge, http.StatusRequestEntityTooLarge, "larger than 30 MB"},
			{"cut.jpg", truncated[:len(truncated)/2], http.StatusUnprocessableEntity, "cut short"},
			{"empty.jpg", nil, http.StatusUnprocessableEntity, "Choose a photo"},
		} {
			res, b := d.upload(tt.name, tt.data, true)
			if u := decode(t, b); res.StatusCode != tt.status || !strings.Contains(u.Error, tt.says) {
				t.Errorf("%s: status %d, %q; want %d saying %q", tt.name, res.StatusCode, u.Error, tt.status, tt.says)
			}
			// And as a form, the library page says why.
			res, b = d.upload(tt.name, tt.data, false)
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
			if err != nil || res.StatusCode != tt.status {
				t.Fatalf("%s as a form: status %d, %v", tt.name, res.StatusCode, err)
			}
			if msg := doc.Find(".form-error").Text(); !strings.Contains(msg, tt.says) {
				t.Errorf("%s as a form: message %q", tt.name, msg)
			}
		}
		if _, after, _ := db.FindPhotos(ctx, byline.PhotoFilter{}); after != before {
			t.Errorf("refused uploads stored photos: %d before, %d after", before, after)
		}

		// A reader cannot upload; a stranger's upload is refused without a session.
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/admin/photos", strings.NewReader("x"))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
			t.Errorf("upload without a session: %v, %v", res.StatusCode, err)
		}
		mod := signIn(t, s, byline.RoleModerator)
		if res, _ := mod.upload("x.jpg", jpegData, true); res.StatusCode != http.StatusForbidden {
			t.Errorf("a moderator's upload: status %d, want 403", res.StatusCode)
		}
	})
}

// TestPhotoLibraryPages: the library lists photos newest first and searches captions,
// credits and alt text; the picker's JSON pages through it; a contributor edits their own
// photo but not another's, which an editor may.
func TestPhotoLibraryPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s, move := photoSite(t, db)
		ana := signIn(t, s, byline.RoleContributor)
		ed := signIn(t, s, byline.RoleEditor)
		var ids []int64
		for i, tags := range []mediatest.Tags{
			{Caption: "Riot police in Nantes", Credit: "AFP"},
			{Caption: "A harbour at dawn", ByLine: "Ana Lee", Credit: "Reuters"},
			{XMPAlt: "Police lines in the rain"},
		} {
			_, b := ana.upload("p.jpg", mediatest.JPEG(300+i, 200, tags), true)
			ids = append(ids, decode(t, b).ID)
			move(time.Second)
		}
		doc := ana.doc(ana.get("/admin/photos/"), http.StatusOK)
		if n := doc.Find(".photo-grid li").Length(); n != 3 {
			t.Errorf("the library lists %d photos, want 3", n)
		}
		if first := doc.Find(".photo-grid li a").First().AttrOr("href", ""); first != "/admin/photos/"+strconv.FormatInt(ids[2], 10) {
			t.Errorf("first photo links to %q, want the newest", first)
		}
		doc = ana.doc(ana.get("/admin/photos/?q=police"), http.StatusOK)
		if n := doc.Find(".photo-grid li").Length(); n != 2 {
			t.Errorf("a search for police lists %d photos, want 2 (a caption and an alt text)", n)
		}
		var picker struct {
			Photos []uploaded `json:"photos"`
			Total  int        `json:"total"`
			More   bool       `json:"more"`
		}
		res := ana.get("/admin/photos.json?q=reuters")
		if err := json.NewDecoder(res.Body).Decode(&picker); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("picker: status %d, %v", res.StatusCode, err)
		}
		if picker.Total != 1 || len(picker.Photos) != 1 || picker.Photos[0].Credit != "Ana Lee / Reuters" || picker.More {
			t.Errorf("picker = %+v", picker)
		}
		if res := ana.get("/admin/photos.json?page=99999999999"); res.StatusCode != http.StatusNotFound {
			t.Errorf("a page number out of range: status %d", res.StatusCode)
		}
		for _, path := range []string{"/admin/photos/0", "/admin/photos/99999999999999999999", "/admin/photos/007", "/admin/photos/12345"} {
			if res := ana.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", path, res.StatusCode)
			}
		}

		own := "/admin/photos/" + strconv.FormatInt(ids[0], 10)
		form := url.Values{"caption": {"Riot police in Nantes on Tuesday"}, "credit": {"Jean Dupont / AFP"}, "source": {"AFP"},
			"alt": {"Police in riot gear"}, "copyright": {""}, "expires": {""}}
		if res := ana.post(own, form); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a contributor's edit of their photo: status %d", res.StatusCode)
		}
		p, _ := db.FindPhoto(context.Background(), ids[0])
		if p.Caption != "Riot police in Nantes on Tuesday" || p.Credit != "Jean Dupont / AFP" {
			t.Errorf("after the edit: %+v", p)
		}
		other := signIn(t, s, byline.RoleAuthor)
		if res := other.post(own, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("another's edit: status %d, want 403", res.StatusCode)
		}
		if doc := other.doc(other.get(own), http.StatusOK); doc.Find("form.photo-form").Length() != 0 {
			t.Error("another's photo page offers the form")
		}
		form.Set("expires", "27/11/2026")
		if res := ed.post(own, form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a bad date: status %d, want 422", res.StatusCode)
		}
		form.Set("expires", "2026-12-15")
		form.Set("caption", "bad \x01 caption")
		if res := ed.post(own, form); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a control character: status %d, want 422", res.StatusCode)
		}
		form.Set("caption", "Riot police")
		if res := ed.post(own, form); res.StatusCode != http.StatusSeeOther {
			t.Errorf("an editor's edit: status %d", res.StatusCode)
		}
		// 15 December is within 30 days of 27 November: the library warns.
		doc = ed.doc(ed.get("/admin/photos/"), http.StatusOK)
		if rows := doc.Find("#expiring-h").Parent().Find("tbody tr"); rows.Length() != 1 || !strings.Contains(rows.Text(), "15 December 2026") {
			t.Errorf("the expiring list shows %q", rows.Text())
		}
	})
}

// TestPhotoExpiry: once a photo's rights end, the article (served from the page cache until
// then) shows no photo, its card on the front page and its feed item neither, and /media/
// answers 404; before that, /media/ lets the photo be kept no longer than its rights.
func TestPhotoExpiry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s, move := photoSite(t, db)
		ed := signIn(t, s, byline.RoleEditor)
		_, b := ed.upload("embassy.jpg", mediatest.JPEG(1000, 600, mediatest.Tags{Caption: "The embassy."}), true)
		u := decode(t, b)
		p, err := db.FindPhoto(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.article("Story", time.Hour, func(a *byline.Article) {
			a.Image, a.ImageAlt, a.ImageCaption, a.ImageCredit = &p.Image, "The embassy", "The embassy on Monday.", "AFP"
		})
		// Rights end at midnight on 28 November in Paris: 23:00 UTC on the 27th, 11 hours on.
		if res := ed.post("/admin/photos/"+strconv.FormatInt(u.ID, 10), url.Values{"alt": {"The embassy"}, "expires": {"2026-11-28"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setting the expiry: status %d", res.StatusCode)
		}
		if p, _ := db.FindPhoto(context.Background(), u.ID); !p.RightsExpireAt.Equal(time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)) {
			t.Fatalf("rights expire at %v", p.RightsExpireAt)
		}
		// A minute before the expiry the pages are rendered and cached (for up to ten
		// minutes, were it not for the expiry).
		move(11*time.Hour - time.Minute)
		doc := s.page("/story/", http.StatusOK)
		if doc.Find("figure.lead img").Length() != 1 || !strings.Contains(doc.Find("figcaption").Text(), "The embassy on Monday.") {
			t.Fatal("before the expiry the article lacks its photo")
		}
		s.page("/", http.StatusOK) // cached too
		res := s.get(u.URL)
		age, _ := strconv.Atoi(strings.TrimPrefix(res.Header.Get("Cache-Control"), "public, max-age="))
		if res.StatusCode != http.StatusOK || age <= 0 || age > 60 || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("before the expiry %s: status %d, Cache-Control %q", u.URL, res.StatusCode, res.Header.Get("Cache-Control"))
		}

		move(time.Minute + time.Second)
		doc = s.page("/story/", http.StatusOK)
		if doc.Find("figure.lead").Length() != 0 || strings.Contains(doc.Text(), "The embassy on Monday.") || doc.Find(`meta[property="og:image"]`).Length() != 0 {
			t.Error("after the expiry the article (as cached) still shows the photo")
		}
		if strings.Contains(doc.Find(`script[type="application/ld+json"]`).Text(), u.Hash) {
			t.Error("after the expiry the JSON-LD names the photo")
		}
		if doc := s.page("/", http.StatusOK); doc.Find("article.card img").Length() != 0 {
			t.Error("after the expiry the front page shows the photo")
		}
		if feed := body(t, s.get("/rss/")); strings.Contains(feed, u.Hash) {
			t.Error("after the expiry the feed names the photo")
		}
		for _, w := range media.Widths(1000) {
			path := media.VariantURL(&byline.Image{Hash: u.Hash}, w)
			if res := s.get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("after the expiry %s: status %d, want 404", path, res.StatusCode)
			}
		}
		// The desk still sees it, marked.
		doc = ed.doc(ed.get("/admin/photos/"), http.StatusOK)
		if !strings.Contains(doc.Find("#expiring-h").Parent().Text(), "Expired") {
			t.Error("the library does not list the expired photo")
		}
		if res := ed.get(fmtThumb(u)); res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
			t.Errorf("the desk's thumbnail: status %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
		}
		// Clearing the expiry brings the photo back at once.
		if res := ed.post("/admin/photos/"+strconv.FormatInt(u.ID, 10), url.Values{"alt": {"The embassy"}, "expires": {""}}); res.StatusCode != http.StatusSeeOther {
			t.Fatal("clearing the expiry failed")
		}
		if doc := s.page("/story/", http.StatusOK); doc.Find("figure.lead img").Length() != 1 {
			t.Error("with the expiry cleared the article lacks its photo")
		}
		if res := s.get(u.URL); res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("without an expiry %s: status %d, Cache-Control %q", u.URL, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	})
}

func fmtThumb(u uploaded) string { return u.Thumb }

// TestInlinePhotoExpiry: a photo put inside an article's body (as the editor's toolbar and
// drop do: ![alt](/media/{hash}/960.jpg)) goes from the page, the feed and the preview once
// its rights end, with the paragraph or figure that held only it; text around it stays, a
// link to its file keeps its words, and another photo in the body stays. The page cached
// before the expiry is not served after it.
func TestInlinePhotoExpiry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var mu sync.Mutex
		clock := now
		tick := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		move := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
		s := newSite(t, db, func(c *web.Config) {
			c.Now = tick
			c.Staff = &newsroom.Newsroom{Store: db}
			c.Auth = &newsroom.Auth{Staff: db, Sessions: db, Now: tick}
			c.Desk = &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Now: tick}
		})
		db.Now = tick
		ed := signIn(t, s, byline.RoleEditor)
		_, b := ed.upload("embassy.jpg", mediatest.JPEG(1000, 600, mediatest.Tags{}), true)
		gone := decode(t, b)
		_, b = ed.upload("harbour.jpg", mediatest.JPEG(1001, 600, mediatest.Tags{}), true)
		kept := decode(t, b)
		// Rights end at midnight on 28 November in Paris: 23:00 UTC on the 27th, 11 hours on.
		if res := ed.post("/admin/photos/"+strconv.FormatInt(gone.ID, 10), url.Values{"alt": {"The embassy"}, "expires": {"2026-11-28"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("setting the expiry: status %d", res.StatusCode)
		}
		goneURL := media.VariantURL(&byline.Image{Hash: gone.Hash}, 960)
		keptURL := media.VariantURL(&byline.Image{Hash: kept.Hash}, 960)
		src := "Intro.\n\n![The embassy](" + goneURL + ")\n\nSee ![small](" + goneURL + ") here.\n\n" +
			`<figure><img src="` + goneURL + `" alt="Embassy"><figcaption>The embassy, by AFP.</figcaption></figure>` +
			"\n\n![The harbour](" + keptURL + ")\n\n[Full size](" + goneURL + ")\n\nThe end."
		s.article("Story", time.Hour, func(a *byline.Article) { a.Body = src })

		count := func(doc *goquery.Document, hash string) int {
			return doc.Find(`article img[src*="` + hash + `"]`).Length()
		}
		move(11*time.Hour - time.Minute)
		doc := s.page("/story/", http.StatusOK) // cached from here
		if count(doc, gone.Hash) != 3 || count(doc, kept.Hash) != 1 {
			t.Fatalf("before the expiry: %d and %d photos in the body, want 3 and 1", count(doc, gone.Hash), count(doc, kept.Hash))
		}
		if feed := body(t, s.get("/rss/")); !strings.Contains(feed, gone.Hash) {
			t.Fatal("before the expiry the feed lacks the photo")
		}

		move(time.Minute + time.Second)
		doc = s.page("/story/", http.StatusOK)
		if strings.Contains(doc.Find("article").Text()+mustHTML(t, doc.Find("article")), gone.Hash) {
			t.Errorf("after the expiry the page names the photo:\n%s", mustHTML(t, doc.Find("article")))
		}
		if count(doc, kept.Hash) != 1 {
			t.Error("after the expiry the other photo went too")
		}
		text := doc.Find("article").Text()
		for _, want := range []string{"Intro.", "See", "here.", "Full size", "The end."} {
			if !strings.Contains(text, want) {
				t.Errorf("after the expiry the page lacks %q", want)
			}
		}
		if strings.Contains(text, "The embassy, by AFP.") {
			t.Error("after the expiry the figure's caption stays without its photo")
		}
		doc.Find("article p, article figure").Each(func(_ int, p *goquery.Selection) {
			if strings.TrimSpace(p.Text()) == "" && p.Find("img").Length() == 0 {
				t.Errorf("an empty wrapper stays: %s", mustHTML(t, p))
			}
		})
		if feed := body(t, s.get("/rss/")); strings.Contains(feed, gone.Hash) || !strings.Contains(feed, kept.Hash) {
			t.Error("after the expiry the feed names the photo, or lost the other")
		}
		// The editor's preview shows the article as readers will see it.
		doc = ed.doc(ed.post("/admin/preview", articleForm("Preview me", src)), http.StatusOK)
		if count(doc, gone.Hash) != 0 || count(doc, kept.Hash) != 1 {
			t.Errorf("the preview shows %d expired and %d other photos, want 0 and 1", count(doc, gone.Hash), count(doc, kept.Hash))
		}
	})
}

func mustHTML(t *testing.T, s *goquery.Selection) string {
	t.Helper()
	h, err := goquery.OuterHtml(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSlowUpload: a photo sent slowly, for longer than the server's read timeout, still
// arrives (the upload route gives a staff member's body its own, longer deadline), while
// any other form sent as slowly is cut off by the server's timeout, as before. The access
// log's writer lets the deadline through.
func TestSlowUpload(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	h, err := web.New(web.Config{Store: db, BaseURL: base, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AccessLog: true,
		Staff: &newsroom.Newsroom{Store: db}, Auth: &newsroom.Auth{Staff: db, Sessions: db, Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = time.Second // Run's is 30 s: the same, in less time
	srv.Start()
	t.Cleanup(srv.Close)
	s := &site{t: t, db: db, srv: srv, md: markdown.New()}
	ed := signIn(t, s, byline.RoleEditor)

	// slowly sends body to path in 10 pieces over 2.5 s.
	slowly := func(path, contentType string, body []byte) (*http.Response, error) {
		pr, pw := io.Pipe()
		go func() {
			step := (len(body) + 9) / 10
			for i := 0; i < len(body); i += step {
				time.Sleep(250 * time.Millisecond)
				if _, err := pw.Write(body[i:min(i+step, len(body))]); err != nil {
					pw.CloseWithError(err)
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, pr)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/json")
		res, err := ed.c.Do(req)
		if err == nil {
			t.Cleanup(func() { res.Body.Close() })
		}
		return res, err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("photo", "slow.jpg")
	fw.Write(mediatest.JPEG(900, 600, mediatest.Tags{}))
	mw.WriteField("alt", "A slow photo")
	mw.Close()
	res, err := slowly("/admin/photos", mw.FormDataContentType(), buf.Bytes())
	if err != nil {
		t.Fatalf("the slow upload failed: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the slow upload: status %d, want 201\n%s", res.StatusCode, b)
	}
	u := decode(t, b)
	// Any other form keeps the server's read timeout.
	form := url.Values{"alt": {"Changed slowly"}, "caption": {strings.Repeat("A caption. ", 100)}}.Encode()
	res, err = slowly("/admin/photos/"+strconv.FormatInt(u.ID, 10), "application/x-www-form-urlencoded", []byte(form))
	if err == nil && res.StatusCode == http.StatusSeeOther {
		t.Error("a form sent slower than the read timeout was taken")
	}
	if p, _ := db.FindPhoto(context.Background(), u.ID); p.Alt != "A slow photo" {
		t.Errorf("the photo's alt text is %q", p.Alt)
	}
}
