//go:build !unix

package store

import "time"

// walWatch is not available here: every page request reads the revision.
type walWatch struct{}

const walHeaderSize = 48

func newWALWatch(string) *walWatch { return nil }

func (w *walWatch) revision(time.Time) (int64, [walHeaderSize]byte, bool) {
	return 0, [walHeaderSize]byte{}, false
}

func (w *walWatch) remember([walHeaderSize]byte, int64, time.Time) {}

func (w *walWatch) stop() {}

func (w *walWatch) release() {}
