//go:build linux

package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSQLiteKeepsItsShmLock: SQLite holds a POSIX lock on the -shm file while a connection
// is open; other processes rely on it to know they are not alone. Closing any descriptor of
// the file would drop every lock the process holds on it, so the WAL watch must not.
func TestSQLiteKeepsItsShmLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "byline.db")
	db, err := Open(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.wal == nil || db.wal.shm == nil {
		t.Fatal("no WAL watch on a SQLite database")
	}
	if _, err := db.ContentRevision(ctx); err != nil {
		t.Fatal(err)
	}
	if n := locksHeld(t, path+"-shm", os.Getpid()); n == 0 {
		t.Fatal("this process holds no lock on the -shm file: SQLite's shared-memory lock was dropped")
	}
}

// locksHeld counts the POSIX locks pid holds on the file, from /proc/locks.
func locksHeld(t *testing.T, file string, pid int) int {
	t.Helper()
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	ino := st.Sys().(*syscall.Stat_t).Ino
	f, err := os.Open("/proc/locks")
	if err != nil {
		t.Skip("no /proc/locks here")
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 1: POSIX  ADVISORY  READ 12345 08:01:123456 128 128
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "POSIX" {
			continue
		}
		dev := strings.Split(fields[5], ":")
		if fields[4] == fmt.Sprint(pid) && len(dev) == 3 && dev[2] == fmt.Sprint(ino) {
			n++
		}
	}
	return n
}

// TestShmLockOutlivesOneOfTwoStores: closing one of two stores open on the same file in one
// process leaves the other's SQLite locks in place.
func TestShmLockOutlivesOneOfTwoStores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "byline.db")
	first, err := Open(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if _, err := second.ContentRevision(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()
	if n := locksHeld(t, path+"-shm", os.Getpid()); n == 0 {
		t.Fatal("closing one store dropped the other's locks on the -shm file")
	}
	if _, err := second.ContentRevision(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestShmLockOutlivesCloseWithQueryInFlight: Close does not wait for a query still reading;
// SQLite's locks must stay until that connection is gone too.
func TestShmLockOutlivesCloseWithQueryInFlight(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "byline.db")
	db, err := Open(ctx, path, true)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT 1 UNION ALL SELECT 2`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	db.Close()
	if n := locksHeld(t, path+"-shm", os.Getpid()); n == 0 {
		t.Fatal("Close dropped SQLite's locks while a query was still reading")
	}
	rows.Close()
}
