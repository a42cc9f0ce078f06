package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/store"
)

// TestJobsCommand: byline jobs lists the jobs not done with their state and last error (no
// control characters reach the terminal), retry makes a failed job due now, cancel deletes one.
func TestJobsCommand(t *testing.T) {
	data := t.TempDir()
	jobsCmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"jobs", "--data", data, "--sample=false"}, args...), &out, io.Discard)
		return out.String(), err
	}
	if out, err := jobsCmd(); err != nil || !strings.Contains(out, "0 job(s) not done") {
		t.Fatalf("empty list: %q %v", out, err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "byline.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	later := time.Now().Add(time.Hour)
	db.EnqueueJob(ctx, "publish", "publish:42", "", later)
	db.EnqueueJob(ctx, "mail", "mail:7", "", time.Now().Add(-time.Minute))
	j, err := db.ClaimJob(ctx, "node", time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FailJob(ctx, j, time.Now(), "refused\x1b[2J by the server\nmore", time.Time{}); err != nil {
		t.Fatal(err)
	}
	out, err := jobsCmd()
	if err != nil || !strings.Contains(out, "2 job(s) not done") || !strings.Contains(out, "publish:42") ||
		!strings.Contains(out, "failed") || !strings.Contains(out, "refused?[2J by the server …") || strings.Contains(out, "\x1b") {
		t.Fatalf("list: %q %v", out, err)
	}
	if out, err := jobsCmd("retry", "mail:7"); err != nil || !strings.Contains(out, "due now") {
		t.Fatalf("retry: %q %v", out, err)
	}
	if j, err := db.FindJobByKey(ctx, "mail:7"); err != nil || j.State(time.Now()) != byline.JobPending || j.Attempts != 0 {
		t.Fatalf("retried job: %+v %v", j, err)
	}
	if _, err := jobsCmd("cancel", "publish:42"); err != nil {
		t.Fatal(err)
	}
	if _, err := jobsCmd("cancel", "publish:42"); byline.ErrorCode(err) != byline.ENOTFOUND {
		t.Fatalf("cancel twice: got %v, want not found", err)
	}
	for _, args := range [][]string{{"retry"}, {"purge", "x"}, {"cancel", "a", "b"}} {
		if _, err := jobsCmd(args...); exitCode(err) != 2 {
			t.Errorf("jobs %v: got %v, want a usage error", args, err)
		}
	}
}

// TestServeRunsJobs: byline serve runs the job runner (a job of a kind no handler knows fails
// with that said), and stops it before it returns.
func TestServeRunsJobs(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "byline.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.EnqueueJob(ctx, "nobody-knows", "nobody-knows:1", "", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(sctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--sample=false", "--access-log=false"}, io.Discard, logs)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		j, err := db.FindJobByKey(ctx, "nobody-knows:1")
		if err != nil {
			t.Fatal(err)
		}
		if j.Attempts == 1 && j.LeaseHolder == "" {
			if !strings.Contains(j.LastError, `no handler for jobs of kind "nobody-knows"`) {
				t.Errorf("last error %q, want no handler", j.LastError)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job did not run within a minute:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !regexp.MustCompile(`job runner stopped`).MatchString(logs.String()) {
		t.Errorf("no runner stop in the log:\n%s", logs.String())
	}
}
