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
//
// The watch keeps its descriptor of the -shm file open until the database is closed, after
// every connection: closing any descriptor of a file drops every POSIX lock the process
// holds on it, SQLite's own shared-memory locks included, and another process would then
// believe it is alone and rebuild the WAL-index under us. Mapping the page costs no system
// call per request; reading it with pread would cost one.
type walWatch struct {
	file *os.File // held open for the database's lifetime; see above
	shm  []byte   // the first page of the -shm file, mapped read-only; nil: not watching

	mu      sync.Mutex
	header  [48]byte
	rev     int64
	checked time.Time
}

// walHeaderSize is the size of one copy of the WAL-index header.
const walHeaderSize = 48

func newWALWatch(dbPath string) *walWatch {
	// Map only a file SQLite has set up: a shorter one would fault when read. The store's
	// write connection stays open and holds SQLite's shared lock on the file, so no other
	// process truncates it meanwhile. Stat by name: a descriptor once opened must stay open.
	if st, err := os.Stat(dbPath + "-shm"); err != nil || st.Size() < 4096 {
		return nil
	}
	f, err := os.Open(dbPath + "-shm")
	if err != nil {
		return nil
	}
	w := &walWatch{file: f}
	if shm, err := syscall.Mmap(int(f.Fd()), 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED); err == nil {
		w.shm = shm
	}
	return w
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

// close unmaps the file and closes the descriptor; later calls find nothing mapped and ask
// the database instead. Call it only after every connection to the database is closed.
func (w *walWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shm != nil {
		syscall.Munmap(w.shm)
		w.shm = nil
	}
	if w.file != nil {
		w.file.Close()
		w.file = nil
	}
}
