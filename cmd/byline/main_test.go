package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/blob"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
	"byline/web"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine writing and a test reading.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || out.String() != "byline "+byline.Version+"\n" {
		t.Errorf("version: %q %v", out.String(), err)
	}
	err := run(context.Background(), []string{"--help"}, &out, &errOut)
	if exitCode(err) != 0 || !strings.Contains(errOut.String(), "BYLINE_BASE_URL") || !strings.Contains(errOut.String(), "import markdown") {
		t.Errorf("help: %v\n%s", err, errOut.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("unknown command: %v, want a usage error", err)
	}
}

func TestEnvironmentTwins(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "url")
	os.WriteFile(secret, []byte("postgres://u:p@db.example:5432/news\n"), 0o600)
	t.Setenv("BYLINE_DATABASE_URL_FILE", secret)
	t.Setenv("BYLINE_ADDR", "127.0.0.1:9999")
	t.Setenv("BYLINE_SAMPLE", "false")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var c config
	if err := flags(fs, &c); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--addr", "127.0.0.1:7777"}); err != nil {
		t.Fatal(err)
	}
	if c.databaseURL != "postgres://u:p@db.example:5432/news" || c.addr != "127.0.0.1:7777" || c.sample {
		t.Errorf("config = %+v: want the URL from the _FILE twin, the flag over the environment, sample off", c)
	}
}

func TestSettingsCommand(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"settings", "set", "title", "The Riviera Times", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	nav := `[{"label": "Politics", "url": "/tag/politics/"}]`
	if err := run(ctx, []string{"settings", "set", "navigation", nav, "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"settings", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"title": "The Riviera Times"`) || !strings.Contains(out.String(), `"url": "/tag/politics/"`) {
		t.Errorf("settings:\n%s", out.String())
	}
	for _, bad := range [][]string{{"timezone", "Mars/Olympus"}, {"locale", "english please"}, {"title", " "},
		{"navigation", `[{"label": "x", "url": "javascript:alert(1)"}]`}} {
		err := run(ctx, []string{"settings", "set", bad[0], bad[1], "--data", data}, &out, io.Discard)
		if byline.ErrorCode(err) != byline.EINVALID {
			t.Errorf("set %s %q: %v, want invalid", bad[0], bad[1], err)
		}
	}
	if err := run(ctx, []string{"settings", "set", "colour", "red", "--data", data}, &out, io.Discard); exitCode(err) != 2 {
		t.Errorf("unknown setting: %v, want a usage error", err)
	}
}

func TestImportCommand(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.md"), []byte("---\ntitle: Good one\n---\nText.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.md"), []byte("---\ntitle: Bad\nvisibility: everyone\n---\nText.\n"), 0o644)
	var out bytes.Buffer
	err := run(context.Background(), []string{"import", "markdown", dir, "--data", data}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "1 file(s) failed") {
		t.Errorf("err = %v, want a failure count", err)
	}
	got := out.String()
	for _, want := range []string{"imported   " + filepath.Join(dir, "good.md"), "bad.md:3: visibility \"everyone\"", "1 imported, 0 updated, 0 unchanged, 1 failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	out.Reset()
	os.Remove(filepath.Join(dir, "bad.md"))
	if err := run(context.Background(), []string{"import", "--data", data, "markdown", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 imported, 0 updated, 1 unchanged, 0 failed") {
		t.Errorf("re-import output:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"import", "--data", data}, &out, io.Discard); exitCode(err) != 2 {
		t.Errorf("import without paths: %v, want a usage error", err)
	}
}

// TestServe starts the real server with the sample newsroom, reads a page, and stops it
// the way SIGTERM does.
func TestServe(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	addr := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)
	started := make(chan string, 1)
	logWriter := writerFunc(func(p []byte) (int, error) {
		logs.Write(p)
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			select {
			case started <- m[1]:
			default: // sent before
			}
		}
		return len(p), nil
	})
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--access-log=false"}, io.Discard, logWriter)
	}()
	var base string
	select {
	case base = <-started:
	case err := <-done:
		t.Fatalf("the server stopped before serving (%v):\n%s", err, logs.String())
	case <-time.After(time.Minute):
		cancel()
		t.Fatalf("the server did not start within a minute:\n%s", logs.String())
	}
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Night trains return to Lyon") {
		t.Errorf("front page: status %d, sample content missing", res.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(data, "byline.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the server did not shut down within a minute")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", logs.String())
	}
}

// TestCopyRoundTrip copies the sample newsroom from SQLite to PostgreSQL (when configured)
// and back to SQLite, and checks that every copy serves the same pages, byte for byte.
func TestCopyRoundTrip(t *testing.T) {
	ctx := context.Background()
	first := filepath.Join(t.TempDir(), "byline.db")
	db, err := store.Open(ctx, first, true)
	if err != nil {
		t.Fatal(err)
	}
	im, err := newImporter(db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := publishing.Seed(ctx, im, now); err != nil {
		t.Fatal(err)
	}
	db.Close()

	chain := []string{first}
	for _, engine := range storetest.Engines(t) {
		if engine == "postgres" {
			chain = append(chain, storetest.URL(t, "postgres"))
		}
	}
	chain = append(chain, filepath.Join(t.TempDir(), "copy.db"))
	for i := 1; i < len(chain); i++ {
		var out bytes.Buffer
		if err := run(ctx, []string{"copy", "--from", chain[i-1], "--to", chain[i]}, &out, io.Discard); err != nil {
			t.Fatalf("copy %d: %v\n%s", i, err, out.String())
		}
		if !strings.Contains(out.String(), "row counts verified") || !strings.Contains(out.String(), "articles                7 rows") {
			t.Errorf("copy %d output:\n%s", i, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"copy", "--from", first, "--to", chain[len(chain)-1]}, &out, io.Discard); byline.ErrorCode(err) != byline.ECONFLICT {
		t.Errorf("copy into a full database: %v, want a conflict", err)
	}

	pages := []string{"/", "/night-trains-return-to-lyon-after-a-decades-absence/", "/what-the-new-regional-budget-means-for-your-commute/",
		"/rss/", "/sitemap.xml", "/tag/environment/", "/author/thomas-keller/"}
	var want map[string]string
	for i, url := range chain {
		db, err := store.Open(ctx, url, false)
		if err != nil {
			t.Fatal(err)
		}
		h, err := web.New(web.Config{Store: db, BaseURL: "http://news.test", Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range pages {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("%s on copy %d: status %d", p, i, w.Code)
			}
			got[p] = w.Body.String()
		}
		// The photos are there too: every copy uses the one media store (the first's folder).
		if db.Blobs, err = blob.NewFolder(filepath.Join(filepath.Dir(first), "media")); err != nil {
			t.Fatal(err)
		}
		a, err := db.FindArticleBySlug(ctx, "night-trains-return-to-lyon-after-a-decades-absence")
		if err != nil || a.Image == nil {
			t.Fatalf("copy %d: article or photo missing: %v", i, err)
		}
		if v, err := db.FindImageVariant(ctx, a.Image.Hash, 640); err != nil || len(v.Data) < 1000 {
			t.Errorf("copy %d: photo variant missing: %v", i, err)
		}
		db.Close()
		if want == nil {
			want = got
			continue
		}
		for _, p := range pages {
			if got[p] != want[p] {
				t.Errorf("%s differs on copy %d (%s)", p, i, strings.SplitN(url, "?", 2)[0])
			}
		}
	}
}

func TestBackup(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "byline.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := newImporter(db)
	if _, err := publishing.Seed(ctx, im, time.Now()); err != nil {
		t.Fatal(err)
	}
	// The database stays open and in use, as under a running server.
	defer db.Close()
	file := filepath.Join(t.TempDir(), "backup.db")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", file, "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, file, true)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if n, err := restored.CountArticles(ctx); err != nil || n != 7 {
		t.Errorf("restored articles = %d (%v), want 7", n, err)
	}
	if err := run(ctx, []string{"backup", file, "--data", data}, &out, io.Discard); err == nil {
		t.Error("a backup over an existing file succeeded")
	}
}

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"./byline-data", "./byline-data"},
		{"postgres://byline@db:5432/news", "postgres://byline@db:5432/news"},
		{"postgres://byline:s3cret@db:5432/news", "postgres://byline:xxxxx@db:5432/news"},
		{"postgresql://byline:p%40ss%3Aw@db/news?sslmode=require", "postgresql://byline:xxxxx@db/news?sslmode=require"},
		{"postgres://byline:p@ss@db/news", "postgres://byline:xxxxx@db/news"},
		{"postgres://db/news?user=byline&password=s3cret&sslpassword=k3y", "postgres://db/news?password=xxxxx&sslpassword=xxxxx&user=byline"},
		{"postgres://byline:s3cret@db:port/news", "(a URL that does not parse, not shown)"},
		{"https://news.example.org", "https://news.example.org"},
		{"postgres://byline:12#34@db/news", "(a URL that does not parse as meant, not shown)"},
		{"host=db user=news password=S3cretPw", "(not shown: it may hold a password)"},
	} {
		if got := redactURL(c.in); got != c.want {
			t.Errorf("redactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
