package publishing_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"byline/publishing"
)

func TestSlugify(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Quai d'Orsay", "quai-dorsay"},
		{"Quai d’Orsay", "quai-dorsay"},
		{"Gérald Darmanin", "gerald-darmanin"},
		{"France expels Russian spies ‘operating under diplomatic cover’", "france-expels-russian-spies-operating-under-diplomatic-cover"},
		{"Élisabeth Borne: « Nous tirerons toutes les conséquences »", "elisabeth-borne-nous-tirerons-toutes-les-consequences"},
		{"Œuvres complètes & straße", "oeuvres-completes-strasse"},
		{"  --Hello,   World!--  ", "hello-world"},
		{"2026: the year in 10 numbers", "2026-the-year-in-10-numbers"},
		{"!!!", ""},
	} {
		if got := publishing.Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlugifyLong(t *testing.T) {
	got := publishing.Slugify(strings.Repeat("word ", 40))
	if len(got) > 80 || strings.HasSuffix(got, "-") || strings.HasSuffix(got, "wor") {
		t.Fatalf("got %q (%d bytes), want at most 80 bytes cut at a word", got, len(got))
	}
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Quai d'Orsay", "Gérald Darmanin", "", "---", "日本語のタイトル", "a\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := publishing.Slugify(in)
		if !utf8.ValidString(s) {
			t.Fatalf("Slugify(%q) = %q: not UTF-8", in, s)
		}
		if len(s) > 80 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("Slugify(%q) = %q: not a clean slug", in, s)
		}
		if strings.ContainsAny(s, "/?#%&' \"<>") {
			t.Fatalf("Slugify(%q) = %q: has URL-unsafe characters", in, s)
		}
		if publishing.Slugify(s) != s {
			t.Fatalf("Slugify is not idempotent on %q: %q then %q", in, s, publishing.Slugify(s))
		}
	})
}
