//go:build unix

package store

import (
	"os"
	"sync"
	"syscall"
	"time"
)

// walWatch tells cheaply whether any connection, in this process or another, has committed
// to a SQLite database in WAL mode since it last looked. It reads the header of the
// WAL-index (the "-shm" file every connection maps), whose change counter and frame count
// move with each commit (https://www.sqlite.org/walformat.html). When the header is as
// it was, the content revision read after it still holds and no query is needed; once a
// second a query runs anyway, so even an unforeseen case stays stale for a second at most.
type walWatch struct {
	shm []byte // the first page of the -shm file, mapped read-only

	mu      sync.Mutex
	header  [48]byte
	rev     int64
	checked time.Time
}

// walHeaderSize is the size of one copy of the WAL-index header.
const walHeaderSize = 48

func newWALWatch(dbPath string) *walWatch {
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return nil
	}
	defer f.Close()
	// Map only a file SQLite has set up: a shorter one would fault when read. Every
	// connection of this process holds the file open, so nobody truncates it meanwhile.
	if st, err := f.Stat(); err != nil || st.Size() < 4096 {
		return nil
	}
	shm, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return &walWatch{shm: shm}
}

// revision returns the revision last read when nothing has been committed since, or false.
func (w *walWatch) revision(now time.Time) (int64, [walHeaderSize]byte, bool) {
	var h [walHeaderSize]byte
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shm == nil { // closed
		return 0, h, false
	}
	copy(h[:], w.shm[:walHeaderSize])
	if h == w.header && now.Sub(w.checked) < time.Second && w.rev != 0 {
		return w.rev, h, true
	}
	return 0, h, false
}

// remember records the revision read after the header h was seen.
func (w *walWatch) remember(h [walHeaderSize]byte, rev int64, now time.Time) {
	w.mu.Lock()
	w.header, w.rev, w.checked = h, rev, now
	w.mu.Unlock()
}

// close unmaps the file; later calls find nothing mapped and ask the database instead.
func (w *walWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shm != nil {
		syscall.Munmap(w.shm)
		w.shm = nil
	}
}
