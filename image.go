package byline

import (
	"context"
	"strings"
	"time"
)

// Photo is a photo of the newsroom's library: the stored image and what the desk records
// about it. Agency photos arrive with their caption, credit and copyright in the file
// (IPTC, XMP, EXIF): those fill the fields on upload, and the desk corrects them. An article
// that uses the photo keeps its own alt text, caption and credit, copied from these when the
// photo is chosen.
type Photo struct {
	Image
	Caption   string
	Credit    string // who made it and for whom, e.g. "Claire Lebertre / AFP"
	Source    string // the agency or owner, e.g. "AFP"
	Copyright string
	Alt       string
	// RightsExpireAt, when not zero, is when the newsroom's licence ends: from then on the
	// public site shows no article with this photo, and /media/ no longer serves it.
	RightsExpireAt time.Time
	UploadedBy     int64 // the staff account that uploaded it; 0 when imported or gone
	CreatedAt      time.Time
}

// MaxSource and MaxCopyright bound a photo's source and copyright notice, in characters.
const (
	MaxSource    = 200
	MaxCopyright = 500
)

// Expired reports whether the photo's rights have ended at now.
func (p *Photo) Expired(now time.Time) bool {
	return !p.RightsExpireAt.IsZero() && !now.Before(p.RightsExpireAt)
}

// Validate checks the fields the desk edits: text any page can carry, within its limits.
func (p *Photo) Validate() error {
	for _, f := range []struct {
		field, name, value string
		max                int
	}{
		{"caption", "caption", p.Caption, MaxCaption}, {"credit", "credit", p.Credit, MaxCredit},
		{"source", "source", p.Source, MaxSource}, {"copyright", "copyright notice", p.Copyright, MaxCopyright},
		{"alt", "alt text", p.Alt, MaxAlt},
	} {
		if err := CheckText(f.name, f.value, f.max); err != nil {
			return onField(f.field, err)
		}
	}
	if y := p.RightsExpireAt.UTC().Year(); !p.RightsExpireAt.IsZero() && (y < MinYear || y > MaxYear) {
		return onField("rights_expire_at", Errorf(EINVALID, "The rights' expiry date is out of range: use a year from %d to %d.", MinYear, MaxYear))
	}
	return nil
}

// Trim removes the spaces around the photo's text fields.
func (p *Photo) Trim() {
	for _, s := range []*string{&p.Caption, &p.Credit, &p.Source, &p.Copyright, &p.Alt} {
		*s = strings.TrimSpace(*s)
	}
}

// PhotoFilter selects photos of the library, newest first.
type PhotoFilter struct {
	// Query, when set, keeps the photos whose caption, credit, source or alt text holds it
	// (letters' case ignored).
	Query  string
	Offset int
	Limit  int
}

// PhotoStore keeps the photo library: the records in the database, the bytes in a
// BlobStore.
type PhotoStore interface {
	// SavePhoto stores a new photo: its original and variants in the blob store first, then
	// its record, and sets p.ID and p.CreatedAt. When a photo with the same hash is already
	// stored, nothing is written and p becomes that photo; created says which happened.
	SavePhoto(ctx context.Context, p *Photo, original []byte, variants []ImageVariant) (created bool, err error)
	// FindPhoto and FindPhotoByHash return one photo, or ENOTFOUND.
	FindPhoto(ctx context.Context, id int64) (*Photo, error)
	FindPhotoByHash(ctx context.Context, hash string) (*Photo, error)
	// FindPhotos returns the photos the filter selects, newest first, and how many it
	// selects in all.
	FindPhotos(ctx context.Context, f PhotoFilter) ([]*Photo, int, error)
	// UpdatePhoto saves the desk's fields of the photo with p.ID (caption, credit, source,
	// copyright, alt text, rights' expiry).
	UpdatePhoto(ctx context.Context, p *Photo) error
	// FindExpiringPhotos returns the photos whose rights end before until (those already
	// ended included), soonest first, at most limit.
	FindExpiringPhotos(ctx context.Context, until time.Time, limit int) ([]*Photo, error)
	// ExpiredImages returns which of the images with the ids have rights that ended at at.
	ExpiredImages(ctx context.Context, ids []int64, at time.Time) (map[int64]bool, error)
	// ExpiredHashes returns which of the images with the hashes have rights that ended at
	// at, in one query for up to 500 hashes (a page's lead photos and the photos inside its
	// articles' bodies are looked up together).
	ExpiredHashes(ctx context.Context, hashes []string, at time.Time) (map[string]bool, error)
	// NextRightsExpiry returns the first time after after at which a photo's rights end, or
	// the zero time when none does. Page caches expire then, as at a scheduled publication.
	NextRightsExpiry(ctx context.Context, after time.Time) (time.Time, error)
	// OpenOriginal returns the stored original of an image, or ENOTFOUND.
	OpenOriginal(ctx context.Context, hash string) ([]byte, error)
}
