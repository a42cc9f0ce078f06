package web

import (
	"strings"
	"time"

	"byline"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// fieldDiff is how one field of an article differs between a revision and the article now.
type fieldDiff struct {
	Field string
	Parts []diffPart
}

// diffPart is a run of text that both have, or only the revision (Del), or only the
// article now (Ins).
type diffPart struct {
	Text     string
	Del, Ins bool
}

// maxDiffBytes bounds the text a diff compares: past it, the field is shown whole as
// removed and added, rather than making a request spend seconds on a diff.
const maxDiffBytes = 256 << 10

// maxWordDiff is the size up to which texts are compared character by character (titles,
// standfirsts, short bodies); longer ones are compared line by line.
const maxWordDiff = 16 << 10

// diffArticles compares the fields an editor edits, from the revision (old) to now (cur),
// and lists those that differ.
func diffArticles(old, cur *byline.Article) []fieldDiff {
	names := func(a *byline.Article) (string, string) {
		var au, tg []string
		for _, x := range a.Authors {
			au = append(au, x.Name)
		}
		for _, x := range a.Tags {
			tg = append(tg, x.Name)
		}
		return strings.Join(au, ", "), strings.Join(tg, ", ")
	}
	image := func(a *byline.Article) string {
		if a.Image == nil {
			return ""
		}
		return a.Image.Hash[:12]
	}
	oa, ot := names(old)
	ca, ct := names(cur)
	fields := []struct{ name, old, cur string }{
		{"Title", old.Title, cur.Title}, {"Slug", old.Slug, cur.Slug}, {"Standfirst", old.Standfirst, cur.Standfirst},
		{"Body", old.Body, cur.Body}, {"Bylines", oa, ca}, {"Tags", ot, ct},
		{"Visibility", string(old.Visibility), string(cur.Visibility)}, {"Status", string(old.Status), string(cur.Status)},
		{"Publish time", old.PublishedAt.UTC().Format(time.RFC3339), cur.PublishedAt.UTC().Format(time.RFC3339)},
		{"Photo", image(old), image(cur)}, {"Alt text", old.ImageAlt, cur.ImageAlt},
		{"Caption", old.ImageCaption, cur.ImageCaption}, {"Credit", old.ImageCredit, cur.ImageCredit},
		{"Meta title", old.MetaTitle, cur.MetaTitle}, {"Meta description", old.MetaDescription, cur.MetaDescription},
		{"Canonical address", old.CanonicalURL, cur.CanonicalURL},
	}
	var out []fieldDiff
	for _, f := range fields {
		if f.old == f.cur {
			continue
		}
		out = append(out, fieldDiff{Field: f.name, Parts: diffText(f.old, f.cur)})
	}
	if old.Featured != cur.Featured {
		out = append(out, fieldDiff{Field: "Featured", Parts: diffText(yesNo(old.Featured), yesNo(cur.Featured))})
	}
	if old.CommentsOpen != cur.CommentsOpen {
		out = append(out, fieldDiff{Field: "Comments", Parts: diffText(openClosed(old.CommentsOpen), openClosed(cur.CommentsOpen))})
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func openClosed(b bool) string {
	if b {
		return "open"
	}
	return "closed"
}

// diffText compares two texts word by word, cleaned up for people to read.
func diffText(old, cur string) []diffPart {
	if len(old)+len(cur) > maxDiffBytes {
		return []diffPart{{Text: old, Del: true}, {Text: cur, Ins: true}}
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 200 * time.Millisecond
	var diffs []diffmatchpatch.Diff
	if len(old)+len(cur) <= maxWordDiff {
		diffs = dmp.DiffCleanupSemantic(dmp.DiffMain(old, cur, false))
	} else {
		// Long texts by line: linear in practice, where a character diff of two unrelated
		// bodies runs into its time limit.
		a, b, lines := dmp.DiffLinesToChars(old, cur)
		diffs = dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	}
	parts := make([]diffPart, 0, len(diffs))
	for _, d := range diffs {
		parts = append(parts, diffPart{Text: d.Text, Del: d.Type == diffmatchpatch.DiffDelete, Ins: d.Type == diffmatchpatch.DiffInsert})
	}
	return parts
}
