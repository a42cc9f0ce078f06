package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store/storetest"
)

// TestGracefulShutdown: a request in flight when the server is told to stop still gets its
// whole answer, and Run returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release // until the server is shutting down
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, "127.0.0.1:0", slow, slog.New(slog.DiscardHandler), 5*time.Second, func(a string) { addrc <- a })
	}()
	addr := <-addrc
	reply := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/")
		if err != nil {
			reply <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		reply <- string(b)
	}()
	<-started
	cancel() // as SIGTERM does
	// Shutdown closes the listener first: once nobody can connect, the server is shutting
	// down with the request still in flight, and the handler may finish.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 20 seconds after it was told to stop")
		}
	}
	close(release)
	if got := <-reply; got != "finished" {
		t.Errorf("in-flight request got %q, want its whole answer", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

// hangingStore holds every FindArticles call until released, as a database that hangs
// does. With honour set it gives up when the call's context ends, as drivers do; without,
// it does not, as a stuck driver would not.
type hangingStore struct {
	Store
	honour  bool
	entered chan struct{} // holds a value once a call has started waiting
	release chan struct{} // closed: the database answers again
}

func newHangingStore(s Store, honour bool) *hangingStore {
	return &hangingStore{Store: s, honour: honour, entered: make(chan struct{}, 1), release: make(chan struct{})}
}

func (h *hangingStore) FindArticles(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, error) {
	select {
	case h.entered <- struct{}{}:
	default:
	}
	if h.honour {
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	} else {
		<-h.release
	}
	return h.Store.FindArticles(ctx, f)
}

// hangingSite serves one article over a store whose FindArticles hangs.
func hangingSite(t *testing.T, honour bool) (*Server, *hangingStore) {
	t.Helper()
	db := storetest.MustOpen(t, "sqlite")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := &byline.Article{Slug: "story", Title: "Story", Body: "x", BodyHTML: "<p>x</p>",
		Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, PublishedAt: now.Add(-time.Hour)}
	if _, err := db.SaveArticle(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	hang := newHangingStore(db, honour)
	t.Cleanup(func() {
		select {
		case <-hang.release:
		default:
			close(hang.release)
		}
	})
	s, err := New(Config{Store: hang, BaseURL: "http://news.test", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s, hang
}

// serve runs a request in the background; the channel gets the answer when it is written.
func serve(s *Server, r *http.Request) <-chan *httptest.ResponseRecorder {
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		done <- w
	}()
	return done
}

// waitFor waits for an answer; only a broken build makes it wait the 20 seconds.
func waitFor(t *testing.T, what string, done <-chan *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	t.Helper()
	select {
	case w := <-done:
		return w
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no answer after 20 seconds", what)
		return nil
	}
}

// TestReaderWhoLeavesStopsWaiting: a reader whose request ends (they closed the tab, the
// proxy gave up) stops waiting for a shared render that hangs.
func TestReaderWhoLeavesStopsWaiting(t *testing.T) {
	for _, path := range []string{"/", "/no-such-story/"} {
		s, hang := hangingSite(t, false)
		s.renderTimeout = time.Hour // only the reader's leaving may end the wait
		ctx, cancel := context.WithCancel(context.Background())
		done := serve(s, httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx))
		select {
		case <-hang.entered:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: the render never reached the store", path)
		}
		cancel()
		waitFor(t, path+": a reader who left", done)
	}
}

// TestSharedRenderDeadline: a shared render that outlasts its deadline fails with a 503
// instead of holding every reader of the page, and the next request renders afresh.
func TestSharedRenderDeadline(t *testing.T) {
	for _, honour := range []bool{true, false} {
		s, hang := hangingSite(t, honour)
		s.renderTimeout = 50 * time.Millisecond
		for _, path := range []string{"/", "/story/"} {
			w := waitFor(t, path+" with the database hanging", serve(s, httptest.NewRequest(http.MethodGet, path, nil)))
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("honour %v, %s: status %d, Cache-Control %q; want 503, no-store", honour, path, w.Code, w.Header().Get("Cache-Control"))
			}
		}
		// A 404 page lists the latest articles: when that hangs, the page comes without them.
		w := waitFor(t, "a 404 with the database hanging", serve(s, httptest.NewRequest(http.MethodGet, "/no-such-story/", nil)))
		if w.Code != http.StatusNotFound {
			t.Errorf("honour %v, 404 page: status %d", honour, w.Code)
		}
		close(hang.release)
		s.renderTimeout = time.Minute
		for _, path := range []string{"/", "/story/"} {
			if w := waitFor(t, path+" once the database answers", serve(s, httptest.NewRequest(http.MethodGet, path, nil))); w.Code != http.StatusOK {
				t.Errorf("honour %v, %s once the database answers: status %d, want 200", honour, path, w.Code)
			}
		}
		if w := waitFor(t, "a 404 once the database answers", serve(s, httptest.NewRequest(http.MethodGet, "/no-such-story/", nil))); !strings.Contains(w.Body.String(), `href="/story/"`) {
			t.Errorf("honour %v: the 404 page rendered while the database hung is still served without the latest articles", honour)
		}
	}
}

// panickingStore panics in FindArticles, as a bug in a render might.
type panickingStore struct{ Store }

func (panickingStore) FindArticles(context.Context, byline.ArticleFilter) ([]*byline.Article, error) {
	panic("a bug in the render")
}

// TestPanicInSharedRender: a panic in a render that readers share is that render's error,
// a logged 500, and the server goes on (a panic in singleflight's DoChan would end the
// process).
func TestPanicInSharedRender(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	var logs strings.Builder
	s, err := New(Config{Store: panickingStore{db}, BaseURL: "http://news.test", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "a bug in the render") {
			t.Errorf("status %d, log %q; want 500 and the panic logged", w.Code, logs.String())
		}
	}
}
