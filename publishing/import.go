package publishing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"byline"
	"byline/markdown"
	"byline/media"
)

// Importer brings Markdown files with YAML front matter into the newsroom. Each file is
// checked whole before anything of it is written, and written in one transaction.
type Importer struct {
	Store    byline.ArticleStore
	Markdown *markdown.Renderer
	Location *time.Location   // for dates without a time zone; UTC when nil
	Now      func() time.Time // publish time of files without a date
	Client   *http.Client     // fetches images given by URL
	// DateShift moves every date the files give; the sample newsroom uses it to look fresh.
	DateShift time.Duration
}

// Summary counts what an import did.
type Summary struct {
	Imported, Updated, Unchanged, Failed int
}

// ImageSource returns the bytes of the image a front matter names.
type ImageSource func(ctx context.Context, ref string) ([]byte, error)

// ImportPaths imports files and whole folders (their .md and .markdown files, in name
// order). It reports each file's outcome to report, and goes on after a bad file.
func (im *Importer) ImportPaths(ctx context.Context, paths []string, report func(file string, res byline.SaveResult, warnings []string, err error)) (Summary, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return Summary{}, byline.Errorf(byline.EINVALID, "Cannot read %s: %v.", p, err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".md" || ext == ".markdown") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return Summary{}, fmt.Errorf("read folder %s: %w", p, err)
		}
	}
	slices.Sort(files)
	var sum Summary
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		res, warnings, err := im.ImportFile(ctx, f)
		switch {
		case err != nil:
			sum.Failed++
		case res == byline.Created:
			sum.Imported++
		case res == byline.Updated:
			sum.Updated++
		default:
			sum.Unchanged++
		}
		if report != nil {
			report(f, res, warnings, err)
		}
	}
	return sum, nil
}

// ImportFile imports one Markdown file from disk; images are read relative to it, or
// fetched when given as a URL.
func (im *Importer) ImportFile(ctx context.Context, path string) (byline.SaveResult, []string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, &ParseError{File: path, Reason: err.Error()}
	}
	dir := filepath.Dir(path)
	images := func(ctx context.Context, ref string) ([]byte, error) {
		if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
			return im.fetch(ctx, ref)
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref)))
	}
	return im.Import(ctx, path, src, images)
}

// Import imports one file's content; name is used in messages.
func (im *Importer) Import(ctx context.Context, name string, src []byte, images ImageSource) (byline.SaveResult, []string, error) {
	loc := im.Location
	if loc == nil {
		loc = time.UTC
	}
	fm, body, err := ParseFile(name, src, loc)
	if err != nil {
		return 0, nil, err
	}
	var warnings []string
	if len(fm.Ignored) > 0 {
		warnings = append(warnings, "ignored keys: "+strings.Join(fm.Ignored, ", "))
	}
	fail := func(format string, args ...any) error {
		return &ParseError{File: name, Reason: fmt.Sprintf(format, args...)}
	}
	a := &byline.Article{
		Slug: fm.Slug, Title: fm.Title, Standfirst: fm.Standfirst, Body: body,
		Status: fm.Status, Visibility: fm.Visibility, Featured: fm.Featured,
		ImageAlt: fm.ImageAlt, ImageCaption: fm.ImageCaption, ImageCredit: fm.ImageCredit,
		PublishedAt: fm.Date,
	}
	if !a.PublishedAt.IsZero() {
		a.PublishedAt = a.PublishedAt.Add(im.DateShift)
	}
	if a.BodyHTML, a.TeaserHTML, err = im.Markdown.RenderArticle(body); err != nil {
		return 0, nil, fail("%v", err)
	}
	for _, name := range fm.Authors {
		slug := Slugify(name)
		if slug == "" {
			return 0, nil, fail("no slug can be made from the author name %q", name)
		}
		if !slices.ContainsFunc(a.Authors, func(au *byline.Author) bool { return au.Slug == slug }) {
			a.Authors = append(a.Authors, &byline.Author{Slug: slug, Name: name})
		}
	}
	for _, name := range fm.Tags {
		slug := Slugify(name)
		if slug == "" {
			return 0, nil, fail("no slug can be made from the tag %q", name)
		}
		if !slices.ContainsFunc(a.Tags, func(t *byline.Tag) bool { return t.Slug == slug }) {
			a.Tags = append(a.Tags, &byline.Tag{Slug: slug, Name: name})
		}
	}

	if a.PublishedAt.IsZero() {
		// A file without a date keeps the publish time it got when first imported.
		old, err := im.Store.FindArticleBySlug(ctx, a.Slug)
		switch {
		case err == nil:
			a.PublishedAt = old.PublishedAt
		case byline.ErrorCode(err) == byline.ENOTFOUND:
			a.PublishedAt = im.now()
		default:
			return 0, nil, err
		}
	}

	var upload *byline.ImageUpload
	if fm.Image != "" {
		data, err := images(ctx, fm.Image)
		if err != nil {
			return 0, nil, fail("cannot read the image %q: %v", fm.Image, err)
		}
		sum := sha256.Sum256(data)
		img, err := im.Store.FindImageByHash(ctx, hex.EncodeToString(sum[:]))
		switch {
		case err == nil:
			a.Image = img
		case byline.ErrorCode(err) == byline.ENOTFOUND:
			img, variants, err := media.Process(data)
			if err != nil {
				return 0, nil, fail("the image %q: %s", fm.Image, byline.ErrorMessage(err))
			}
			upload = &byline.ImageUpload{Image: img, Original: data, Variants: variants}
		default:
			return 0, nil, err
		}
	}
	res, err := im.Store.SaveArticle(ctx, a, upload)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: save: %w", name, err)
	}
	return res, warnings, nil
}

func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now().UTC()
	}
	return time.Now().UTC()
}

// fetch downloads an image given by URL, within limits.
func (im *Importer) fetch(ctx context.Context, url string) ([]byte, error) {
	client := im.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, media.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > media.MaxBytes {
		return nil, errors.New("the image is too large")
	}
	return data, nil
}
