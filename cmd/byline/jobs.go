package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"

	"byline"
	"byline/jobs"
	"byline/mail"
	"byline/publishing"
	"byline/store"
)

// jobHandlers are the kinds of background work a node runs, by the kind names their jobs are
// enqueued with. Every handler must be idempotent: a job may run twice (see package jobs).
// Mail is sent only by a node with a mail server (the outbox queues no job without one).
func jobHandlers(db *store.DB, log *slog.Logger, mailer *mail.Outbox) map[string]jobs.Handler {
	h := map[string]jobs.Handler{publishing.PublishJob: (&publishing.Announcer{Store: db, Audit: db}).Run}
	if mailer != nil && mailer.Relay != nil {
		h[mail.SendJob] = mailer.Deliver
	}
	return h
}

// startJobs runs the job runner until ctx is done or the returned stop is called; stop
// waits for it, so that running jobs finish (or are let go) before the store closes.
func startJobs(ctx context.Context, db *store.DB, log *slog.Logger, mailer *mail.Outbox) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	r := &jobs.Runner{Store: db, Handlers: jobHandlers(db, log, mailer), Logger: log}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			log.Error("job runner", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// jobsCommand lists the jobs not done, or runs one now, or cancels one: the operator's view
// of scheduled publications and of work that failed.
func jobsCommand(ctx context.Context, c config, args []string, stdout io.Writer) error {
	const use = "usage: byline jobs [retry KEY | cancel KEY]"
	if len(args) != 0 && (len(args) != 2 || args[0] != "retry" && args[0] != "cancel") {
		return usageError{use}
	}
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UTC()
	if len(args) == 2 {
		key := args[1]
		j, err := db.FindJobByKey(ctx, key)
		if byline.ErrorCode(err) == byline.ENOTFOUND {
			return byline.Errorf(byline.ENOTFOUND, "No job waiting or failed has the key %q (byline jobs lists them).", key)
		}
		if err != nil {
			return err
		}
		if args[0] == "cancel" {
			if err := db.CancelJob(ctx, key); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "cancelled %s (%s)\n", printable(key), j.State(now))
			return nil
		}
		if _, err := db.EnqueueJob(ctx, j.Kind, j.Key, j.Payload, now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is due now: a node running jobs will take it\n", printable(key))
		return nil
	}
	list, err := db.FindJobs(ctx, byline.JobFilter{Limit: 1000})
	if err != nil {
		return err
	}
	if len(list) > 0 {
		fmt.Fprintf(stdout, "%-8s %-10s %-24s %-20s %-8s %s\n", "STATE", "KIND", "KEY", "RUN AT (UTC)", "ATTEMPTS", "LAST ERROR")
	}
	for _, j := range list {
		state := j.State(now)
		if state == byline.JobRunning {
			state += " on " + j.LeaseHolder
		}
		fmt.Fprintf(stdout, "%-8s %-10s %-24s %-20s %-8d %s\n", state, printable(j.Kind), printable(j.Key),
			j.RunAt.Format("2006-01-02 15:04:05"), j.Attempts, printable(firstLine(j.LastError)))
	}
	fmt.Fprintf(stdout, "%d job(s) not done\n", len(list))
	return nil
}

// firstLine is the first line of s, marked when more follows.
func firstLine(s string) string {
	if line, _, more := strings.Cut(s, "\n"); more {
		return line + " …"
	}
	return s
}

// printable replaces control characters but those in keep (a message's newlines and tabs),
// so that text from the database cannot steer the operator's terminal.
func printable(s string, keep ...rune) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !slices.Contains(keep, r) {
			return '?'
		}
		return r
	}, s)
}
