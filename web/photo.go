package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"byline"
	"byline/media"
)

// Photo rights on the public site: when a photo's rights have ended, readers see the
// articles that used it without a photo (never a broken one), and /media/ no longer serves
// it. Every public read of articles (the article and the next one, lists, feeds) passes
// them through hideExpired; cached pages expire at the next end of a photo's rights as at
// the next scheduled publication (nextChange).

// hideExpired takes off the articles the photos whose rights have ended at now, with their
// alt text, caption and credit. The articles are the caller's copies: nothing is saved.
func hideExpired(ctx context.Context, st byline.PhotoStore, now time.Time, list ...*byline.Article) error {
	var ids []int64
	for _, a := range list {
		if a != nil && a.Image != nil && !slices.Contains(ids, a.Image.ID) {
			ids = append(ids, a.Image.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	expired, err := st.ExpiredImages(ctx, ids, now)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a != nil && a.Image != nil && expired[a.Image.ID] {
			a.Image, a.ImageAlt, a.ImageCaption, a.ImageCredit = nil, "", "", ""
		}
	}
	return nil
}

// nextChange returns when public pages change by themselves after now: the next scheduled
// publication or the next end of a photo's rights, whichever comes first (zero: neither).
func (s *Server) nextChange(ctx context.Context, now time.Time) (time.Time, error) {
	next, err := s.store.NextPublication(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	expiry, err := s.store.NextRightsExpiry(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	if next.IsZero() || !expiry.IsZero() && expiry.Before(next) {
		next = expiry
	}
	return next, nil
}

// mediaMaxAge bounds how long browsers and a CDN keep a photo whose rights end some day: the
// desk may move the date earlier, and the photo must not outlive it for long.
const mediaMaxAge = 24 * time.Hour

// mediaFile serves /media/{hash}/{width}.jpg: a stored variant of a photo, from the blob
// store. A photo whose rights have ended is 404. A photo without an expiry is kept for a
// year (its address names its content); one with an expiry at most a day, and never past
// the expiry.
func (s *Server) mediaFile(r *http.Request) (*response, error) {
	hash := r.PathValue("hash")
	width, ok := parseMediaWidth(r.PathValue("file"))
	if !ok || !isHex(hash) {
		return nil, notFound()
	}
	ctx := r.Context()
	p, err := s.store.FindPhotoByHash(ctx, hash)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, notFound()
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if p.Expired(now) || !slices.Contains(media.Widths(p.Width), width) {
		return nil, notFound()
	}
	v, err := s.store.FindImageVariant(ctx, hash, width)
	if byline.ErrorCode(err) == byline.ENOTFOUND {
		return nil, notFound()
	} else if err != nil {
		return nil, err
	}
	cc := "public, max-age=31536000, immutable"
	if !p.RightsExpireAt.IsZero() {
		age := min(mediaMaxAge, p.RightsExpireAt.Sub(now)) / time.Second
		cc = "public, max-age=" + strconv.FormatInt(int64(age), 10)
	}
	// The address names the photo's content, so it is its own ETag: no need to hash it.
	res := newTaggedResponse(http.StatusOK, v.Mime, cc, v.Data, hash+"-"+strconv.Itoa(width))
	res.tag("photo-" + strconv.FormatInt(p.ID, 10))
	return res, nil
}
