package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"byline"
)

// jobColumns are read by scanJob, in its order.
const jobColumns = `id, kind, key, payload, run_at, attempts, last_error, lease_holder, lease_token,
	lease_until, version, created_at, done_at, failed_at`

// pendingJob is the condition of a job that may be claimed once due and its lease is free.
const pendingJob = `done_at IS NULL AND failed_at IS NULL`

func scanJob(row interface{ Scan(...any) error }) (*byline.Job, error) {
	var j byline.Job
	var leaseUntil, doneAt, failedAt sql.NullTime
	if err := row.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &j.RunAt, &j.Attempts, &j.LastError, &j.LeaseHolder, &j.Lease,
		&leaseUntil, &j.Version, &j.CreatedAt, &doneAt, &failedAt); err != nil {
		return nil, err
	}
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
	if leaseUntil.Valid {
		j.LeaseUntil = leaseUntil.Time.UTC()
	}
	if doneAt.Valid {
		j.DoneAt = doneAt.Time.UTC()
	}
	if failedAt.Valid {
		j.FailedAt = failedAt.Time.UTC()
	}
	return &j, nil
}

// jobTime is t in UTC, to the microsecond both engines keep.
func jobTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// EnqueueJob adds a job, or updates the job with its key that is not done yet (see
// byline.JobStore).
func (db *DB) EnqueueJob(ctx context.Context, kind, key, payload string, runAt time.Time) (*byline.Job, error) {
	if err := byline.CheckJob(kind, key, payload); err != nil {
		return nil, err
	}
	if runAt.IsZero() {
		return nil, byline.Errorf(byline.EINVALID, "A job needs a time to run at.")
	}
	var j *byline.Job
	err := db.inTx(ctx, func(tx *tx) error {
		var id int64
		// The partial unique index allows one job per key among those not done; the upsert
		// names it by its condition.
		err := tx.QueryRowContext(ctx, `INSERT INTO jobs (kind, key, payload, run_at, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (key) WHERE done_at IS NULL DO UPDATE SET
				kind = excluded.kind, payload = excluded.payload, run_at = excluded.run_at,
				attempts = 0, last_error = '', failed_at = NULL, version = jobs.version + 1
			RETURNING id`, kind, key, payload, jobTime(runAt), db.now()).Scan(&id)
		if err != nil {
			return db.dialect.classify(err, "job")
		}
		j, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
		return db.dialect.classify(err, "job")
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue job %q: %w", key, err)
	}
	return j, nil
}

// CancelJob deletes the job with the key that is not done yet, if any.
func (db *DB) CancelJob(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx *tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE key = $1 AND done_at IS NULL`, key)
		return db.dialect.classify(err, "job")
	})
}

// FindJobByKey returns the job with the key that is not done yet.
func (db *DB) FindJobByKey(ctx context.Context, key string) (*byline.Job, error) {
	j, err := scanJob(db.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE key = $1 AND done_at IS NULL`, key))
	if err != nil {
		return nil, db.dialect.classify(err, "job")
	}
	return j, nil
}

// FindJobs lists jobs done, newest first, or not done, soonest due first.
func (db *DB) FindJobs(ctx context.Context, f byline.JobFilter) ([]*byline.Job, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	where, order := `done_at IS NULL`, `run_at, id`
	if f.Done {
		where, order = `done_at IS NOT NULL`, `done_at DESC, id DESC`
	}
	args := []any{limit}
	if f.Kind != "" {
		where += ` AND kind = $2`
		args = append(args, f.Kind)
	}
	return collect(ctx, db, "find jobs", scanJob, `SELECT `+jobColumns+` FROM jobs WHERE `+where+` ORDER BY `+order+` LIMIT $1`, args...)
}

// ClaimJob takes the job due soonest for node. On PostgreSQL the row is picked with FOR
// UPDATE SKIP LOCKED, so nodes claiming at once take different jobs instead of waiting for
// each other; on SQLite the write lock, taken at BEGIN by every process, makes the UPDATE
// the only one running.
func (db *DB) ClaimJob(ctx context.Context, node string, now time.Time, lease time.Duration) (*byline.Job, error) {
	if lease <= 0 {
		return nil, byline.Errorf(byline.EINVALID, "A job's lease must be longer than nothing.")
	}
	now = jobTime(now)
	lock := ""
	if db.dialect.name() == "postgres" {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	token, err := leaseToken()
	if err != nil {
		return nil, err
	}
	var j *byline.Job
	err = db.inTx(ctx, func(tx *tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE jobs SET lease_holder = $1, lease_token = $2, lease_until = $3, attempts = attempts + 1
			WHERE id = (SELECT id FROM jobs WHERE `+pendingJob+` AND run_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
				ORDER BY run_at, id LIMIT 1`+lock+`)
			RETURNING id`, node, token, jobTime(now.Add(lease)), now).Scan(&id)
		if err != nil {
			return db.dialect.classify(err, "due job")
		}
		j, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
		return db.dialect.classify(err, "job")
	})
	if err != nil {
		if byline.ErrorCode(err) == byline.ENOTFOUND {
			return nil, err
		}
		return nil, fmt.Errorf("claim a job: %w", err)
	}
	return j, nil
}

func leaseToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("make a lease token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// errLeaseLost answers a runner finishing a job it no longer holds.
func errLeaseLost(j *byline.Job) error {
	return byline.Errorf(byline.ECONFLICT, "The job %q is no longer held by this claim: its lease expired and another node took it, or it was cancelled.", j.Key)
}

// claimed runs an UPDATE of the job j as claimed (its lease token must still be the one),
// first with the condition that its key was not enqueued again since, and when that changed
// nothing, as update instead. It reports ECONFLICT when the lease was lost.
func (db *DB) claimed(ctx context.Context, j *byline.Job, update string, args []any, instead string, insteadArgs []any) error {
	return db.inTx(ctx, func(tx *tx) error {
		n := len(args)
		res, err := tx.ExecContext(ctx, update+fmt.Sprintf(` WHERE id = $%d AND lease_token = $%d AND version = $%d`, n+1, n+2, n+3),
			append(args, j.ID, j.Lease, j.Version)...)
		if err != nil {
			return db.dialect.classify(err, "job")
		}
		if changed, err := res.RowsAffected(); err != nil || changed == 1 {
			return err
		}
		n = len(insteadArgs)
		res, err = tx.ExecContext(ctx, instead+fmt.Sprintf(` WHERE id = $%d AND lease_token = $%d`, n+1, n+2),
			append(insteadArgs, j.ID, j.Lease)...)
		if err != nil {
			return db.dialect.classify(err, "job")
		}
		if changed, err := res.RowsAffected(); err != nil || changed == 1 {
			return err
		}
		return errLeaseLost(j)
	})
}

// letGo is the update that frees a job's lease.
const letGo = `UPDATE jobs SET lease_holder = '', lease_token = '', lease_until = NULL`

// ExtendJobLease moves the end of a claimed job's lease.
func (db *DB) ExtendJobLease(ctx context.Context, j *byline.Job, until time.Time) error {
	until = jobTime(until)
	return db.inTx(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_token = $3`, until, j.ID, j.Lease)
		if err != nil {
			return db.dialect.classify(err, "job")
		}
		if changed, err := res.RowsAffected(); err != nil || changed == 1 {
			j.LeaseUntil = until
			return err
		}
		return errLeaseLost(j)
	})
}

// CompleteJob marks a claimed job done, unless its key was enqueued again meanwhile.
func (db *DB) CompleteJob(ctx context.Context, j *byline.Job, now time.Time) error {
	return db.claimed(ctx, j,
		letGo+`, done_at = $1, last_error = ''`, []any{jobTime(now)},
		letGo, nil)
}

// FailJob records a failed run of a claimed job, to be retried at retryAt or, when retryAt
// is zero, given up.
func (db *DB) FailJob(ctx context.Context, j *byline.Job, now time.Time, msg string, retryAt time.Time) error {
	msg = cutError(msg)
	if retryAt.IsZero() {
		return db.claimed(ctx, j,
			letGo+`, last_error = $1, failed_at = $2`, []any{msg, jobTime(now)},
			letGo+`, last_error = $1`, []any{msg})
	}
	return db.claimed(ctx, j,
		letGo+`, last_error = $1, run_at = $2`, []any{msg, jobTime(retryAt)},
		letGo+`, last_error = $1`, []any{msg})
}

// ReleaseJob lets go of a claimed job without counting its attempt.
func (db *DB) ReleaseJob(ctx context.Context, j *byline.Job) error {
	return db.claimed(ctx, j,
		letGo+`, attempts = attempts - 1`, nil,
		letGo, nil)
}

// cutError keeps an error message within byline.MaxJobError bytes of valid UTF-8 text.
func cutError(msg string) string {
	msg = strings.ToValidUTF8(strings.ReplaceAll(msg, "\x00", ""), "\uFFFD")
	if len(msg) <= byline.MaxJobError {
		return msg
	}
	cut := byline.MaxJobError - len("…")
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// NextJobAt returns when a pending job may next be claimed. The pending jobs are few (the
// scheduled ones and those waiting for a retry), so ordering them all costs little.
func (db *DB) NextJobAt(ctx context.Context) (time.Time, bool, error) {
	var runAt time.Time
	var leaseUntil sql.NullTime
	err := db.queryRow(ctx, `SELECT run_at, lease_until FROM jobs WHERE `+pendingJob+`
		ORDER BY CASE WHEN lease_until IS NOT NULL AND lease_until > run_at THEN lease_until ELSE run_at END LIMIT 1`).
		Scan(&runAt, &leaseUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("find the next job: %w", err)
	}
	at := runAt.UTC()
	if leaseUntil.Valid && leaseUntil.Time.After(at) {
		at = leaseUntil.Time.UTC()
	}
	return at, true, nil
}

// PurgeJobs deletes jobs done before the time.
func (db *DB) PurgeJobs(ctx context.Context, doneBefore time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < $1`, jobTime(doneBefore))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purge done jobs: %w", err)
	}
	return int(n), nil
}

var _ byline.JobStore = (*DB)(nil)
