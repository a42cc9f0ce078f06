package byline_test

import (
	"testing"

	"byline"
)

// TestSettingsProblems checks that every bad field is named, once, and good settings pass.
func TestSettingsProblems(t *testing.T) {
	if p := byline.DefaultSettings().Problems(); len(p) != 0 {
		t.Fatalf("default settings: %v, want no problem", p)
	}
	s := byline.DefaultSettings()
	s.Title, s.Logo, s.Accent, s.Locale, s.Timezone = " ", "//evil.example/x.png", "#ffee00", "e", "Mars/Olympus"
	s.Navigation = []byline.NavLink{{Label: "x", URL: "javascript:alert(1)"}}
	var fields []string
	for _, p := range s.Problems() {
		fields = append(fields, p.Field)
	}
	want := []string{"title", "logo", "accent", "locale", "timezone", "navigation"}
	if len(fields) != len(want) {
		t.Fatalf("problems in %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Errorf("problem %d in %q, want %q", i, fields[i], want[i])
		}
	}
	for accent, ok := range map[string]bool{"": true, "#b3261e": true, "#0B5394": true, "#ffffff": false, "#ff8a80": false, "b3261e": false, "#b3261": false, "#gggggg": false} {
		s := byline.DefaultSettings()
		s.Accent = accent
		if err := s.Validate(); (err == nil) != ok {
			t.Errorf("accent %q: %v, want ok %v", accent, err, ok)
		}
	}
}
