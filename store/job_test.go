package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
	"byline/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// TestEnqueueJob: a key names one job among those not done; enqueuing it again moves it and
// replaces its payload, and once done, the key may be enqueued anew.
func TestEnqueueJob(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		j1, err := db.EnqueueJob(ctx, "publish", "publish:42", `{"article":42}`, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		j2, err := db.EnqueueJob(ctx, "publish", "publish:42", `{"article":42,"v":2}`, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if j2.ID != j1.ID || !j2.RunAt.Equal(t0.Add(2*time.Hour)) || j2.Payload != `{"article":42,"v":2}` || j2.Version != j1.Version+1 {
			t.Fatalf("enqueued again: got %+v, want job %d moved to %v", j2, j1.ID, t0.Add(2*time.Hour))
		}
		if list, err := db.FindJobs(ctx, byline.JobFilter{}); err != nil || len(list) != 1 {
			t.Fatalf("got %d jobs (%v), want 1", len(list), err)
		}
		// Not due before its time.
		if _, err := db.ClaimJob(ctx, "n1", t0.Add(time.Hour), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("claim before the new time: got %v, want not found", err)
		}
		j, err := db.ClaimJob(ctx, "n1", t0.Add(2*time.Hour), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if j.ID != j1.ID || j.Attempts != 1 || j.LeaseHolder != "n1" || j.State(t0.Add(2*time.Hour)) != byline.JobRunning {
			t.Fatalf("claimed %+v", j)
		}
		if err := db.CompleteJob(ctx, j, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindJobByKey(ctx, "publish:42"); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("find a done key: got %v, want not found", err)
		}
		j3, err := db.EnqueueJob(ctx, "publish", "publish:42", "", t0.Add(3*time.Hour))
		if err != nil || j3.ID == j1.ID {
			t.Fatalf("enqueue a done key: got %+v %v, want a new job", j3, err)
		}
		done, err := db.FindJobs(ctx, byline.JobFilter{Done: true})
		if err != nil || len(done) != 1 || done[0].ID != j1.ID || done[0].State(t0) != byline.JobDone {
			t.Fatalf("done jobs: got %v %v, want job %d", done, err, j1.ID)
		}
		// Bad input is refused with a message.
		for _, bad := range [][3]string{{"", "k", ""}, {"publish", "", ""}, {"publish", strings.Repeat("k", 300), ""},
			{"publish", "k", strings.Repeat("p", byline.MaxJobPayload+1)}, {"publish", "k\x00", ""}} {
			if _, err := db.EnqueueJob(ctx, bad[0], bad[1], bad[2], t0); byline.ErrorCode(err) != byline.EINVALID {
				t.Errorf("enqueue %.20q: got %v, want invalid", bad, err)
			}
		}
	})
}

// TestCancelJob: cancelling deletes the pending job of the key, twice is harmless, and a
// done job stays on record.
func TestCancelJob(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.EnqueueJob(ctx, "publish", "publish:1", "", t0); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := db.CancelJob(ctx, "publish:1"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ClaimJob(ctx, "n", t0.Add(time.Hour), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("claim after cancel: got %v, want not found", err)
		}
		db.EnqueueJob(ctx, "publish", "publish:2", "", t0)
		j, err := db.ClaimJob(ctx, "n", t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteJob(ctx, j, t0); err != nil {
			t.Fatal(err)
		}
		db.CancelJob(ctx, "publish:2")
		if done, _ := db.FindJobs(ctx, byline.JobFilter{Done: true}); len(done) != 1 {
			t.Fatalf("a done job was cancelled: %d left, want 1", len(done))
		}
	})
}

// TestJobLease: a claimed job is no one else's until its lease ends; then another claim
// takes it, and the first claim can no longer finish it.
func TestJobLease(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "publish", "publish:7", "", t0)
		a, err := db.ClaimJob(ctx, "a", t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimJob(ctx, "b", t0.Add(59*time.Second), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("claim a leased job: got %v, want not found", err)
		}
		if at, ok, err := db.NextJobAt(ctx); err != nil || !ok || !at.Equal(t0.Add(time.Minute)) {
			t.Fatalf("next job at %v %v %v, want the lease's end %v", at, ok, err, t0.Add(time.Minute))
		}
		b, err := db.ClaimJob(ctx, "b", t0.Add(time.Minute), time.Minute)
		if err != nil || b.ID != a.ID || b.Attempts != 2 || b.LeaseHolder != "b" {
			t.Fatalf("claim an expired lease: got %+v %v", b, err)
		}
		for name, err := range map[string]error{
			"complete": db.CompleteJob(ctx, a, t0.Add(time.Minute)),
			"fail":     db.FailJob(ctx, a, t0.Add(time.Minute), "late", t0.Add(time.Hour)),
			"release":  db.ReleaseJob(ctx, a),
			"extend":   db.ExtendJobLease(ctx, a, t0.Add(time.Hour)),
		} {
			if byline.ErrorCode(err) != byline.ECONFLICT {
				t.Errorf("%s with a lost lease: got %v, want conflict", name, err)
			}
		}
		if err := db.ExtendJobLease(ctx, b, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimJob(ctx, "c", t0.Add(30*time.Minute), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("claim a renewed lease: got %v, want not found", err)
		}
		if err := db.ReleaseJob(ctx, b); err != nil {
			t.Fatal(err)
		}
		c, err := db.ClaimJob(ctx, "c", t0.Add(time.Minute), time.Minute)
		if err != nil || c.Attempts != 2 {
			t.Fatalf("claim a released job: got %+v %v, want its attempt not counted (2)", c, err)
		}
		if err := db.CompleteJob(ctx, c, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := db.NextJobAt(ctx); ok || err != nil {
			t.Fatalf("next job with none pending: %v %v", ok, err)
		}
	})
}

// TestJobEnqueuedWhileRunning: a key enqueued again while its job runs is not marked done by
// that run: it runs again at its new time. A failure meanwhile keeps the new time too.
func TestJobEnqueuedWhileRunning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "publish", "publish:9", "", t0)
		j, err := db.ClaimJob(ctx, "a", t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnqueueJob(ctx, "publish", "publish:9", "", t0.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteJob(ctx, j, t0); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindJobByKey(ctx, "publish:9")
		if err != nil || got.State(t0) != byline.JobPending || !got.RunAt.Equal(t0.Add(24*time.Hour)) || got.LeaseHolder != "" {
			t.Fatalf("got %+v %v, want pending for the new time %v", got, err, t0.Add(24*time.Hour))
		}
		j, err = db.ClaimJob(ctx, "a", t0.Add(24*time.Hour), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		db.EnqueueJob(ctx, "publish", "publish:9", "", t0.Add(48*time.Hour))
		if err := db.FailJob(ctx, j, t0.Add(24*time.Hour), "boom", time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.FindJobByKey(ctx, "publish:9")
		if got.State(t0) != byline.JobPending || !got.RunAt.Equal(t0.Add(48*time.Hour)) || got.LastError != "boom" {
			t.Fatalf("got %+v, want pending for %v with the error", got, t0.Add(48*time.Hour))
		}
	})
}

// TestFailJob: a failure is recorded with its retry time; a job given up is failed, not
// claimed again, listed among the jobs not done, and enqueuing its key revives it. Long
// errors are cut.
func TestFailJob(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.EnqueueJob(ctx, "mail", "mail:1", "", t0)
		j, _ := db.ClaimJob(ctx, "a", t0, time.Minute)
		if err := db.FailJob(ctx, j, t0, strings.Repeat("é", 3000), t0.Add(30*time.Second)); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindJobByKey(ctx, "mail:1")
		if !got.RunAt.Equal(t0.Add(30*time.Second)) || got.Attempts != 1 || len(got.LastError) > byline.MaxJobError || !strings.HasSuffix(got.LastError, "é…") {
			t.Fatalf("after a failure: got run at %v, %d attempts, error of %d bytes", got.RunAt, got.Attempts, len(got.LastError))
		}
		j, err := db.ClaimJob(ctx, "a", t0.Add(30*time.Second), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FailJob(ctx, j, t0.Add(30*time.Second), "gone", time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimJob(ctx, "a", t0.Add(time.Hour), time.Minute); byline.ErrorCode(err) != byline.ENOTFOUND {
			t.Fatalf("claim a failed job: got %v, want not found", err)
		}
		list, _ := db.FindJobs(ctx, byline.JobFilter{Kind: "mail"})
		if len(list) != 1 || list[0].State(t0) != byline.JobFailed || list[0].LastError != "gone" || list[0].Attempts != 2 {
			t.Fatalf("failed jobs: got %+v", list)
		}
		if list, _ := db.FindJobs(ctx, byline.JobFilter{Kind: "publish"}); len(list) != 0 {
			t.Fatalf("jobs of another kind: got %d, want 0", len(list))
		}
		revived, err := db.EnqueueJob(ctx, "mail", "mail:1", "", t0.Add(time.Hour))
		if err != nil || revived.State(t0) != byline.JobPending || revived.Attempts != 0 || revived.LastError != "" {
			t.Fatalf("enqueue a failed key: got %+v %v, want it pending afresh", revived, err)
		}
	})
}

// TestPurgeJobs: done jobs older than the time go; recent ones, pending and failed ones stay.
func TestPurgeJobs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, at := range []time.Time{t0, t0.Add(20 * 24 * time.Hour)} {
			db.EnqueueJob(ctx, "publish", "publish:"+string(rune('a'+i)), "", at)
			j, err := db.ClaimJob(ctx, "n", at, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			db.CompleteJob(ctx, j, at)
		}
		db.EnqueueJob(ctx, "publish", "publish:later", "", t0)
		n, err := db.PurgeJobs(ctx, t0.Add(10*24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want 1", n, err)
		}
		done, _ := db.FindJobs(ctx, byline.JobFilter{Done: true})
		pending, _ := db.FindJobs(ctx, byline.JobFilter{})
		if len(done) != 1 || len(pending) != 1 {
			t.Fatalf("left %d done and %d pending, want 1 and 1", len(done), len(pending))
		}
	})
}

// TestCopyJobs: byline copy carries the jobs, so a scheduled publication survives a move
// between engines, and the destination enqueues new jobs after them.
func TestCopyJobs(t *testing.T) {
	engines := storetest.Engines(t)
	ctx := context.Background()
	src := storetest.MustOpen(t, engines[len(engines)-1])
	dst := storetest.MustOpen(t, "sqlite")
	src.EnqueueJob(ctx, "publish", "publish:1", `{"id":1}`, t0.Add(time.Hour))
	src.EnqueueJob(ctx, "publish", "publish:2", "", t0)
	if j, err := src.ClaimJob(ctx, "old-node", t0, time.Minute); err != nil {
		t.Fatal(err)
	} else if err := src.CompleteJob(ctx, j, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.Copy(ctx, src, dst, nil); err != nil {
		t.Fatal(err)
	}
	j, err := dst.FindJobByKey(ctx, "publish:1")
	if err != nil || !j.RunAt.Equal(t0.Add(time.Hour)) || j.Payload != `{"id":1}` {
		t.Fatalf("copied job: got %+v %v", j, err)
	}
	if done, _ := dst.FindJobs(ctx, byline.JobFilter{Done: true}); len(done) != 1 {
		t.Fatalf("copied %d done jobs, want 1", len(done))
	}
	n, err := dst.EnqueueJob(ctx, "publish", "publish:3", "", t0)
	if err != nil || n.ID <= j.ID {
		t.Fatalf("enqueue after the copy: got %+v %v, want an id after %d", n, err, j.ID)
	}
	if err := store.Copy(ctx, src, dst, nil); byline.ErrorCode(err) != byline.ECONFLICT {
		t.Fatalf("copy into a database with jobs: got %v, want conflict", err)
	}
}
