package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
	"byline/web"
)

// failingSettings is a store whose settings cannot be read while fail is set.
type failingSettings struct {
	*store.DB
	fail atomic.Bool
}

func (f *failingSettings) FindSettings(ctx context.Context) (byline.Settings, error) {
	if f.fail.Load() {
		return byline.Settings{}, errors.New("settings: the database does not answer")
	}
	return f.DB.FindSettings(ctx)
}

// TestPagesNeedTheirSettings: a page whose settings cannot be read is an error, never a page
// made with the default settings that the cache would then keep and show as right.
func TestPagesNeedTheirSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		site := byline.DefaultSettings()
		site.Title = "The Riviera Times"
		if err := db.SaveSettings(ctx, site); err != nil {
			t.Fatal(err)
		}
		fs := &failingSettings{DB: db}
		s := newSite(t, db, func(c *web.Config) { c.Store = fs })
		s.article("Live", time.Hour)
		fs.fail.Store(true)
		for _, path := range []string{"/", "/live/", "/tag/politics/"} {
			res := s.get(path)
			if b := body(t, res); res.StatusCode == http.StatusOK {
				t.Errorf("%s without settings: status 200 (title %q), want an error", path, b[strings.Index(b, "<title>"):][:40])
			}
		}
		fs.fail.Store(false)
		for _, path := range []string{"/", "/live/", "/tag/politics/"} {
			if title := s.page(path, http.StatusOK).Find("title").Text(); !strings.Contains(title, "The Riviera Times") {
				t.Errorf("%s once settings answer: title %q, want the newsroom's", path, title)
			}
		}
	})
}
