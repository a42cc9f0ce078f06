package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"byline"
	"byline/media"
	"byline/media/mediatest"
	"byline/store/storetest"
)

// countingPhotos counts the store's look-ups of expired photos.
type countingPhotos struct {
	byline.PhotoStore
	calls int
}

func (c *countingPhotos) ExpiredHashes(ctx context.Context, hashes []string, at time.Time) (map[string]bool, error) {
	c.calls++
	return c.PhotoStore.ExpiredHashes(ctx, hashes, at)
}

// TestHideExpiredInline: the lead photos and the photos inside the bodies and teasers of a
// page's articles are looked up in one query; the expired ones go, each with the wrapper
// that held only it, and the rest of the HTML stays as it was.
func TestHideExpiredInline(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	save := func(width int, expires time.Time) string {
		prep, err := media.Prepare(mediatest.JPEG(width, 40, mediatest.Tags{}))
		if err != nil {
			t.Fatal(err)
		}
		p := &byline.Photo{Image: *prep.Image, RightsExpireAt: expires}
		if _, err := db.SavePhoto(ctx, p, prep.Original, prep.Variants); err != nil {
			t.Fatal(err)
		}
		return p.Hash
	}
	gone, kept := save(100, at.Add(-time.Hour)), save(101, at.Add(time.Hour))
	g, k := "/media/"+gone+"/960.jpg", "https://news.example/media/"+kept+"/640.jpg"
	cases := []struct{ in, want string }{
		{`<p>Intro.</p><p><img src="` + g + `" alt="x"></p><p>End.</p>`, `<p>Intro.</p><p>End.</p>`},
		{`<p>See <img src="` + g + `" alt="x"> here.</p>`, `<p>See  here.</p>`},
		{`<figure><a href="` + g + `"><img src="` + g + `"></a><figcaption>By AFP.</figcaption></figure><p>After.</p>`, `<p>After.</p>`},
		{`<p><img srcset="` + g + ` 2x" src="/static/x.png"></p>`, ``},
		{`<p><a href="` + g + `">Full size</a> and <img src="` + k + `" alt="y"></p>`, `<p>Full size and <img src="` + k + `" alt="y"/></p>`},
		{`<p>Nothing expired: <img src="` + k + `"></p>`, `<p>Nothing expired: <img src="` + k + `"></p>`},
		{`<p>Text about /media/` + gone + `/ only.</p>`, `<p>Text about /media/` + gone + `/ only.</p>`},
	}
	var list []*byline.Article
	for _, c := range cases {
		list = append(list, &byline.Article{BodyHTML: c.in, TeaserHTML: c.in, Image: &byline.Image{Hash: kept}})
	}
	list[0].Image = &byline.Image{Hash: gone}
	st := &countingPhotos{PhotoStore: db}
	if err := hideExpired(ctx, st, at, list...); err != nil {
		t.Fatal(err)
	}
	if st.calls != 1 {
		t.Errorf("%d look-ups of expired photos, want 1 for the whole page", st.calls)
	}
	for i, c := range cases {
		if got := list[i].BodyHTML; got != c.want {
			t.Errorf("body %d:\n got %s\nwant %s", i, got, c.want)
		}
		if got := list[i].TeaserHTML; got != c.want {
			t.Errorf("teaser %d:\n got %s\nwant %s", i, got, c.want)
		}
	}
	if list[0].Image != nil || list[1].Image == nil {
		t.Error("the lead photos: the expired one stays, or the other went")
	}
	// A page without any photo asks nothing.
	st.calls = 0
	if err := hideExpired(ctx, st, at, &byline.Article{BodyHTML: "<p>Text.</p>"}); err != nil || st.calls != 0 {
		t.Errorf("a page without photos: %d look-ups, %v", st.calls, err)
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestUploadBuffersBounded: while the node holds as many uploads in memory as it may, the
// next one is turned away without its body being read; once one is done, it is read.
func TestUploadBuffersBounded(t *testing.T) {
	defer func(d time.Duration) { uploadBufferWait = d }(uploadBufferWait)
	uploadBufferWait = 100 * time.Millisecond
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("photo", "p.jpg")
	fw.Write(mediatest.JPEG(300, 200, mediatest.Tags{}))
	mw.Close()
	request := func() (*http.Request, *countingReader) {
		body := &countingReader{r: bytes.NewReader(buf.Bytes())}
		r := httptest.NewRequest(http.MethodPost, "/admin/photos", body)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		return r, body
	}
	for range cap(uploadBuffers) {
		uploadBuffers <- struct{}{}
	}
	s := &Server{}
	r, body := request()
	if _, _, err := s.receiveUpload(r); !errors.Is(err, errBusy) || body.n != 0 {
		t.Fatalf("with every buffer taken: err %v after reading %d bytes; want errBusy and nothing read", err, body.n)
	}
	<-uploadBuffers
	r, _ = request()
	data, _, err := s.receiveUpload(r)
	if err != nil || len(data) == 0 {
		t.Fatalf("with a buffer free: %d bytes, %v", len(data), err)
	}
	if len(uploadBuffers) != cap(uploadBuffers)-1 {
		t.Errorf("%d buffers taken after the upload, want its own given back", len(uploadBuffers))
	}
	for len(uploadBuffers) > 0 {
		<-uploadBuffers
	}
}
