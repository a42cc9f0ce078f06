package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
	"byline/jobs"
	"byline/store"
	"byline/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// counter counts the runs of each key.
type counter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (c *counter) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]int{}
	}
	c.runs[key]++
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[key]
}

func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.runs {
		n += v
	}
	return n
}

// handler counts each run and succeeds.
func (c *counter) handler(ctx context.Context, j *byline.Job) error {
	c.add(j.Key)
	return nil
}

// runner returns a runner on db with the test's settings: a fast poll and the clock.
func runner(t *testing.T, db byline.JobStore, c *clock, node string, handlers map[string]jobs.Handler) *jobs.Runner {
	return &jobs.Runner{Store: db, Handlers: handlers, Now: c.Now, Poll: 5 * time.Millisecond, Node: node,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
}

// start runs r until the returned stop is called (or the test ends); stop waits for Run.
func start(t *testing.T, r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("run: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("the runner did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor waits until cond holds, failing the test at a deadline far beyond any expected wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// job returns the job with the key that is not done, or nil.
func job(t *testing.T, db *store.DB, key string) *byline.Job {
	t.Helper()
	j, err := db.FindJobByKey(context.Background(), key)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// open opens a second store on the same database, as a second node does.
func open(t *testing.T, url string) *store.DB {
	db, err := store.Open(context.Background(), url, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRunnersRunEachJobOnce: two nodes on one database race over 200 due jobs; every job
// runs exactly once.
func TestRunnersRunEachJobOnce(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			db1, db2 := open(t, url), open(t, url)
			ctx := context.Background()
			for i := range 200 {
				if _, err := db1.EnqueueJob(ctx, "count", fmt.Sprint("count:", i), "", t0.Add(-time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			c, runs := newClock(), &counter{}
			var byNode [2]counter
			h := func(n int) jobs.Handler {
				return func(ctx context.Context, j *byline.Job) error {
					byNode[n].add("")
					return runs.handler(ctx, j)
				}
			}
			stop1 := start(t, runner(t, db1, c, "node-1", map[string]jobs.Handler{"count": h(0)}))
			stop2 := start(t, runner(t, db2, c, "node-2", map[string]jobs.Handler{"count": h(1)}))
			waitFor(t, "200 jobs done", func() bool {
				done, err := db1.FindJobs(ctx, byline.JobFilter{Done: true, Limit: 1000})
				return err == nil && len(done) == 200
			})
			stop1()
			stop2()
			for i := range 200 {
				if n := runs.get(fmt.Sprint("count:", i)); n != 1 {
					t.Errorf("count:%d ran %d times, want 1", i, n)
				}
			}
			if n := runs.total(); n != 200 {
				t.Errorf("%d runs, want 200", n)
			}
			t.Logf("node-1 ran %d, node-2 ran %d", byNode[0].total(), byNode[1].total())
		})
	}
}

// TestHungNodeJobRunsElsewhere: a node that stops answering while it runs a job (its lease
// no longer renewed) leaves the job to another node once the lease has expired; when the
// first node wakes, it cannot mark the job as its own.
func TestHungNodeJobRunsElsewhere(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			db1, db2 := open(t, url), open(t, url)
			ctx := context.Background()
			if _, err := db1.EnqueueJob(ctx, "publish", "publish:42", "", t0); err != nil {
				t.Fatal(err)
			}
			c, runs := newClock(), &counter{}
			started, wake := make(chan struct{}), make(chan struct{})
			hung := runner(t, db1, c, "hung", map[string]jobs.Handler{"publish": func(ctx context.Context, j *byline.Job) error {
				close(started)
				<-wake // deaf to its context, as a stuck process is
				return nil
			}})
			hung.Concurrency = 1 // all its workers stuck
			stopHung := start(t, hung)
			<-started
			stopOther := start(t, runner(t, db2, c, "other", map[string]jobs.Handler{"publish": runs.handler}))
			if _, err := db2.ClaimJob(ctx, "probe", c.Now().Add(59*time.Second), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
				t.Fatalf("a claim within the lease: got %v, want not found", err)
			}
			c.Add(time.Minute + time.Second)
			waitFor(t, "the other node to run the job", func() bool { return runs.get("publish:42") == 1 })
			waitFor(t, "the job done", func() bool { return job(t, db1, "publish:42") == nil })
			close(wake)
			stopHung()
			stopOther()
			done, _ := db1.FindJobs(ctx, byline.JobFilter{Done: true})
			if len(done) != 1 || done[0].Attempts != 2 {
				t.Fatalf("done jobs: got %+v, want one with 2 attempts", done)
			}
		})
	}
}

// TestRestartRunsOverdueJobs: jobs enqueued before a stop, one of them claimed by a node
// that died, run once each after the store is opened again.
func TestRestartRunsOverdueJobs(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			ctx := context.Background()
			before, err := store.Open(ctx, url, true)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				before.EnqueueJob(ctx, "publish", fmt.Sprint("publish:", i), "", t0.Add(time.Duration(i)*time.Minute))
			}
			before.EnqueueJob(ctx, "publish", "publish:tomorrow", "", t0.Add(24*time.Hour))
			if _, err := before.ClaimJob(ctx, "died", t0, time.Minute); err != nil {
				t.Fatal(err)
			}
			before.Close()

			db := open(t, url)
			c, runs := newClock(), &counter{}
			c.Add(10 * time.Minute) // down for ten minutes
			stop := start(t, runner(t, db, c, "after", map[string]jobs.Handler{"publish": runs.handler}))
			waitFor(t, "the overdue jobs", func() bool { return runs.total() >= 3 })
			stop()
			for i := range 3 {
				if n := runs.get(fmt.Sprint("publish:", i)); n != 1 {
					t.Errorf("publish:%d ran %d times, want 1", i, n)
				}
			}
			if runs.get("publish:tomorrow") != 0 || job(t, db, "publish:tomorrow") == nil {
				t.Error("tomorrow's job ran today")
			}
		})
	}
}

// TestFailureBackoffGiveUp: a failing job is retried after 30s, then 60s, and given up at
// the last attempt, kept as failed; a permanent error gives up at once.
func TestFailureBackoffGiveUp(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "mail", "mail:1", "", t0)
		db.EnqueueJob(ctx, "gone", "gone:1", "", t0)
		c, runs := newClock(), &counter{}
		r := runner(t, db, c, "n", map[string]jobs.Handler{
			"mail": func(ctx context.Context, j *byline.Job) error {
				runs.add(j.Key)
				return errors.New("the mail server said no")
			},
			"gone": func(ctx context.Context, j *byline.Job) error {
				runs.add(j.Key)
				return jobs.Permanent(byline.Errorf(byline.ENOTFOUND, "No such article."))
			},
		})
		r.MaxAttempts = 3
		start(t, r)
		settled := func(key string, attempts int) func() bool {
			return func() bool {
				j := job(t, db, key)
				return j != nil && j.Attempts == attempts && j.LeaseHolder == ""
			}
		}
		waitFor(t, "the first failure", settled("mail:1", 1))
		// Before the clock moves past the lease: a run still in hand would be taken again.
		waitFor(t, "the permanent failure", func() bool { j := job(t, db, "gone:1"); return j != nil && !j.FailedAt.IsZero() })
		j := job(t, db, "mail:1")
		if !j.RunAt.Equal(t0.Add(30*time.Second)) || j.LastError != "the mail server said no" || j.State(c.Now()) != byline.JobPending {
			t.Fatalf("after one failure: got %+v, want a retry at %v", j, t0.Add(30*time.Second))
		}
		c.Add(30 * time.Second)
		waitFor(t, "the second failure", settled("mail:1", 2))
		if j := job(t, db, "mail:1"); !j.RunAt.Equal(t0.Add(90 * time.Second)) {
			t.Fatalf("after two failures: retry at %v, want %v", j.RunAt, t0.Add(90*time.Second))
		}
		c.Add(time.Minute)
		waitFor(t, "the job given up", func() bool { j := job(t, db, "mail:1"); return j != nil && !j.FailedAt.IsZero() })
		c.Add(24 * time.Hour)
		if _, err := db.ClaimJob(ctx, "probe", c.Now(), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("a given-up job is claimed again: %v", err)
		}
		if n, g := runs.get("mail:1"), runs.get("gone:1"); n != 3 || g != 1 {
			t.Fatalf("runs: mail %d, gone %d; want 3 and 1", n, g)
		}
		if j := job(t, db, "gone:1"); j.State(c.Now()) != byline.JobFailed || !strings.Contains(j.LastError, "No such article.") {
			t.Fatalf("permanent failure: got %+v", j)
		}
	})
}

// TestUnknownKindAndPanic: a job no handler knows fails with a message naming its kind, and
// a handler's panic is a failure recorded with the job; neither is marked done nor stops the
// runner.
func TestUnknownKindAndPanic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "mystery", "mystery:1", "", t0)
		db.EnqueueJob(ctx, "boom", "boom:1", "", t0)
		db.EnqueueJob(ctx, "publish", "publish:1", "", t0)
		c, runs := newClock(), &counter{}
		start(t, runner(t, db, c, "n", map[string]jobs.Handler{
			"boom":    func(ctx context.Context, j *byline.Job) error { panic("index out of range") },
			"publish": runs.handler,
		}))
		for _, key := range []string{"mystery:1", "boom:1"} {
			waitFor(t, key+" to fail", func() bool { j := job(t, db, key); return j != nil && j.Attempts == 1 && j.LeaseHolder == "" })
		}
		waitFor(t, "the good job", func() bool { return runs.get("publish:1") == 1 })
		if j := job(t, db, "mystery:1"); !strings.Contains(j.LastError, `no handler for jobs of kind "mystery"`) || !j.RunAt.Equal(t0.Add(30*time.Second)) {
			t.Errorf("unknown kind: got %+v", j)
		}
		if j := job(t, db, "boom:1"); !strings.Contains(j.LastError, "panicked: index out of range") {
			t.Errorf("panic: got %+v", j)
		}
	})
}

// TestShutdown: a runner told to stop lets a job finish within the grace period, and lets go
// of one that does not (cancelled, not counted as an attempt), for another node to run now.
func TestShutdown(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "slow", "slow:1", "", t0)
		c := newClock()
		started, finish := make(chan struct{}), make(chan struct{})
		r := runner(t, db, c, "n", map[string]jobs.Handler{"slow": func(ctx context.Context, j *byline.Job) error {
			close(started)
			<-finish
			return nil
		}})
		r.Grace = time.Minute
		stop := start(t, r)
		<-started
		go func() { time.Sleep(10 * time.Millisecond); close(finish) }()
		stop()
		if done, _ := db.FindJobs(ctx, byline.JobFilter{Done: true}); len(done) != 1 {
			t.Fatalf("a job finishing within the grace: %d done, want 1", len(done))
		}

		db.EnqueueJob(ctx, "stuck", "stuck:1", "", t0)
		started = make(chan struct{})
		r = runner(t, db, c, "n", map[string]jobs.Handler{"stuck": func(ctx context.Context, j *byline.Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}})
		r.Grace = -1
		stop = start(t, r)
		<-started
		stop()
		j := job(t, db, "stuck:1")
		if j == nil || j.LeaseHolder != "" || j.Attempts != 0 || j.LastError != "" || !j.RunAt.Equal(t0) {
			t.Fatalf("a job cancelled at shutdown: got %+v, want it let go, due now, no attempt counted", j)
		}
		if _, err := db.ClaimJob(ctx, "next", c.Now(), time.Minute); err != nil {
			t.Fatalf("another node claims the job let go: %v", err)
		}
	})
}

// TestTimeout: a run past the time limit is cancelled and recorded as a failure.
func TestTimeout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.EnqueueJob(context.Background(), "slow", "slow:1", "", t0)
		r := runner(t, db, newClock(), "n", map[string]jobs.Handler{"slow": func(ctx context.Context, j *byline.Job) error {
			<-ctx.Done()
			return ctx.Err()
		}})
		r.Timeout = 20 * time.Millisecond
		start(t, r)
		waitFor(t, "the failure", func() bool { j := job(t, db, "slow:1"); return j != nil && j.LastError != "" && j.LeaseHolder == "" })
		if j := job(t, db, "slow:1"); !strings.Contains(j.LastError, "ran past its time limit of 20ms") || j.Attempts != 1 {
			t.Fatalf("got %+v", j)
		}
	})
}

// TestBackoff: 30s doubled per failure, at most an hour.
func TestBackoff(t *testing.T) {
	for attempts, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: time.Hour, 1000: time.Hour} {
		if got := jobs.Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}
