package publishing_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/jobs"
	"byline/markdown"
	"byline/publishing"
	"byline/store"
	"byline/store/storetest"
)

// testClock is a clock the test moves, shared by nodes.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func openNode(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// runNode runs a job runner with the publication handler on db until the test ends.
func runNode(t *testing.T, db *store.DB, clock *testClock, node string) (stop func()) {
	an := &publishing.Announcer{Store: db, Audit: db, Now: clock.Now}
	r := &jobs.Runner{Store: db, Handlers: map[string]jobs.Handler{publishing.PublishJob: an.Run}, Now: clock.Now,
		Poll: 5 * time.Millisecond, Node: node, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// announced counts the audit lines that say the article went live.
func announced(t *testing.T, db *store.DB, title string) int {
	t.Helper()
	entries, err := db.FindAudit(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == "publication went live" && strings.HasPrefix(e.Subject, title+" ") {
			n++
		}
	}
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestScheduledPublicationOnceOnTwoNodes: an article scheduled on one node becomes visible
// at its time and its publication is announced exactly once while two nodes run jobs on the
// same database; rescheduling moves the job, and nothing is announced early.
func TestScheduledPublicationOnceOnTwoNodes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			a1, a2 := openNode(t, url), openNode(t, url)
			clock := &testClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
			a1.Now, a2.Now = clock.Now, clock.Now
			desk := &publishing.Desk{Store: a1, Markdown: markdown.New(), Audit: a1, Scheduler: &publishing.JobScheduler{Jobs: a1}, Now: clock.Now}
			ed := publishing.Who{Staff: mustStaff(t, a1, byline.RoleEditor, "Claire Editor")}
			runNode(t, a1, clock, "node-1")
			runNode(t, a2, clock, "node-2")

			ctx := context.Background()
			a, err := desk.Create(ctx, ed, publishing.Edit{Title: "Budget vote", Body: "Text."})
			if err != nil {
				t.Fatal(err)
			}
			at := clock.Now().Add(2 * time.Hour)
			if a, err = desk.Publish(ctx, ed, a.ID, a.Version, publishing.EditOf(a), at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			// Rescheduled earlier: one job, at the new time.
			if a, err = desk.Publish(ctx, ed, a.ID, a.Version, publishing.EditOf(a), at); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // the runners poll many times: nothing is due
			if n := announced(t, a1, "Budget vote"); n != 0 {
				t.Fatalf("announced %d times before its time", n)
			}
			clock.Set(at.Add(time.Second))
			waitUntil(t, "the publication's announcement", func() bool { return announced(t, a1, "Budget vote") > 0 })
			if got, _ := a2.FindArticleBySlug(ctx, "budget-vote"); !got.Visible(clock.Now()) {
				t.Fatal("not visible at its time on the other node")
			}
			time.Sleep(50 * time.Millisecond)
			if n := announced(t, a1, "Budget vote"); n != 1 {
				t.Fatalf("announced %d times, want exactly 1", n)
			}
			// Running the handler again (a retry after a crash) announces nothing more.
			an := &publishing.Announcer{Store: a2, Audit: a2, Now: clock.Now}
			if err := an.Run(ctx, &byline.Job{Kind: publishing.PublishJob, Key: "publish:" + strconv.FormatInt(a.ID, 10)}); err != nil {
				t.Fatal(err)
			}
			if n := announced(t, a1, "Budget vote"); n != 1 {
				t.Fatalf("after a second run: announced %d times, want 1", n)
			}
		})
	}
}

// TestScheduledPublicationAcrossRestart: the only node stops before the publish time and
// starts again after it; the overdue publication is announced once.
func TestScheduledPublicationAcrossRestart(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			db := openNode(t, url)
			clock := &testClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
			db.Now = clock.Now
			desk := &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Scheduler: &publishing.JobScheduler{Jobs: db}, Now: clock.Now}
			ed := publishing.Who{Staff: mustStaff(t, db, byline.RoleEditor, "Claire Editor")}
			stop := runNode(t, db, clock, "node-1")
			ctx := context.Background()
			a, err := desk.Create(ctx, ed, publishing.Edit{Title: "Night session", Body: "Text."})
			if err != nil {
				t.Fatal(err)
			}
			at := clock.Now().Add(30 * time.Minute)
			if _, err = desk.Publish(ctx, ed, a.ID, a.Version, publishing.EditOf(a), at); err != nil {
				t.Fatal(err)
			}
			stop()
			db.Close()

			clock.Set(at.Add(6 * time.Hour)) // the node was down past the time
			db2 := openNode(t, url)
			db2.Now = clock.Now
			if n := announced(t, db2, "Night session"); n != 0 {
				t.Fatalf("announced %d times while no node ran", n)
			}
			runNode(t, db2, clock, "node-1-restarted")
			waitUntil(t, "the overdue announcement", func() bool { return announced(t, db2, "Night session") > 0 })
			time.Sleep(50 * time.Millisecond)
			if n := announced(t, db2, "Night session"); n != 1 {
				t.Fatalf("announced %d times, want 1", n)
			}
		})
	}
}
