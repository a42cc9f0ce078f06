package byline

// Reader is whoever is reading a page. The zero Reader is an anonymous visitor, whose pages
// may be cached and shared; a signed-in member's pages are private.
type Reader struct {
	MemberID int64
	Paid     bool
}

// Anonymous reports whether nobody is signed in.
func (r Reader) Anonymous() bool { return r.MemberID == 0 }

// CanRead reports whether the reader may read the full text of an article with visibility v.
// It is the one rule every door (page, feed, API, search, email) asks.
func (r Reader) CanRead(v Visibility) bool {
	switch v {
	case VisibilityPublic:
		return true
	case VisibilityMembers:
		return !r.Anonymous()
	case VisibilityPaid:
		return !r.Anonymous() && r.Paid
	}
	return false
}
