// Package byline holds the domain of a membership-funded newsroom: articles, authors, tags,
// images and site settings, the store interfaces the adapters implement, and the pure rules
// (who may read what). It knows nothing of HTTP or SQL and imports only the standard library.
package byline

import "time"

// Version is the build's version, set with -ldflags "-X byline.Version=...".
var Version = "0.1.0-dev"

// Now is the clock every part of Byline asks for the time. Tests replace it; SQL never
// computes time itself.
type Now func() time.Time
