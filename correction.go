package byline

import (
	"context"
	"strings"
	"time"
)

// CorrectionKind says what a note added to a published article is.
type CorrectionKind string

// The kinds of notes an editor adds to a published article.
const (
	KindCorrection    CorrectionKind = "correction"    // a fact was wrong
	KindClarification CorrectionKind = "clarification" // a fact was unclear
	KindUpdate        CorrectionKind = "update"        // the story moved on
)

// CorrectionKinds lists the kinds, for forms and messages.
var CorrectionKinds = []CorrectionKind{KindCorrection, KindClarification, KindUpdate}

// Valid reports whether k is a known kind.
func (k CorrectionKind) Valid() bool {
	return k == KindCorrection || k == KindClarification || k == KindUpdate
}

// Label is the kind as readers see it: "Correction", "Clarification", "Update".
func (k CorrectionKind) Label() string {
	if !k.Valid() {
		return "Note"
	}
	return strings.ToUpper(string(k[:1])) + string(k[1:])
}

// Correction is a correction, clarification or update shown with a published article. Its
// text is plain text, shown as written (escaped), never Markdown: a note says what changed
// in a sentence or two, and plain text cannot smuggle anything into a page or feed.
type Correction struct {
	ID        int64
	ArticleID int64
	Kind      CorrectionKind
	Text      string
	At        time.Time // when the note was made, as readers see it
	StaffID   int64     // who added it; 0 when the account is gone
	// Article is a summary of the article the note is on (id, slug, title, status,
	// visibility, publish time; never its body), filled by lists that span articles.
	Article *Article
}

// MaxCorrection bounds a note's text, in characters.
const MaxCorrection = 2000

// Validate checks a note before it is stored: a known kind, some text that any page or feed
// can carry, a time in the range pages can write.
func (c *Correction) Validate() error {
	if !c.Kind.Valid() {
		return onField("kind", Errorf(EINVALID, "%q is not a kind of note: use correction, clarification or update.", c.Kind))
	}
	if strings.TrimSpace(c.Text) == "" {
		return onField("text", Errorf(EINVALID, "The note needs a text saying what was wrong, unclear or new."))
	}
	if err := CheckText("note", c.Text, MaxCorrection); err != nil {
		return onField("text", err)
	}
	if y := c.At.UTC().Year(); c.At.IsZero() || y < MinYear || y > MaxYear {
		return onField("at", Errorf(EINVALID, "The note needs a time from year %d to %d.", MinYear, MaxYear))
	}
	return nil
}

// CorrectionsHeading names the box of notes an article shows: "Correction" for one,
// "Updates" for several of one kind, "Corrections and updates" for a mix.
func (a *Article) CorrectionsHeading() string {
	if len(a.Corrections) == 0 {
		return ""
	}
	kind := a.Corrections[0].Kind
	for _, c := range a.Corrections[1:] {
		if c.Kind != kind {
			return "Corrections and updates"
		}
	}
	if len(a.Corrections) == 1 {
		return kind.Label()
	}
	return kind.Label() + "s"
}

// CorrectionFilter selects notes. Zero fields do not filter.
type CorrectionFilter struct {
	ArticleID int64
	// VisibleAt, when set, selects only the notes of articles readers may see at that time
	// (see Article.Visible): a draft's or a scheduled article's notes stay unseen.
	VisibleAt time.Time
	Offset    int
	Limit     int
}

// CorrectionStore keeps the notes added to published articles.
type CorrectionStore interface {
	// AddCorrection stores the note on the article c.ArticleID and sets its ID and Article
	// summary. In the same transaction it moves the article's updated time on to c.At when
	// that is later (dateModified follows the latest note) and moves the content revision
	// on. ENOTFOUND when there is no such article; EINVALID when it is not published.
	AddCorrection(ctx context.Context, c *Correction) error
	// DeleteCorrection deletes the note and returns it as it was, or ENOTFOUND.
	DeleteCorrection(ctx context.Context, id int64) (*Correction, error)
	// FindCorrections lists the notes the filter selects, newest first, each with its
	// article's summary.
	FindCorrections(ctx context.Context, f CorrectionFilter) ([]*Correction, error)
	// FindArticleWithCorrections returns the article's summary (no body) with its notes,
	// oldest first, or ENOTFOUND: what the newsroom's page of an article's notes shows.
	FindArticleWithCorrections(ctx context.Context, id int64) (*Article, error)
}
