package byline

import "time"

// CorrectionKind says what a note added to a published article is.
type CorrectionKind string

// The kinds of notes an editor adds to a published article.
const (
	KindCorrection    CorrectionKind = "correction"    // a fact was wrong
	KindClarification CorrectionKind = "clarification" // a fact was unclear
	KindUpdate        CorrectionKind = "update"        // the story moved on
)

// Correction is a correction, clarification or update shown with a published article.
type Correction struct {
	ID        int64
	ArticleID int64
	Kind      CorrectionKind
	Text      string
	At        time.Time
	StaffID   int64
}
