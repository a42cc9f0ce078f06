package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Smarten gives plain text (headlines, standfirsts, captions) the typography that Render
// gives bodies: straight quotes become curly ones, "..." an ellipsis, "--" an en dash and
// "---" an em dash. It returns plain text; escaping is the template's job.
func Smarten(s string) string {
	if !strings.ContainsAny(s, `"'.-`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(-1) // the rune before the current one; -1 at the start
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case strings.HasPrefix(s[i:], "..."):
			b.WriteRune('…')
			i, prev = i+3, '…'
			continue
		case strings.HasPrefix(s[i:], "---"):
			b.WriteRune('—')
			i, prev = i+3, '—'
			continue
		case strings.HasPrefix(s[i:], "--"):
			b.WriteRune('–')
			i, prev = i+2, '–'
			continue
		case r == '"':
			if opens(prev) {
				r = '“'
			} else {
				r = '”'
			}
		case r == '\'':
			if opens(prev) {
				r = '‘'
			} else {
				r = '’'
			}
		}
		b.WriteRune(r)
		i, prev = i+size, r
	}
	return b.String()
}

// opens reports whether a quote after prev opens a quotation rather than closing one.
func opens(prev rune) bool {
	return prev == -1 || unicode.IsSpace(prev) || strings.ContainsRune("([{‘“«—–-/", prev)
}
