package publishing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"byline"
	"byline/publishing"
)

func TestParseFile(t *testing.T) {
	src := `---
title: "Quai d'Orsay summons envoy"
date: 2026-05-31
description: The ministry acted after a long inquiry.
author: Gérald Martin
tags: [Politics, Diplomacy]
image: photo.jpg
image_alt: The ministry's facade
image_credit: Claire Lebertre / AFP
featured: yes
visibility: Members
layout: post
---
Body text.
`
	paris, _ := time.LoadLocation("Europe/Paris")
	fm, body, err := publishing.ParseFile("a.md", []byte(src), paris)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fm.Slug, "quai-dorsay-summons-envoy"; got != want {
		t.Errorf("slug = %q, want %q", got, want)
	}
	if got, want := fm.Date, time.Date(2026, 5, 30, 22, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("date = %v, want %v (midnight in Paris)", got, want)
	}
	if fm.Standfirst != "The ministry acted after a long inquiry." || len(fm.Authors) != 1 || fm.Authors[0] != "Gérald Martin" {
		t.Errorf("standfirst/authors = %q %q", fm.Standfirst, fm.Authors)
	}
	if len(fm.Tags) != 2 || fm.Tags[0] != "Politics" || !fm.Featured || fm.Visibility != byline.VisibilityMembers || fm.Status != byline.StatusPublished {
		t.Errorf("tags/featured/visibility/status = %q %v %q %q", fm.Tags, fm.Featured, fm.Visibility, fm.Status)
	}
	if fm.ImageCredit != "Claire Lebertre / AFP" || len(fm.Ignored) != 1 || fm.Ignored[0] != "layout" {
		t.Errorf("credit/ignored = %q %q", fm.ImageCredit, fm.Ignored)
	}
	if body != "Body text.\n" {
		t.Errorf("body = %q", body)
	}
}

func TestParseFileDates(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2026-05-31T14:30:00+02:00", "2026-05-31T12:30:00Z"},
		{"2026-05-31T14:30:00Z", "2026-05-31T14:30:00Z"},
		{"2026-05-31 14:30:00 +0200", "2026-05-31T12:30:00Z"},
		{"2026-05-31", "2026-05-31T00:00:00Z"},
		{"1000-01-01", "1000-01-01T00:00:00Z"},
		{"9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"},
		{"1000-01-01T00:30:00-01:00", "1000-01-01T01:30:00Z"},
	} {
		fm, _, err := publishing.ParseFile("a.md", []byte("---\ntitle: T\ndate: "+tt.in+"\n---\nx\n"), time.UTC)
		if err != nil {
			t.Fatalf("date %s: %v", tt.in, err)
		}
		if got := fm.Date.Format(time.RFC3339); got != tt.want {
			t.Errorf("date %s = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseFileErrors(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		line      int
		reason    string
	}{
		{"NoFrontMatter", "# Just markdown\n", 1, "must start with front matter"},
		{"Unclosed", "---\ntitle: x\nbody\n", 1, "not closed"},
		{"BadYAML", "---\ntitle: x\ntags: [a, b\n---\nbody\n", 0, "not valid YAML"},
		{"NoTitle", "---\ndate: 2026-01-01\n---\nbody\n", 1, "no title"},
		{"BadDate", "---\ntitle: x\ndate: yesterday\n---\nbody\n", 3, "not a date"},
		{"BadStatus", "---\ntitle: x\nstatus: live\n---\nbody\n", 3, "not one of draft, published"},
		{"BadVisibility", "---\ntitle: x\n\nvisibility: secret\n---\nbody\n", 4, "not one of public, members, paid"},
		{"BadSlug", "---\ntitle: x\nslug: Not A Slug\n---\nbody\n", 3, "not a valid slug"},
		{"ReservedSlug", "---\ntitle: RSS\n---\nbody\n", 1, "used by the site"},
		{"TagsNotList", "---\ntitle: x\ntags: {a: b}\n---\nbody\n", 3, "list of names"},
		{"FeaturedNotBool", "---\ntitle: x\nfeatured: maybe\n---\nbody\n", 3, "true or false"},
		{"ImageWithoutAlt", "---\ntitle: x\nimage: a.jpg\n---\nbody\n", 1, "no image_alt"},
		{"DuplicateKey", "---\ntitle: x\ntitle: y\n---\nbody\n", 3, "twice"},
		{"EmptyBody", "---\ntitle: x\n---\n\n", 1, "no body"},
		{"NotMapping", "---\n- a\n- b\n---\nbody\n", 2, "key: value"},
		{"YearZero", "---\ntitle: x\ndate: 0000-01-01\n---\nbody\n", 3, "use a year from 1000 to 9999"},
		{"Year999", "---\ntitle: x\ndate: 0999-12-31T23:00:00Z\n---\nbody\n", 3, "use a year from 1000 to 9999"},
		{"Year10000InUTC", "---\ntitle: x\ndate: 9999-12-31T23:59:59-05:00\n---\nbody\n", 3, "is in the year 10000 in UTC"},
		{"Windows1252Title", "---\ntitle: Caf\xe9 cr\xe8me\n---\nbody\n", 2, "not valid UTF-8"},
		{"Windows1252Body", "---\ntitle: x\n---\nline one\n\nd\xe9j\xe0 vu\n", 6, "Windows-1252"},
		{"FormFeedBody", "---\ntitle: x\n---\nbody\n\x0c\nmore\n", 5, "U+000C"},
		{"EscapeInFrontMatter", "---\ntitle: x\nstandfirst: \x1b[31mred\n---\nbody\n", 3, "U+001B"},
		{"NULInBody", "---\ntitle: x\n---\nbo\x00dy\n", 4, "U+0000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := publishing.ParseFile("bad.md", []byte(tt.src), time.UTC)
			var pe *publishing.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.File != "bad.md" || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("got %v, want file bad.md and reason containing %q", pe, tt.reason)
			}
			if tt.line > 0 && pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, pe)
			}
		})
	}
}

func TestParseFileYAMLErrorLine(t *testing.T) {
	_, _, err := publishing.ParseFile("bad.md", []byte("---\ntitle: x\ntags: [a, b\nfeatured: true\n---\nbody\n"), time.UTC)
	var pe *publishing.ParseError
	if !errors.As(err, &pe) || pe.Line < 2 || pe.Line > 4 {
		t.Fatalf("got %v, want a line number inside the front matter (lines 2-4)", err)
	}
}

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{"---\ntitle: x\n---\nbody", "---\ntitle: [\n---\n", "---\n---\n", "no front matter", "---\ntitle: x\ndate: 2026-01-01\ntags: [a]\n---\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fm, _, err := publishing.ParseFile("f.md", []byte(src), time.UTC)
		if err != nil {
			var pe *publishing.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if fm.Title == "" || !publishing.ValidSlug(fm.Slug) || !fm.Status.Valid() || !fm.Visibility.Valid() {
			t.Fatalf("accepted an invalid front matter: %+v", fm)
		}
	})
}
