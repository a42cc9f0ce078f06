// Package publishing puts articles into the newsroom: importing them from Markdown files,
// making slugs, and the sample newsroom a fresh install starts with.
package publishing

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen bounds slugs so URLs stay readable; slugs are cut at a word boundary.
const maxSlugLen = 80

// letters that do not decompose into a base letter and accents.
var foldings = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// Slugify makes a URL slug from a title: lower case, accents removed, apostrophes dropped,
// anything else that is not a letter or digit turned into a single hyphen.
// "Quai d'Orsay" gives "quai-dorsay"; "Gérald Darmanin" gives "gerald-darmanin".
func Slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r): // a combining accent: drop it
		case r == '\'' || r == '’' || r == 'ʼ':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			if f, ok := foldings[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		default:
			hyphen = true
		}
	}
	s := norm.NFC.String(b.String())
	if len(s) > maxSlugLen {
		s = s[:maxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > maxSlugLen/2 {
			s = s[:i]
		}
		s = strings.ToValidUTF8(s, "")
		s = strings.Trim(s, "-")
	}
	return s
}

// ValidSlug reports whether s could have come from Slugify: what a front matter "slug" must be.
func ValidSlug(s string) bool {
	return s != "" && len(s) <= maxSlugLen && Slugify(s) == s
}

// reserved are first path segments the site itself uses; no article may take them.
var reserved = map[string]bool{
	"page": true, "tag": true, "author": true, "rss": true, "static": true, "media": true,
	"admin": true, "api": true, "members": true, "healthz": true, "feed": true, "search": true,
	"preview": true, "corrections": true, "sitemap": true,
}

// Reserved reports whether slug names a part of the site rather than an article.
func Reserved(slug string) bool { return reserved[slug] }
