package publishing

import (
	"context"
	"strconv"
	"strings"
	"time"

	"byline"
)

// Publications: every publication, now or scheduled, is a "publish" job due at its publish
// time. Readers do not wait for it: an article is visible once its time has come (see
// byline.Article.Visible), on every node at once, and page caches expire then. The job does
// the publication's work once, on one node, also across restarts: today an audit line, with
// the newsletters issue the mail to members.

// PublishJob is the kind of the job that announces a publication.
const PublishJob = "publish"

// JobScheduler is the desk's Scheduler on the job table.
type JobScheduler struct {
	Jobs byline.JobStore
}

func publishKey(id int64) string { return "publish:" + strconv.FormatInt(id, 10) }

// Published queues the publication's job at the article's publish time (or moves it there).
func (s *JobScheduler) Published(ctx context.Context, a *byline.Article) error {
	_, err := s.Jobs.EnqueueJob(ctx, PublishJob, publishKey(a.ID), "", a.PublishedAt)
	return err
}

// Withdrawn cancels the publication's job.
func (s *JobScheduler) Withdrawn(ctx context.Context, articleID int64) error {
	return s.Jobs.CancelJob(ctx, publishKey(articleID))
}

// Announcer does a publication's work when its job runs.
type Announcer struct {
	Store DeskStore
	Audit Auditor
	Now   func() time.Time
}

// Run is the job handler of PublishJob. It is idempotent: the store tells one run only that
// the article's publication is to be announced; an article unpublished, deleted or moved
// to a later time meanwhile is left alone (a moved one has its own job at its new time).
func (an *Announcer) Run(ctx context.Context, job *byline.Job) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(job.Key, "publish:"), 10, 64)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	if an.Now != nil {
		now = an.Now().UTC()
	}
	first, err := an.Store.AnnounceArticle(ctx, id, now)
	if err != nil || !first {
		return err
	}
	a, err := an.Store.FindArticleByID(ctx, id)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if an.Audit == nil {
		return nil
	}
	return an.Audit.Audit(ctx, &byline.AuditEntry{Action: "publication went live", Subject: a.Title + " (/" + a.Slug + "/) at " + a.PublishedAt.Format(time.RFC3339)})
}
