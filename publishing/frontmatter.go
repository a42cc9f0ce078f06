package publishing

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"byline"

	"go.yaml.in/yaml/v3"
)

// FrontMatter is what a Markdown file says about its article, in the keys Hugo and Jekyll
// newsrooms already use.
type FrontMatter struct {
	Title        string
	Slug         string
	Date         time.Time // zero when the file gives none
	Standfirst   string
	Authors      []string
	Tags         []string
	Image        string
	ImageAlt     string
	ImageCaption string
	ImageCredit  string
	Featured     bool
	Status       byline.Status
	Visibility   byline.Visibility
	// Ignored lists keys the file has that Byline does not use, to tell the importer's user.
	Ignored []string
	// Lines gives the line of each key the file has, by the field's name ("standfirst" for
	// description too, "authors" for author, "status" for draft), for messages.
	Lines map[string]int
	// BodyLine is the line the body starts on.
	BodyLine int
}

// ParseError is a problem in one file, at one line (0 when it concerns the whole file).
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// ParseFile splits a Markdown file into its front matter and body. Dates without a time zone
// are read in loc. Errors are *ParseError with the file's line numbers.
func ParseFile(name string, src []byte, loc *time.Location) (*FrontMatter, string, error) {
	fail := func(line int, format string, args ...any) error {
		return &ParseError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // a byte order mark
	if line, reason := checkBytes(src); reason != "" {
		return nil, "", fail(line, "%s", reason)
	}
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	if !strings.HasPrefix(text, "---\n") {
		return nil, "", fail(1, "the file must start with front matter: a line \"---\", YAML keys, and another \"---\"")
	}
	rest := text[len("---\n"):]
	var yamlText, body string
	if strings.HasPrefix(rest, "---\n") || rest == "---" {
		yamlText, body = "", strings.TrimPrefix(rest, "---")
	} else {
		end := strings.Index(rest, "\n---\n")
		if end < 0 {
			if strings.HasSuffix(rest, "\n---") {
				end = len(rest) - len("\n---")
			} else {
				return nil, "", fail(1, "the front matter is not closed by a line \"---\"")
			}
		}
		yamlText, body = rest[:end+1], rest[min(len(rest), end+len("\n---\n")):]
	}
	// The YAML starts on line 2 of the file.
	const offset = 1
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(yamlText), &doc); err != nil {
		line, reason := yamlErrorLine(err)
		return nil, "", fail(line+offset, "the front matter is not valid YAML: %s", reason)
	}
	fm := &FrontMatter{Status: byline.StatusPublished, Visibility: byline.VisibilityPublic, Lines: map[string]int{},
		BodyLine: strings.Count(text[:len(text)-len(body)], "\n") + 1}
	if len(doc.Content) == 0 {
		return nil, "", fail(1, "the front matter is empty; it needs at least a title")
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, "", fail(m.Line+offset, "the front matter must be a list of \"key: value\" lines")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := v.Line + offset
		key := strings.ToLower(k.Value)
		if seen[key] {
			return nil, "", fail(k.Line+offset, "the key %q appears twice", k.Value)
		}
		seen[key] = true
		field := key
		switch key {
		case "description":
			field = "standfirst"
		case "author":
			field = "authors"
		case "draft":
			field = "status"
		}
		fm.Lines[field] = k.Line + offset
		var err error
		switch key {
		case "title":
			fm.Title, err = scalar(v, key)
		case "slug":
			fm.Slug, err = scalar(v, key)
			if err == nil && !ValidSlug(fm.Slug) {
				err = fmt.Errorf("slug %q is not a valid slug: use lower-case letters, digits and hyphens, like %q", fm.Slug, Slugify(fm.Slug))
			}
		case "date":
			var s string
			if s, err = scalar(v, key); err == nil {
				fm.Date, err = parseDate(s, loc)
			}
		case "standfirst", "description":
			if fm.Standfirst != "" {
				err = fmt.Errorf("give either standfirst or description, not both")
			} else {
				fm.Standfirst, err = scalar(v, key)
			}
		case "authors", "author":
			if len(fm.Authors) > 0 {
				err = fmt.Errorf("give either authors or author, not both")
			} else {
				fm.Authors, err = list(v, key)
			}
		case "tags":
			fm.Tags, err = list(v, key)
		case "image":
			fm.Image, err = scalar(v, key)
		case "image_alt":
			fm.ImageAlt, err = scalar(v, key)
		case "image_caption":
			fm.ImageCaption, err = scalar(v, key)
		case "image_credit":
			fm.ImageCredit, err = scalar(v, key)
		case "featured":
			fm.Featured, err = boolean(v, key)
		case "draft": // Hugo's way of saying status: draft
			var draft bool
			if draft, err = boolean(v, key); err == nil && draft {
				fm.Status = byline.StatusDraft
			}
		case "status":
			var s string
			if s, err = scalar(v, key); err == nil {
				fm.Status = byline.Status(strings.ToLower(s))
				if !fm.Status.Valid() {
					err = fmt.Errorf("status %q is not one of draft, published", s)
				}
			}
		case "visibility":
			var s string
			if s, err = scalar(v, key); err == nil {
				fm.Visibility = byline.Visibility(strings.ToLower(s))
				if !fm.Visibility.Valid() {
					err = fmt.Errorf("visibility %q is not one of public, members, paid", s)
				}
			}
		default:
			fm.Ignored = append(fm.Ignored, k.Value)
		}
		if err != nil {
			return nil, "", fail(line, "%v", err)
		}
	}
	fm.Title = strings.TrimSpace(fm.Title)
	if fm.Title == "" {
		return nil, "", fail(1, "the front matter has no title")
	}
	if fm.Slug == "" {
		if fm.Slug = Slugify(fm.Title); fm.Slug == "" {
			return nil, "", fail(1, "no slug can be made from the title %q; give a slug", fm.Title)
		}
	}
	if Reserved(fm.Slug) {
		return nil, "", fail(1, "the slug %q is used by the site itself; give another slug", fm.Slug)
	}
	if fm.Image == "" && (fm.ImageAlt != "" || fm.ImageCaption != "" || fm.ImageCredit != "") {
		return nil, "", fail(1, "image_alt, image_caption or image_credit is given but there is no image")
	}
	if fm.Image != "" && strings.TrimSpace(fm.ImageAlt) == "" {
		return nil, "", fail(1, "the image has no image_alt: describe the photo for readers who cannot see it")
	}
	if strings.TrimSpace(body) == "" {
		return nil, "", fail(1, "the article has no body below the front matter")
	}
	return fm, body, nil
}

func scalar(v *yaml.Node, key string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%s must be a single value", key)
	}
	return strings.TrimSpace(v.Value), nil
}

// list accepts a YAML list of names or one name (comma-separated names are not split:
// "Smith, John" is one person).
func list(v *yaml.Node, key string) ([]string, error) {
	var out []string
	switch v.Kind {
	case yaml.ScalarNode:
		if s := strings.TrimSpace(v.Value); s != "" {
			out = append(out, s)
		}
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s must be a list of names", key)
			}
			if s := strings.TrimSpace(item.Value); s != "" {
				out = append(out, s)
			}
		}
	default:
		return nil, fmt.Errorf("%s must be a list of names", key)
	}
	return out, nil
}

func boolean(v *yaml.Node, key string) (bool, error) {
	if v.Kind == yaml.ScalarNode {
		if b, err := strconv.ParseBool(strings.ToLower(v.Value)); err == nil {
			return b, nil
		}
		switch strings.ToLower(v.Value) {
		case "yes", "on":
			return true, nil
		case "no", "off":
			return false, nil
		}
	}
	return false, fmt.Errorf("%s must be true or false", key)
}

// dateLayouts are the date forms accepted, with or without a time zone.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"}

func parseDate(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range dateLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		if y := t.UTC().Year(); y < byline.MinYear || y > byline.MaxYear {
			if y := t.Year(); y >= byline.MinYear && y <= byline.MaxYear {
				return time.Time{}, fmt.Errorf("date %q is in the year %d in UTC, as Byline stores it: use a year from %d to %d", s, t.UTC().Year(), byline.MinYear, byline.MaxYear)
			}
			return time.Time{}, fmt.Errorf("date %q is out of range: use a year from %d to %d", s, byline.MinYear, byline.MaxYear)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("date %q is not a date: use RFC 3339 (2024-05-31T14:30:00+02:00) or YYYY-MM-DD", s)
}

// yamlErrorLine pulls "line N" out of a YAML error.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		if _, reason, ok := strings.Cut(msg, ": "); ok {
			return line, reason
		}
	}
	return 0, msg
}

// checkBytes finds the first thing in a file that no page or feed may carry: bytes that are
// not UTF-8 (a file saved as Windows-1252 or Latin-1), or a control character XML forbids
// (form feed, escape, NUL, …). It returns its line and the reason, or 0 and "".
func checkBytes(src []byte) (int, string) {
	lineOf := func(i int) int { return bytes.Count(src[:i], []byte("\n")) + 1 }
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			line := lineOf(i)
			col := i - (bytes.LastIndexByte(src[:i], '\n') + 1) + 1
			return line, fmt.Sprintf("the file is not valid UTF-8 text: byte %d of line %d is 0x%02X; save it as UTF-8 (it may be in Windows-1252 or Latin-1)", col, line, src[i])
		case !byline.XMLChar(r):
			name := controlNames[r]
			if name != "" {
				name = " (" + name + ")"
			}
			line := lineOf(i)
			return line, fmt.Sprintf("line %d holds the control character %U%s, which no page or feed may carry; remove it", line, r, name)
		}
		i += size
	}
	return 0, ""
}

// controlNames names the control characters most often met in files, for messages.
var controlNames = map[rune]string{
	0x00: "NUL", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "escape",
	0xFFFE: "not a character", 0xFFFF: "not a character",
}
