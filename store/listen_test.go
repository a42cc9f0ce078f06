package store

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
)

// pgSchemaURL creates a schema with the given name in the test PostgreSQL and returns a URL
// that uses it; the schema is dropped when the test ends.
func pgSchemaURL(t *testing.T, schema string) string {
	t.Helper()
	base := os.Getenv("BYLINE_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("BYLINE_TEST_POSTGRES_URL is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	quoted := `"` + schema + `"`
	if _, err := admin.Exec(`CREATE SCHEMA ` + quoted); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", base); err == nil {
			admin.Exec(`DROP SCHEMA ` + quoted + ` CASCADE`)
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestLongSchemaName: a schema name longer than PostgreSQL's channel limit (63 bytes) must
// not make pg_notify, and with it every write, fail; the listener still hears changes.
func TestLongSchemaName(t *testing.T) {
	schema := "newsroom_" + strings.Repeat("x", 54) // 63 bytes: the longest name PostgreSQL keeps
	u := pgSchemaURL(t, schema)
	ctx := context.Background()
	db, err := Open(ctx, u, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if len(db.channel) > 63 {
		t.Errorf("channel %q is %d bytes, over PostgreSQL's 63", db.channel, len(db.channel))
	}
	other, err := Open(ctx, u, false)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	waitFor(t, "the listener", func() bool { _, ok := db.listener.revision(time.Now()); return ok })
	before, _ := db.listener.revision(time.Now())
	a := &byline.Article{Slug: "s", Title: "T", Body: "b", Status: byline.StatusPublished,
		Visibility: byline.VisibilityPublic, PublishedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := other.SaveArticle(ctx, a, nil); err != nil {
		t.Fatalf("save with a long schema name: %v", err)
	}
	waitFor(t, "the notification", func() bool { rev, ok := db.listener.revision(time.Now()); return ok && rev > before })
}

// freezingProxy relays TCP connections to target until frozen: then the connections it has
// stop carrying bytes either way, as a half-open connection does, while new ones work.
type freezingProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	frozen chan struct{} // closed when the current connections freeze
	conns  int
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezingProxy{ln: ln, target: target, frozen: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns++
			frozen := p.frozen
			p.mu.Unlock()
			go p.relay(c, frozen)
		}
	}()
	return p
}

func (p *freezingProxy) relay(c net.Conn, frozen chan struct{}) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			select {
			case <-frozen:
				<-make(chan struct{}) // hold the connection open, carry nothing
			default:
			}
			if n > 0 {
				dst.Write(buf[:n])
			}
			if err != nil {
				if err != io.EOF {
					dst.Close()
				}
				dst.Close()
				return
			}
		}
	}
	go pipe(up, c)
	go pipe(c, up)
}

// freeze stops the connections open now; later connections relay as usual.
func (p *freezingProxy) freeze() {
	p.mu.Lock()
	close(p.frozen)
	p.frozen = make(chan struct{})
	p.mu.Unlock()
}

func (p *freezingProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// TestListenerLeavesAHalfOpenConnection: when the listening connection stops answering
// without closing, the listener's confirm query gives up after its deadline and the
// listener connects again, instead of waiting for the kernel's timeout (many minutes).
func TestListenerLeavesAHalfOpenConnection(t *testing.T) {
	u, err := url.Parse(pgSchemaURL(t, "listen_halfopen"))
	if err != nil {
		t.Fatal(err)
	}
	p := newFreezingProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	ctx := context.Background()
	listenTimeout = 500 * time.Millisecond
	defer func() { listenTimeout = 5 * time.Second }()
	db, err := Open(ctx, u.String(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, "the listener", func() bool { _, ok := db.listener.revision(time.Now()); return ok })
	before := p.connections()
	p.freeze()
	// Confirmed revisions stop: ContentRevision asks the database meanwhile.
	waitFor(t, "the listener to notice", func() bool { _, ok := db.listener.revision(time.Now()); return !ok })
	// And the listener connects again and listens.
	waitFor(t, "the listener to reconnect", func() bool {
		_, ok := db.listener.revision(time.Now())
		return ok && p.connections() > before
	})
}

// TestRevisionQueryHasADeadline: when the database hangs (here, the revision's table locked
// by another session), ContentRevision gives up after its deadline, so that pages can be
// served from the cache instead of every reader waiting.
func TestRevisionQueryHasADeadline(t *testing.T) {
	u := pgSchemaURL(t, "revision_deadline")
	ctx := context.Background()
	db, err := Open(ctx, u, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	revisionTimeout = 300 * time.Millisecond
	defer func() { revisionTimeout = 5 * time.Second }()
	locker, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	tx, err := locker.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`LOCK TABLE content_revision IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	// The listener cannot confirm either; once its last confirmation is a second old, the
	// revision is asked of the database, which hangs.
	waitFor(t, "the listener to stop vouching", func() bool { _, ok := db.listener.revision(time.Now()); return !ok })
	done := make(chan error, 1)
	go func() { _, err := db.ContentRevision(ctx); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("ContentRevision answered from a locked table")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ContentRevision waited for the locked table past its deadline")
	}
}
