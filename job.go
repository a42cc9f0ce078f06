package byline

import (
	"context"
	"time"
)

// Job is a piece of background work kept in the database, so that it survives a restart and
// runs on exactly one node at a time: a scheduled publication, later a mail or a newsletter.
// Jobs run at least once: a node that dies while running one leaves it to be run again
// once its lease expires, so every handler must be idempotent (publishing an article that
// is already published does nothing).
type Job struct {
	ID int64
	// Kind picks the handler, such as "publish".
	Kind string
	// Key names the work, such as "publish:42". Among jobs not yet done, a key is unique:
	// enqueuing it again updates that job instead of adding a second one.
	Key string
	// Payload is what the handler needs beyond the key: a little JSON or text.
	Payload string
	// RunAt is when the job is due (or due again, after a failure).
	RunAt time.Time
	// Attempts counts the runs begun since the job was last enqueued.
	Attempts int
	// LastError is the error of the last failed run, "" if none.
	LastError string
	// LeaseHolder names the node running the job; LeaseUntil is when its lease ends, after
	// which any node may run the job again. Both are zero when nobody holds it.
	LeaseHolder string
	LeaseUntil  time.Time
	// Lease is the secret of the claim that holds the job: only that claim may finish it.
	Lease string
	// Version counts the times the key was enqueued: a run that began before the key was
	// enqueued again does not mark the job done, which then runs again at its new time.
	Version   int64
	CreatedAt time.Time
	// DoneAt is when the job succeeded; FailedAt when it was given up after its last
	// failed attempt. Both are zero while the job is pending.
	DoneAt   time.Time
	FailedAt time.Time
}

// The states of a job, as Job.State names them.
const (
	JobPending = "pending" // waiting for its time, or for a retry
	JobRunning = "running" // a node holds its lease
	JobDone    = "done"
	JobFailed  = "failed" // given up after its last attempt; enqueue its key again to retry
)

// State says whether the job is pending, running, done or failed at the time now.
func (j *Job) State(now time.Time) string {
	switch {
	case !j.DoneAt.IsZero():
		return JobDone
	case !j.FailedAt.IsZero():
		return JobFailed
	case j.LeaseHolder != "" && j.LeaseUntil.After(now):
		return JobRunning
	}
	return JobPending
}

// Limits of a job's text.
const (
	MaxJobKind    = 64
	MaxJobKey     = 256
	MaxJobPayload = 64 << 10
	MaxJobError   = 2000 // LastError is cut to this many bytes
)

// CheckJob checks what a job is enqueued with.
func CheckJob(kind, key, payload string) error {
	if kind == "" {
		return Errorf(EINVALID, "A job needs a kind.")
	}
	if err := CheckText("job kind", kind, MaxJobKind); err != nil {
		return err
	}
	if key == "" {
		return Errorf(EINVALID, "A job needs a key.")
	}
	if err := CheckText("job key", key, MaxJobKey); err != nil {
		return err
	}
	if len(payload) > MaxJobPayload {
		return Errorf(EINVALID, "A job's payload is %d bytes long; it can be at most %d.", len(payload), MaxJobPayload)
	}
	return CheckText("job payload", payload, 0)
}

// JobFilter picks jobs to list.
type JobFilter struct {
	// Done lists the jobs done, newest first; otherwise the jobs not done (pending, running
	// and failed), the soonest due first.
	Done bool
	// Kind, when not "", keeps only jobs of that kind.
	Kind string
	// Limit bounds the list; 0 means 100.
	Limit int
}

// JobStore keeps the job table. The desk enqueues with EnqueueJob after its own save (the
// store's transactions stay inside the store): should the save succeed and the enqueue fail,
// the caller reports the error and the editor saves again, which enqueues again; a handler
// finds the article's state for itself, so a job left behind by a failed save does no harm.
//
// The runner's part (ClaimJob to FailJob) takes the time from the caller's clock.
type JobStore interface {
	// EnqueueJob adds a job due at runAt, or, when a job with that key is not done yet,
	// updates it: kind, payload and run time are replaced, its attempts and error cleared, a
	// failed job made pending again. A job running meanwhile finishes its run and is not
	// marked done: it runs again at runAt. It returns the job as stored.
	EnqueueJob(ctx context.Context, kind, key, payload string, runAt time.Time) (*Job, error)
	// CancelJob deletes the job with that key that is not done yet (pending, running or
	// failed). A key with no such job is no error: cancelling twice is the same as once.
	CancelJob(ctx context.Context, key string) error
	// FindJobByKey returns the job with that key that is not done yet; ENOTFOUND if none.
	FindJobByKey(ctx context.Context, key string) (*Job, error)
	// FindJobs lists jobs (see JobFilter).
	FindJobs(ctx context.Context, f JobFilter) ([]*Job, error)

	// ClaimJob takes the job due soonest (due at now, not done, not failed, its lease free
	// or expired) for node, with a lease until now+lease, counting an attempt. Two nodes
	// never claim the same job at once. ENOTFOUND when no job is due.
	ClaimJob(ctx context.Context, node string, now time.Time, lease time.Duration) (*Job, error)
	// ExtendJobLease keeps a claimed job for longer: ECONFLICT when its lease was lost to
	// another node (it expired and the job was claimed again) or the job was cancelled.
	ExtendJobLease(ctx context.Context, j *Job, until time.Time) error
	// CompleteJob marks a claimed job done at now; if its key was enqueued again meanwhile,
	// it only lets go of it. ECONFLICT when the lease was lost.
	CompleteJob(ctx context.Context, j *Job, now time.Time) error
	// FailJob records a failed run of a claimed job: its error, and a retry at retryAt, or,
	// when retryAt is zero, the job given up as failed at now. ECONFLICT when the lease was
	// lost.
	FailJob(ctx context.Context, j *Job, now time.Time, msg string, retryAt time.Time) error
	// ReleaseJob lets go of a claimed job unfinished, as a node shutting down does: it is
	// due again at once elsewhere, and the attempt is not counted. ECONFLICT when the lease
	// was lost.
	ReleaseJob(ctx context.Context, j *Job) error
	// NextJobAt returns when a job may next be claimed (its run time, or its lease's end when
	// later); ok is false when no job is pending.
	NextJobAt(ctx context.Context) (at time.Time, ok bool, err error)
	// PurgeJobs deletes jobs done before the time; it returns how many.
	PurgeJobs(ctx context.Context, doneBefore time.Time) (int, error)
}
