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
	file *shmFile // held open for the database's lifetime; see above
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
	st, err := os.Stat(dbPath + "-shm")
	if err != nil || st.Size() < 4096 {
		return nil
	}
	f := openShm(dbPath+"-shm", st)
	if f == nil {
		return nil
	}
	w := &walWatch{file: f}
	if shm, err := syscall.Mmap(int(f.f.Fd()), 0, 4096, syscall.PROT_READ, syscall.MAP_SHARED); err == nil {
		w.shm = shm
	}
	return w
}

// shmFile is this process's one descriptor of a -shm file, shared by every store open on
// the same database: closing it while any of them still has connections would drop their
// SQLite locks, so it closes when the last of them lets go.
type shmFile struct {
	f    *os.File
	id   [2]uint64 // device and inode
	refs int
}

var shmFiles = struct {
	sync.Mutex
	m map[[2]uint64]*shmFile
}{m: map[[2]uint64]*shmFile{}}

// openShm returns the shared descriptor of the -shm file at path, whose Stat is st.
func openShm(path string, st os.FileInfo) *shmFile {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	id := [2]uint64{uint64(sys.Dev), uint64(sys.Ino)}
	shmFiles.Lock()
	defer shmFiles.Unlock()
	if f := shmFiles.m[id]; f != nil {
		f.refs++
		return f
	}
	file, err := os.Open(path)
	if err != nil {
		return nil
	}
	sf := &shmFile{f: file, id: id, refs: 1}
	shmFiles.m[id] = sf
	return sf
}

// release lets go of the descriptor; the last store to do so closes it.
func (sf *shmFile) release() {
	shmFiles.Lock()
	defer shmFiles.Unlock()
	if sf.refs--; sf.refs == 0 {
		delete(shmFiles.m, sf.id)
		sf.f.Close()
	}
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

// stop unmaps the file; later calls find nothing mapped and ask the database instead.
func (w *walWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.shm != nil {
		syscall.Munmap(w.shm)
		w.shm = nil
	}
}

// release lets go of the descriptor. Call it only once every connection of the store is
// closed (see walWatch).
func (w *walWatch) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file != nil {
		w.file.release()
		w.file = nil
	}
}
