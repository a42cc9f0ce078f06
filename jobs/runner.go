// Package jobs runs the background work kept in the job table (byline.JobStore): scheduled
// publications now, mail and newsletters later. Every node runs a Runner; the store's
// claims make sure that one job runs on one node at a time, and a job survives restarts.
//
// Jobs run at least once, not exactly once: a node that dies, or hangs past its lease, while
// running a job leaves it to be run again by another node. Every Handler must therefore be
// idempotent: running it twice must do no more harm than running it once (publish only an
// article that is still scheduled, send a mail only if it was not sent).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"byline"
)

// Handler does the work of one kind of job. It returns nil when the job is done; an error
// makes the job run again later, with a growing pause, until the Runner's MaxAttempts
// (Permanent(err) gives up at once). It should stop when ctx is done: the node is shutting
// down, the job ran past its time limit, or its lease was lost to another node.
type Handler func(ctx context.Context, job *byline.Job) error

// permanent marks an error that no retry can mend.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps a handler's error to give the job up at once instead of retrying it, as
// when the article to publish no longer exists.
func Permanent(err error) error { return permanent{err} }

// Runner claims due jobs and runs them with the handler of their kind. The zero values of
// its settings are replaced by the defaults named on each.
type Runner struct {
	Store    byline.JobStore
	Handlers map[string]Handler
	// Now is the clock that decides when jobs are due (default time.Now, in UTC).
	Now func() time.Time
	// Poll is the longest pause between looks for due jobs (default 1s); the runner wakes
	// sooner when it knows a job is due sooner.
	Poll time.Duration
	// Lease is how long a claim holds a job (default 1 minute); it is renewed while the
	// handler runs, so a job may run longer, but a dead node's job waits that long.
	Lease time.Duration
	// Timeout bounds one run of a job (default 5 minutes).
	Timeout time.Duration
	// MaxAttempts is how many runs a job gets before it is given up (default 10).
	MaxAttempts int
	// Concurrency is how many jobs this node runs at once (default 4).
	Concurrency int
	// Grace is how long Run, once told to stop, waits for running jobs before it cancels
	// them and lets go of them for another node (default 20s; negative: no wait).
	Grace time.Duration
	// Keep is how long done jobs are kept for the record (default 30 days).
	Keep   time.Duration
	Logger *slog.Logger
	// Node names this node in leases (default host name and process id).
	Node string
}

// Backoff is the pause before a failed job's next attempt: 30s after the first failure,
// doubled after each, at most an hour.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// defaults returns a copy of r with its zero settings filled in.
func (r *Runner) defaults() *Runner {
	c := *r
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Grace == 0 {
		c.Grace = 20 * time.Second
	} else if c.Grace < 0 {
		c.Grace = 0
	}
	if c.Keep <= 0 {
		c.Keep = 30 * 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Node == "" {
		host, _ := os.Hostname()
		c.Node = host + ":" + strconv.Itoa(os.Getpid())
	}
	return &c
}

// Run claims and runs due jobs until ctx is done. Then it claims no more, waits up to Grace
// for the jobs running, cancels those still running and lets go of them (another node, or
// this one after a restart, runs them again), and returns nil. Errors of the store are
// logged and retried at the next poll: a database away for a while does not stop the node.
func (r *Runner) Run(ctx context.Context) error {
	c := r.defaults()
	if c.Store == nil {
		return errors.New("jobs: the runner has no store")
	}
	c.Logger.Info("job runner started", "node", c.Node, "kinds", len(c.Handlers), "concurrency", c.Concurrency)
	// Running jobs outlive ctx by the grace period.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	slots := make(chan struct{}, c.Concurrency)
	finished := make(chan struct{}, c.Concurrency)
	var wg sync.WaitGroup
	var lastPurge time.Time
	for ctx.Err() == nil {
		for len(slots) < cap(slots) && ctx.Err() == nil {
			job, err := c.Store.ClaimJob(ctx, c.Node, c.Now(), c.Lease)
			if byline.ErrorCode(err) == byline.ENOTFOUND || ctx.Err() != nil {
				break
			}
			if err != nil {
				c.Logger.Error("claim a job", "err", err)
				break
			}
			slots <- struct{}{}
			wg.Go(func() {
				defer func() {
					<-slots
					select {
					case finished <- struct{}{}:
					default:
					}
				}()
				c.runJob(jobCtx, job)
			})
		}
		if now := c.Now(); now.Sub(lastPurge) >= time.Hour {
			lastPurge = now
			if n, err := c.Store.PurgeJobs(ctx, now.Add(-c.Keep)); err != nil && ctx.Err() == nil {
				c.Logger.Error("purge done jobs", "err", err)
			} else if n > 0 {
				c.Logger.Info("purged done jobs", "count", n, "done_before", now.Add(-c.Keep))
			}
		}
		wait := c.Poll
		if len(slots) < cap(slots) {
			if at, ok, err := c.Store.NextJobAt(ctx); err == nil && ok {
				// Not less than a hundredth of the poll: a job due but taken by another node
				// in between must not make this loop spin.
				wait = min(wait, max(at.Sub(c.Now()), c.Poll/100))
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-finished:
		}
		t.Stop()
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	grace := time.NewTimer(c.Grace)
	defer grace.Stop()
	select {
	case <-stopped:
	case <-grace.C:
		c.Logger.Warn("jobs still running after the grace period: cancelling them for another node to run", "grace", c.Grace)
		cancelJobs()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			// A handler that ignores its context keeps its lease only until the lease ends.
			c.Logger.Error("a job handler did not stop when cancelled: leaving it to its lease's end")
		}
	}
	c.Logger.Info("job runner stopped", "node", c.Node)
	return nil
}

// runJob runs one claimed job and records how it ended. ctx is cancelled only when the
// runner gives up waiting for it at shutdown.
func (r *Runner) runJob(ctx context.Context, job *byline.Job) {
	log := r.Logger.With("job", job.ID, "kind", job.Kind, "key", job.Key, "attempt", job.Attempts)
	runCtx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	// Renew the lease while the handler runs; a lease lost cancels the run.
	renewed := make(chan struct{})
	stopRenew := make(chan struct{})
	lost := false
	go func() {
		defer close(renewed)
		tick := time.NewTicker(r.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-stopRenew:
				return
			case <-runCtx.Done():
				// Past its time limit, a handler that does not stop loses its lease.
				return
			case <-tick.C:
			}
			err := r.Store.ExtendJobLease(runCtx, job, r.Now().Add(r.Lease))
			if byline.ErrorCode(err) == byline.ECONFLICT {
				log.Warn("lost the job's lease: stopping it", "err", err)
				lost = true
				cancel()
				return
			}
			if err != nil && runCtx.Err() == nil {
				log.Error("renew the job's lease", "err", err)
			}
		}
	}()
	start := time.Now()
	err := r.call(runCtx, job)
	close(stopRenew)
	<-renewed
	// The outcome is recorded even while shutting down.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	took := time.Since(start).Round(time.Millisecond)
	switch {
	case lost:
		return
	case err == nil:
		if err := r.Store.CompleteJob(sctx, job, r.Now()); byline.ErrorCode(err) == byline.ECONFLICT {
			// Cancelled while it ran (an article unscheduled), or its lease ran out.
			log.Warn("job finished, but it was cancelled or taken by another node meanwhile", "err", err, "took", took)
			return
		} else if err != nil {
			log.Error("record the job as done", "err", err)
			return
		}
		log.Info("job done", "took", took)
	case ctx.Err() != nil:
		// Cancelled at shutdown: not the job's fault, and not an attempt.
		if err := r.Store.ReleaseJob(sctx, job); err != nil {
			log.Error("let go of the job", "err", err)
			return
		}
		log.Warn("job stopped by the shutdown: let go for another node", "took", took)
	default:
		if errors.Is(err, context.DeadlineExceeded) && runCtx.Err() != nil {
			err = fmt.Errorf("the job ran past its time limit of %s: %w", r.Timeout, err)
		}
		var retryAt time.Time
		var p permanent
		giveUp := errors.As(err, &p) || job.Attempts >= r.MaxAttempts
		if !giveUp {
			retryAt = r.Now().Add(Backoff(job.Attempts))
		}
		if serr := r.Store.FailJob(sctx, job, r.Now(), err.Error(), retryAt); serr != nil {
			log.Error("record the job's failure", "err", serr, "job_err", err)
			return
		}
		if giveUp {
			log.Error("job failed: given up", "err", err, "took", took)
		} else {
			log.Warn("job failed: will retry", "err", err, "retry_at", retryAt, "took", took)
		}
	}
}

// call runs the job's handler, turning a missing handler and a panic into errors.
func (r *Runner) call(ctx context.Context, job *byline.Job) (err error) {
	h, ok := r.Handlers[job.Kind]
	if !ok || h == nil {
		// Retried like any failure: during a rolling upgrade a newer node may know the kind.
		return fmt.Errorf("no handler for jobs of kind %q on node %s", job.Kind, r.Node)
	}
	defer func() {
		if p := recover(); p != nil {
			r.Logger.Error("job handler panicked", "job", job.ID, "kind", job.Kind, "key", job.Key, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("the %s handler panicked: %v", job.Kind, p)
		}
	}()
	j := *job // the handler cannot change what the runner records
	return h(ctx, &j)
}
