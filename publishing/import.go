package publishing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	// Fetcher fetches images given by URL; nil means a media.Fetcher with its defaults,
	// which reaches only public addresses.
	Fetcher *media.Fetcher
	// Replace lets a file overwrite an article with its slug that another source made:
	// another file, the sample newsroom, or Byline itself. Without it such a file fails,
	// and the message says whose the article is.
	Replace bool
	// DateShift moves every date the files give; the sample newsroom uses it to look fresh.
	DateShift time.Duration
}

// Summary counts what an import did.
type Summary struct {
	Imported, Updated, Unchanged, Failed int
}

// ImageSource returns the bytes of the image a front matter names. Its errors are
// *byline.Error, whose messages the importer shows after the file's name.
type ImageSource func(ctx context.Context, ref string) ([]byte, error)

// maxSourceBytes bounds a Markdown file: the largest body the domain takes, and room for
// its front matter.
const maxSourceBytes = byline.MaxBodyBytes + 64<<10

// defaultFetcher fetches images for importers that have no Fetcher of their own.
var defaultFetcher = &media.Fetcher{}

// ImportPaths imports files and whole folders (their .md and .markdown files, in name
// order). Images named by path must lie inside the folder given (for a file given alone,
// inside its own folder). It reports each file's outcome to report, and goes on after a
// bad file; when ctx ends it stops before the next file and returns ctx's error.
func (im *Importer) ImportPaths(ctx context.Context, paths []string, report func(file string, res byline.SaveResult, warnings []string, err error)) (Summary, error) {
	type item struct {
		path string   // as given or found, for messages
		root *os.Root // the import folder
		rel  string   // the path inside it
	}
	var items []item
	var roots []*os.Root
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	known := map[string]bool{}
	matched := 0 // Markdown files found, counted before duplicates go
	add := func(path string, root *os.Root, rel string) {
		matched++
		if abs, err := filepath.Abs(path); err == nil && !known[abs] {
			known[abs] = true
			items = append(items, item{path, root, rel})
		}
	}
	for _, given := range paths {
		// The real path: a folder reached through a symbolic link is walked (WalkDir does not
		// follow a linked root), and a file keeps one source whichever link reached it.
		p, err := filepath.EvalSymlinks(given)
		if err != nil {
			return Summary{}, byline.Errorf(byline.EINVALID, "Cannot read %s: %v.", given, err)
		}
		before := matched
		st, err := os.Stat(p)
		if err != nil {
			return Summary{}, byline.Errorf(byline.EINVALID, "Cannot read %s: %v.", p, err)
		}
		dir := p
		if !st.IsDir() {
			dir = filepath.Dir(p)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			return Summary{}, byline.Errorf(byline.EINVALID, "Cannot open the folder %s: %v.", dir, err)
		}
		roots = append(roots, root)
		if !st.IsDir() {
			add(p, root, filepath.Base(p))
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if ext := strings.ToLower(filepath.Ext(path)); !d.IsDir() && (ext == ".md" || ext == ".markdown") {
				rel, err := filepath.Rel(p, path)
				if err != nil {
					return err
				}
				add(path, root, rel)
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return Summary{}, ctx.Err()
			}
			return Summary{}, fmt.Errorf("read folder %s: %w", p, err)
		}
		if matched == before {
			return Summary{}, byline.Errorf(byline.EINVALID, "There are no Markdown files (.md or .markdown) in %s.", given)
		}
	}
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.path, b.path) })
	var sum Summary
	seen := map[string]string{} // slug → the file of this run that has it
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		res, warnings, err := im.importFile(ctx, it.path, it.root, it.rel, seen)
		if err != nil && ctx.Err() != nil {
			return sum, ctx.Err()
		}
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
			report(it.path, res, warnings, err)
		}
	}
	return sum, nil
}

// ImportFile imports one Markdown file from disk; images are read from its folder, or
// fetched when given as a URL.
func (im *Importer) ImportFile(ctx context.Context, path string) (byline.SaveResult, []string, error) {
	root, err := os.OpenRoot(filepath.Dir(path))
	if err != nil {
		return 0, nil, &ParseError{File: path, Reason: fmt.Sprintf("cannot open its folder: %v", err)}
	}
	defer root.Close()
	return im.importFile(ctx, path, root, filepath.Base(path), nil)
}

// importFile imports the file rel inside root, known as path; seen, when not nil, maps the
// slugs this run has imported to their files.
func (im *Importer) importFile(ctx context.Context, path string, root *os.Root, rel string, seen map[string]string) (byline.SaveResult, []string, error) {
	src, err := readRegular(root, rel, maxSourceBytes, "file")
	if err != nil {
		return 0, nil, &ParseError{File: path, Reason: byline.ErrorMessage(err)}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, nil, &ParseError{File: path, Reason: err.Error()}
	}
	dir := filepath.Dir(rel)
	images := func(ctx context.Context, ref string) ([]byte, error) {
		if isURL(ref) {
			return im.fetcher().Fetch(ctx, ref)
		}
		return localImage(root, dir, ref)
	}
	return im.importSource(ctx, path, "import:"+abs, src, images, seen)
}

// Import imports one file's content. name is used in messages; source is stored as the
// article's Source ("import:" and an absolute path, "sample:" and a name), and an article
// of another source is not overwritten unless Replace is set.
func (im *Importer) Import(ctx context.Context, name, source string, src []byte, images ImageSource) (byline.SaveResult, []string, error) {
	return im.importSource(ctx, name, source, src, images, nil)
}

// importSource imports one file's content (see Import); seen, when not nil, maps the slugs
// this run has imported to their sources, so that a second file with one of them fails.
func (im *Importer) importSource(ctx context.Context, name, source string, src []byte, images ImageSource, seen map[string]string) (byline.SaveResult, []string, error) {
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
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	a := &byline.Article{
		Slug: fm.Slug, Title: fm.Title, Standfirst: fm.Standfirst, Body: body,
		Status: fm.Status, Visibility: fm.Visibility, Featured: fm.Featured,
		ImageAlt: fm.ImageAlt, ImageCaption: fm.ImageCaption, ImageCredit: fm.ImageCredit,
		PublishedAt: fm.Date, Source: source,
	}
	if !a.PublishedAt.IsZero() {
		a.PublishedAt = a.PublishedAt.Add(im.DateShift)
	}
	if a.BodyHTML, a.TeaserHTML, err = im.Markdown.RenderArticle(body); err != nil {
		if byline.ErrorCode(err) == byline.EINVALID {
			return 0, nil, fail(fm.BodyLine, "%s", byline.ErrorMessage(err))
		}
		return 0, nil, fail(fm.BodyLine, "%v", err)
	}
	for _, name := range fm.Authors {
		slug := Slugify(name)
		if slug == "" {
			return 0, nil, fail(fm.Lines["authors"], "no slug can be made from the author name %q", name)
		}
		if !slices.ContainsFunc(a.Authors, func(au *byline.Author) bool { return au.Slug == slug }) {
			a.Authors = append(a.Authors, &byline.Author{Slug: slug, Name: name})
		}
	}
	for _, name := range fm.Tags {
		slug := Slugify(name)
		if slug == "" {
			return 0, nil, fail(fm.Lines["tags"], "no slug can be made from the tag %q", name)
		}
		if !slices.ContainsFunc(a.Tags, func(t *byline.Tag) bool { return t.Slug == slug }) {
			a.Tags = append(a.Tags, &byline.Tag{Slug: slug, Name: name})
		}
	}
	if err := checkFields(name, fm, a); err != nil {
		return 0, nil, err
	}

	slugLine := fm.Lines["slug"]
	if slugLine == 0 {
		slugLine = fm.Lines["title"]
	}
	if other, ok := seen[a.Slug]; ok && other != source {
		return 0, nil, fail(slugLine, "the slug %q is also used by %s, imported earlier in this run; give one of the two files another slug",
			a.Slug, strings.TrimPrefix(other, "import:"))
	}
	old, err := im.Store.FindArticleBySlug(ctx, a.Slug)
	switch {
	case err == nil:
		if old.Source != source {
			if !im.Replace {
				return 0, nil, fail(slugLine, "the slug %q is already used by %s; give this file another slug, or run import with --replace to overwrite it",
					a.Slug, describeSource(old.Source))
			}
			warnings = append(warnings, "replaced "+describeSource(old.Source)+" (--replace)")
			a.Takeover = true // the store checks again, inside its transaction
		}
		if a.PublishedAt.IsZero() {
			// A file without a date keeps the publish time it got when first imported.
			a.PublishedAt = old.PublishedAt
		}
	case byline.ErrorCode(err) == byline.ENOTFOUND:
		if a.PublishedAt.IsZero() {
			a.PublishedAt = im.now()
		}
	default:
		return 0, nil, err
	}
	if err := a.Validate(); err != nil {
		return 0, nil, fail(0, "%s", byline.ErrorMessage(err))
	}

	var upload *byline.ImageUpload
	if fm.Image != "" {
		imageLine := fm.Lines["image"]
		data, err := images(ctx, fm.Image)
		if err != nil {
			if ctx.Err() != nil {
				return 0, nil, ctx.Err()
			}
			return 0, nil, fail(imageLine, "image %q: %s", fm.Image, byline.ErrorMessage(err))
		}
		sum := sha256.Sum256(data)
		img, err := im.Store.FindImageByHash(ctx, hex.EncodeToString(sum[:]))
		switch {
		case err == nil:
			a.Image = img
		case byline.ErrorCode(err) == byline.ENOTFOUND:
			img, variants, err := media.Process(data)
			if err != nil {
				return 0, nil, fail(imageLine, "image %q: %s", fm.Image, byline.ErrorMessage(err))
			}
			upload = &byline.ImageUpload{Image: img, Original: data, Variants: variants}
		default:
			return 0, nil, err
		}
	}
	res, err := im.Store.SaveArticle(ctx, a, upload)
	if err != nil {
		if code := byline.ErrorCode(err); code == byline.EINVALID || code == byline.ECONFLICT {
			return 0, nil, fail(0, "%s", byline.ErrorMessage(err))
		}
		return 0, nil, fmt.Errorf("%s: save: %w", name, err)
	}
	if seen != nil {
		seen[a.Slug] = source
	}
	return res, warnings, nil
}

// checkFields checks the article against the domain's rules (Article.Validate) before any
// photo is read or anything written, and names the line of the front matter key at fault.
// The publish time of a file without a date is settled later: a placeholder stands in.
func checkFields(name string, fm *FrontMatter, a *byline.Article) error {
	probe := *a
	if probe.PublishedAt.IsZero() {
		probe.PublishedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	err := probe.Validate()
	if err == nil {
		return nil
	}
	var line int
	switch field := byline.ErrorField(err); field {
	case "body":
		line = fm.BodyLine
	case "published_at":
		line = fm.Lines["date"]
	default:
		line = fm.Lines[field]
	}
	return &ParseError{File: name, Line: line, Reason: byline.ErrorMessage(err)}
}

// describeSource names where an article came from, for messages.
func describeSource(source string) string {
	switch {
	case strings.HasPrefix(source, "import:"):
		return "the article imported from " + strings.TrimPrefix(source, "import:")
	case strings.HasPrefix(source, "sample:"):
		return "the sample article " + strings.TrimPrefix(source, "sample:")
	case source == "":
		return "an article made in Byline (or imported before Byline recorded where articles come from)"
	}
	return "the article from " + source
}

// now is the publish time of a new file without a date.
func (im *Importer) now() time.Time {
	if im.Now != nil {
		return im.Now().UTC()
	}
	return time.Now().UTC()
}

// fetcher returns the Fetcher for images given by URL.
func (im *Importer) fetcher() *media.Fetcher {
	if im.Fetcher != nil {
		return im.Fetcher
	}
	return defaultFetcher
}

// isURL reports whether an image reference is a web address (or looks like an address of
// another kind, which the fetcher then refuses) rather than a path.
func isURL(ref string) bool {
	scheme, _, ok := strings.Cut(ref, "://")
	return ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`)
}

// Errors reading files inside an import folder. The one for a path that leaves the folder
// is the same whether or not something exists there, and says nothing of what it holds.
var (
	errOutside  = byline.Errorf(byline.EINVALID, "The image must be a file inside the import folder.")
	errNotFound = byline.Errorf(byline.EINVALID, "There is no such file in the import folder.")
)

// localImage reads an image named by a path: relative to the Markdown file's folder dir,
// or, when it starts with "/", to the import folder root. It must stay inside root.
func localImage(root *os.Root, dir, ref string) ([]byte, error) {
	p := filepath.FromSlash(ref)
	if strings.HasPrefix(ref, "/") {
		p = filepath.Clean(strings.TrimLeft(p, `/\`))
	} else {
		p = filepath.Join(dir, p)
	}
	if !filepath.IsLocal(p) {
		return nil, errOutside
	}
	data, err := readRegular(root, p, media.MaxBytes, "image")
	if err == errOutsideFile {
		return nil, errOutside
	}
	return data, err
}

// errOutsideFile is readRegular's refusal of a path that leaves the root.
var errOutsideFile = byline.Errorf(byline.EINVALID, "The file must be inside the import folder.")

// readRegular reads the regular file name inside root, of at most max bytes, without ever
// opening a device or a pipe or reading more than max+1 bytes. what names the file in
// messages ("file", "image").
func readRegular(root *os.Root, name string, max int64, what string) ([]byte, error) {
	st, err := root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, errNotFound
	case errors.Is(err, fs.ErrPermission):
		return nil, byline.Errorf(byline.EINVALID, "The %s cannot be read: permission denied.", what)
	case err != nil:
		return nil, errOutsideFile // the root refuses paths and links that lead out of it
	case !st.Mode().IsRegular():
		return nil, byline.Errorf(byline.EINVALID, "The %s is not a regular file (it is a folder, a device or a pipe).", what)
	case st.Size() > max:
		return nil, tooLarge(what, max)
	}
	// O_NONBLOCK: should a pipe take the file's place after the check, opening it does not
	// wait for a writer; the check on the open file below then refuses it.
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, byline.Errorf(byline.EINVALID, "The %s cannot be opened.", what)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, byline.Errorf(byline.EINVALID, "The %s is not a regular file (it is a folder, a device or a pipe).", what)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, byline.Errorf(byline.EINVALID, "The %s could not be read to the end.", what)
	}
	if int64(len(data)) > max {
		return nil, tooLarge(what, max)
	}
	return data, nil
}

// tooLarge says that a file is over its limit, in MB or KB.
func tooLarge(what string, max int64) error {
	if max >= 1<<20 && max%(1<<20) == 0 {
		return byline.Errorf(byline.EINVALID, "The %s is larger than %d MB.", what, max>>20)
	}
	return byline.Errorf(byline.EINVALID, "The %s is larger than %d KB.", what, max>>10)
}
