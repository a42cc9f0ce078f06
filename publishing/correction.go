package publishing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"byline"
)

// Auditor appends to the audit log (byline.SessionStore has it).
type Auditor interface {
	Audit(ctx context.Context, e *byline.AuditEntry) error
}

// Corrections adds and deletes the notes (corrections, clarifications, updates) of published
// articles. Only staff whose role allows byline.ActionCorrect may, and each change is
// audited.
type Corrections struct {
	Store byline.CorrectionStore
	Audit Auditor
	Now   func() time.Time
}

// maxFuture is how far ahead of the clock a note's time may be: clocks of two nodes differ
// by a little, and a form filled in takes a minute; a note from next week is a mistake.
const maxFuture = 5 * time.Minute

// Add adds a note of the kind to the article, at the time given (now when zero), and
// audits it from the address ip.
func (c *Corrections) Add(ctx context.Context, staff *byline.Staff, articleID int64, kind byline.CorrectionKind, text string, at time.Time, ip string) (*byline.Correction, error) {
	if !staff.Can(byline.ActionCorrect) {
		return nil, byline.Forbidden("add corrections")
	}
	now := c.now()
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(maxFuture)) {
		e := byline.Errorf(byline.EINVALID, "The note's time is in the future; leave it empty for now.")
		e.Field = "at"
		return nil, e
	}
	n := &byline.Correction{ArticleID: articleID, Kind: kind, Text: strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), At: at, StaffID: staff.ID}
	if err := c.Store.AddCorrection(ctx, n); err != nil {
		return nil, err
	}
	if err := c.Audit.Audit(ctx, &byline.AuditEntry{StaffID: staff.ID, Action: "added " + string(n.Kind),
		Subject: subject(n), IP: ip}); err != nil {
		return nil, err
	}
	return n, nil
}

// Delete deletes a wrong note and audits it.
func (c *Corrections) Delete(ctx context.Context, staff *byline.Staff, id int64, ip string) (*byline.Correction, error) {
	if !staff.Can(byline.ActionCorrect) {
		return nil, byline.Forbidden("delete corrections")
	}
	n, err := c.Store.DeleteCorrection(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := c.Audit.Audit(ctx, &byline.AuditEntry{StaffID: staff.ID, Action: "deleted " + string(n.Kind),
		Subject: subject(n), IP: ip}); err != nil {
		return nil, err
	}
	return n, nil
}

// Article returns the article's summary with its notes, for the page that adds them.
func (c *Corrections) Article(ctx context.Context, staff *byline.Staff, articleID int64) (*byline.Article, error) {
	if !staff.Can(byline.ActionCorrect) {
		return nil, byline.Forbidden("add corrections")
	}
	return c.Store.FindArticleWithCorrections(ctx, articleID)
}

// Recent lists the newest notes across articles, from offset, for the newsroom.
func (c *Corrections) Recent(ctx context.Context, staff *byline.Staff, offset, limit int) ([]*byline.Correction, error) {
	if !staff.Can(byline.ActionCorrect) {
		return nil, byline.Forbidden("see corrections")
	}
	return c.Store.FindCorrections(ctx, byline.CorrectionFilter{Offset: offset, Limit: limit})
}

func (c *Corrections) now() time.Time {
	if c.Now == nil {
		return time.Now().UTC()
	}
	return c.Now().UTC()
}

// subject names a note in the audit log: its id, its article and the start of its text.
func subject(n *byline.Correction) string {
	text := n.Text
	if r := []rune(text); len(r) > 80 {
		text = string(r[:80]) + "…"
	}
	slug := ""
	if n.Article != nil {
		slug = n.Article.Slug
	}
	return fmt.Sprintf("note %d on /%s/: %s", n.ID, slug, text)
}
