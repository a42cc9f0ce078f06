package byline

import (
	"strings"
	"testing"
	"time"
)

func validArticle() *Article {
	return &Article{Slug: "spies-expelled", Title: "Spies expelled", Body: "Text.", Status: StatusPublished,
		Visibility: VisibilityPublic, PublishedAt: time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC),
		Authors: []*Author{{Slug: "jean-dupont", Name: "Jean Dupont"}}, Tags: []*Tag{{Slug: "politique", Name: "Politique"}}}
}

func TestArticleValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(a *Article)
		want   string // part of the message; "" for valid
	}{
		{"valid", func(a *Article) {}, ""},
		{"unicode slug", func(a *Article) { a.Slug = "москва-2026" }, ""},
		{"no title", func(a *Article) { a.Title = " " }, "needs a title"},
		{"no slug", func(a *Article) { a.Slug = "" }, "needs a slug"},
		{"upper-case slug", func(a *Article) { a.Slug = "Spies" }, "not valid"},
		{"slug with a slash", func(a *Article) { a.Slug = "a/b" }, "not valid"},
		{"long slug", func(a *Article) { a.Slug = strings.Repeat("a", MaxSlug+1) }, "at most 200"},
		{"long title", func(a *Article) { a.Title = strings.Repeat("é", MaxTitle+1) }, "at most 300"},
		{"title at the limit", func(a *Article) { a.Title = strings.Repeat("é", MaxTitle) }, ""},
		{"huge title", func(a *Article) { a.Title = strings.Repeat("x", 5<<20) }, "longer than 300"},
		{"windows-1252 body", func(a *Article) { a.Body = "Caf\xe9 cr\xe8me" }, "not valid UTF-8 text at line 1"},
		{"form feed on line 3", func(a *Article) { a.Body = "a\nb\nc\fd" }, "U+000C at line 3"},
		{"escape in standfirst", func(a *Article) { a.Standfirst = "\x1b[31m" }, "U+001B"},
		{"replacement character is text", func(a *Article) { a.Body = "a \uFFFD b" }, ""},
		{"non-character", func(a *Article) { a.Body = "\uFFFE" }, "U+FFFE"},
		{"body too large", func(a *Article) { a.Body = strings.Repeat("a", MaxBodyBytes+1) }, "at most 1024 KB"},
		{"too many tags", func(a *Article) {
			for i := range MaxTags {
				a.Tags = append(a.Tags, &Tag{Slug: "t" + strings.Repeat("x", i), Name: "T"})
			}
		}, "at most 30 tags"},
		{"author without slug", func(a *Article) { a.Authors[0].Slug = "" }, "author needs a slug"},
		{"author bio with NUL", func(a *Article) { a.Authors[0].Bio = "a\x00b" }, "U+0000"},
		{"tag description in Latin-1", func(a *Article) { a.Tags[0].Description = "\xe9t\xe9" }, "not valid UTF-8"},
		{"source in Latin-1", func(a *Article) { a.Source = "import:/news/\xe9t\xe9.md" }, "not valid UTF-8"},
		{"year 0", func(a *Article) { a.PublishedAt = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC) }, "out of range"},
		{"year 10000 in UTC", func(a *Article) {
			a.PublishedAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("EST", -5*3600))
		}, "out of range"},
		{"no publish time", func(a *Article) { a.PublishedAt = time.Time{} }, "needs a publish time"},
		{"photo without alt", func(a *Article) { a.Image = &Image{ID: 1} }, "alt text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := validArticle()
			tt.change(a)
			err := a.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want valid", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			case err != nil && ErrorCode(err) != EINVALID:
				t.Fatalf("code %q, want invalid", ErrorCode(err))
			}
		})
	}
}

func TestSitePath(t *testing.T) {
	for u, want := range map[string]bool{
		"/": true, "/tag/politics/": true, "//evil.example/": false, "/\\evil.example/": false,
		"https://example.org/": false, "tag/politics/": false, "/a\r\nb": false, "": false,
	} {
		if got := SitePath(u); got != want {
			t.Errorf("SitePath(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestSettingsValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(s *Settings)
		ok     bool
	}{
		{"defaults", func(s *Settings) {}, true},
		{"navigation to another host by //", func(s *Settings) { s.Navigation = []NavLink{{Label: "X", URL: "//evil.example/"}} }, false},
		{"navigation to an http address", func(s *Settings) { s.Navigation = []NavLink{{Label: "X", URL: "https://example.org/"}} }, true},
		{"navigation with a line break", func(s *Settings) { s.Navigation = []NavLink{{Label: "X", URL: "https://example.org/\r\nx"}} }, false},
		{"logo on another host by //", func(s *Settings) { s.Logo = "//evil.example/logo.svg" }, false},
		{"logo as javascript", func(s *Settings) { s.Logo = "javascript:alert(1)" }, false},
		{"title with ESC", func(s *Settings) { s.Title = "\x1bTitle" }, false},
		{"long description", func(s *Settings) { s.Description = strings.Repeat("d", MaxStandfirst+1) }, false},
	} {
		s := DefaultSettings()
		tt.change(&s)
		if err := s.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: got %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestValidateNamesTheField: forms and the importer show a message beside its field.
func TestValidateNamesTheField(t *testing.T) {
	for field, change := range map[string]func(a *Article){
		"title":        func(a *Article) { a.Title = strings.Repeat("x", MaxTitle+1) },
		"slug":         func(a *Article) { a.Slug = "A B" },
		"body":         func(a *Article) { a.Body = "\x00" },
		"tags":         func(a *Article) { a.Tags[0].Name = "" },
		"authors":      func(a *Article) { a.Authors[0].Slug = "" },
		"published_at": func(a *Article) { a.PublishedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"image_alt":    func(a *Article) { a.Image = &Image{ID: 1} },
	} {
		a := validArticle()
		change(a)
		if got := ErrorField(a.Validate()); got != field {
			t.Errorf("field %q, want %q", got, field)
		}
	}
}
