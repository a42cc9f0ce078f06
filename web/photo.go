package web

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"byline"
	"byline/media"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Photo rights on the public site: when a photo's rights have ended, readers see the
// articles that used it without a photo (never a broken one), and /media/ no longer serves
// it. That holds for the lead photo and for the photos the editor put inside the body
// (![alt](/media/{hash}/960.jpg)). Every public read of articles (the article and the next
// one, lists, feeds, previews) passes them through hideExpired; cached pages expire at the
// next end of any photo's rights as at the next scheduled publication (nextChange).

// mediaHash finds the hash in an address of /media/ (/media/{hash}/{width}.jpg), relative
// or absolute.
var mediaHash = regexp.MustCompile(`/media/([0-9a-f]{64})/`)

// hideExpired takes off the articles the photos whose rights have ended at now: the lead
// photo, with its alt text, caption and credit, and the images inside the body and teaser
// (see withoutPhotos). The hashes of all of them are looked up together, in one query.
// The articles are the caller's copies: nothing is saved.
func hideExpired(ctx context.Context, st byline.PhotoStore, now time.Time, list ...*byline.Article) error {
	var hashes []string
	seen := map[string]bool{}
	add := func(h string) {
		if h != "" && !seen[h] {
			seen[h] = true
			hashes = append(hashes, h)
		}
	}
	for _, a := range list {
		if a == nil {
			continue
		}
		if a.Image != nil {
			add(a.Image.Hash)
		}
		for _, fragment := range []string{a.BodyHTML, a.TeaserHTML} {
			if strings.Contains(fragment, "/media/") {
				for _, m := range mediaHash.FindAllStringSubmatch(fragment, -1) {
					add(m[1])
				}
			}
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	expired, err := st.ExpiredHashes(ctx, hashes, now)
	if err != nil || len(expired) == 0 {
		return err
	}
	for _, a := range list {
		if a == nil {
			continue
		}
		if a.Image != nil && expired[a.Image.Hash] {
			a.Image, a.ImageAlt, a.ImageCaption, a.ImageCredit = nil, "", "", ""
		}
		a.BodyHTML = withoutPhotos(a.BodyHTML, expired)
		a.TeaserHTML = withoutPhotos(a.TeaserHTML, expired)
	}
	return nil
}

// withoutPhotos returns the rendered fragment without the images whose src or srcset
// names an expired photo's /media/ address. A paragraph, link or picture left with nothing
// but white space goes with its image, and so does a figure left with only its caption
// (the caption and credit of a photo no longer shown); a link to an expired photo's file
// keeps its text but stops being a link. A fragment that names no expired photo comes back
// as it is.
func withoutPhotos(fragment string, expired map[string]bool) string {
	names := func(s string) bool {
		for _, m := range mediaHash.FindAllStringSubmatch(s, -1) {
			if expired[m[1]] {
				return true
			}
		}
		return false
	}
	if !strings.Contains(fragment, "/media/") || !names(fragment) {
		return fragment
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), root)
	if err != nil {
		return fragment // a fragment the markdown package balanced always parses
	}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	var doomed, unlinked []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Img, atom.Source:
				if names(attr(n, "src")) || names(attr(n, "srcset")) {
					doomed = append(doomed, n)
				}
			case atom.A:
				if names(attr(n, "href")) {
					unlinked = append(unlinked, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if len(doomed) == 0 && len(unlinked) == 0 {
		return fragment // the hash was in text, not in an address
	}
	for _, n := range doomed {
		parent := n.Parent
		parent.RemoveChild(n)
		for parent != root && parent.Parent != nil && holdsNothing(parent) {
			next := parent.Parent
			next.RemoveChild(parent)
			parent = next
		}
	}
	for _, a := range unlinked {
		if a.Parent == nil || !attached(a, root) {
			continue // gone with its image
		}
		for c := a.FirstChild; c != nil; c = a.FirstChild {
			a.RemoveChild(c)
			a.Parent.InsertBefore(c, a)
		}
		a.Parent.RemoveChild(a)
	}
	var b strings.Builder
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return fragment
		}
	}
	return b.String()
}

// holdsNothing reports whether an image's wrapper is left empty: a paragraph, link or
// picture with only white space (or line breaks) in it, or a figure with only that and its
// caption.
func holdsNothing(n *html.Node) bool {
	switch n.DataAtom {
	case atom.P, atom.A, atom.Picture, atom.Figure:
	default:
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.CommentNode:
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type == html.ElementNode && c.DataAtom == atom.Br:
		case c.Type == html.ElementNode && c.DataAtom == atom.Figcaption && n.DataAtom == atom.Figure:
		default:
			return false
		}
	}
	return true
}

// attached reports whether n is still in the tree under root.
func attached(n, root *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == root {
			return true
		}
	}
	return false
}

// attr returns the value of an element's attribute, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
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
