package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite", to check the files the processes leave behind
)

// TestSoakBesideOtherProcesses serves the sample newsroom from SQLite under steady load
// while, in separate processes, round after round, `byline import markdown`, `byline
// settings set` and `byline backup` run against the same database, as an operator's
// cron jobs and scripts would. Every request must answer 200, every change must show at
// the very next request after its process exits, the database and every backup must pass
// SQLite's integrity check, and the server must keep SQLite's lock on the -shm file
// throughout: without it, another process that closes the database believes it is the
// last one, checkpoints and deletes the WAL and the -shm file under the server's feet.
func TestSoakBesideOtherProcesses(t *testing.T) {
	const (
		maxRounds = 10
		budget    = 25 * time.Second // no round starts after this; CI has 2 busy cores
		workers   = 6
	)
	began := time.Now()
	data := t.TempDir()
	db := filepath.Join(data, "byline.db")
	srv := startNode(t, "--data", data, "--sample=true")
	pid := srv.cmd.Process.Pid
	if err := shmLockHeld(db+"-shm", pid); err != nil {
		t.Errorf("right after start: %v", err)
	}

	pages := []string{"/", "/night-trains-return-to-lyon-after-a-decades-absence/", "/rss/", "/sitemap.xml",
		"/tag/transport/", "/author/thomas-keller/"}
	load := startLoad(srv.base, pages, workers)

	dir, backups := t.TempDir(), t.TempDir()
	var backupFiles []string
	rounds := 0
	lockLost := false
	for rounds < maxRounds && (rounds == 0 || time.Since(began) < budget) {
		rounds++
		r := rounds
		// A changed article and a new one, imported by another process.
		headline := fmt.Sprintf("Soak headline of round %d", r)
		story := fmt.Sprintf("Soak story of round %d", r)
		writeSoakArticle(t, dir, "soak-headline", headline, time.Now().Add(-2*time.Hour))
		writeSoakArticle(t, dir, fmt.Sprintf("soak-round-%d", r), story, time.Now().Add(-time.Minute))
		out := bylineCmd(t, "import", "markdown", dir, "--data", data)
		if !strings.Contains(out, "0 failed") {
			t.Fatalf("round %d: import:\n%s", r, out)
		}
		expectPage(t, srv, "/soak-headline/", headline, "round %d, after the import", r)
		expectPage(t, srv, fmt.Sprintf("/soak-round-%d/", r), story, "round %d, after the import", r)
		expectPage(t, srv, "/", story, "round %d, after the import", r)

		title := fmt.Sprintf("Round %d", r)
		bylineCmd(t, "settings", "set", "title", title, "--data", data)
		expectPage(t, srv, "/", "<title>"+title, "round %d, after settings set", r)

		file := filepath.Join(backups, fmt.Sprintf("round-%d.db", r))
		bylineCmd(t, "backup", file, "--data", data)
		backupFiles = append(backupFiles, file)

		if err := shmLockHeld(db+"-shm", pid); err != nil && !lockLost {
			lockLost = true
			t.Errorf("after round %d: %v", r, err)
		}
	}
	if err := shmLockHeld(db+"-shm", pid); err != nil {
		t.Errorf("at the end: %v", err)
	}
	ok, failed, failures := load.stop()
	t.Logf("%d rounds of import, settings and backup beside %d readers: %d requests, %d failed, %s",
		rounds, workers, ok+failed, failed, time.Since(began).Round(time.Millisecond))
	if ok == 0 {
		t.Error("no request answered during the soak")
	}
	if failed > 0 {
		t.Errorf("%d of %d requests failed; the first:\n%s", failed, ok+failed, strings.Join(failures, "\n"))
	}

	if err := srv.stop(t); err != nil {
		t.Errorf("the server exited with %v", err)
	}
	if strings.Contains(srv.log.String(), "level=ERROR") {
		t.Errorf("the server logged errors:\n%s", srv.log.String())
	}
	if got := integrityCheck(t, db); got != "ok" {
		t.Errorf("integrity_check of the database: %s", got)
	}
	var articles int
	if err := openReadOnly(t, db).QueryRow(`SELECT count(*) FROM articles`).Scan(&articles); err != nil || articles != 7+1+rounds {
		t.Errorf("articles = %d (%v), want %d: the 7 samples, the changed one and one per round", articles, err, 7+1+rounds)
	}
	for _, f := range backupFiles {
		if got := integrityCheck(t, f); got != "ok" {
			t.Errorf("integrity_check of %s: %s", filepath.Base(f), got)
		}
	}
}

// writeSoakArticle writes an article file for the importer.
func writeSoakArticle(t *testing.T, dir, slug, title string, date time.Time) {
	t.Helper()
	src := fmt.Sprintf("---\ntitle: %q\nslug: %s\ndate: %s\nauthors: [Ana López]\ntags: [Politics]\n---\nThe body of %s.\n",
		title, slug, date.UTC().Format(time.RFC3339), title)
	if err := os.WriteFile(filepath.Join(dir, slug+".md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// expectPage asks for path once and fails unless it answers 200 with want in the page:
// the process that made the change has exited, so the change must show at once.
func expectPage(t *testing.T, n *node, path, want, when string, args ...any) {
	t.Helper()
	status, body := n.get(t, path)
	if status != http.StatusOK || !strings.Contains(body, want) {
		t.Errorf("%s: %s answers %d without %q", fmt.Sprintf(when, args...), path, status, want)
	}
}

// loadRun is a set of readers asking for pages until stopped.
type loadRun struct {
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	ok, bad  atomic.Int64
	mu       sync.Mutex
	failures []string // the first few
}

// startLoad starts workers goroutines, each asking for every page in turn, again and again.
func startLoad(base string, pages []string, workers int) *loadRun {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loadRun{cancel: cancel}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; ctx.Err() == nil; i++ {
				path := pages[i%len(pages)]
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
				res, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				if err != nil && ctx.Err() != nil {
					return // stopped in flight: not counted
				}
				if err != nil {
					l.fail(fmt.Sprintf("GET %s: %v", path, err))
					continue
				}
				l.ok.Add(1)
			}
		}()
	}
	return l
}

func (l *loadRun) fail(msg string) {
	l.bad.Add(1)
	l.mu.Lock()
	if len(l.failures) < 10 {
		l.failures = append(l.failures, msg)
	}
	l.mu.Unlock()
}

// stop stops the readers and returns the counts of good and failed requests.
func (l *loadRun) stop() (ok, failed int64, failures []string) {
	l.cancel()
	l.wg.Wait()
	return l.ok.Load(), l.bad.Load(), l.failures
}

// shmLockHeld reports, from /proc/locks, whether process pid holds SQLite's lock on the
// -shm file at path: the read lock on byte 128 (the "DMS" byte of SQLite's unix VFS) that
// every process using the shared memory keeps while it has the database open. Another
// process closing the database takes it exclusively to learn whether it is the last user,
// and if so checkpoints and deletes the WAL and the -shm file. POSIX locks belong to the
// process and the file, so closing any descriptor of the file drops them all.
func shmLockHeld(path string, pid int) error {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fmt.Errorf("stat %s: %w", filepath.Base(path), err)
	}
	locks, err := os.ReadFile("/proc/locks")
	if err != nil {
		return err
	}
	var onFile []string
	for line := range strings.Lines(string(locks)) {
		// 1: POSIX  ADVISORY  READ 12345 08:01:123456 128 128   (blocked waiters add "->")
		f := strings.Fields(strings.Replace(line, "->", "", 1))
		if len(f) < 8 || f[1] != "POSIX" {
			continue
		}
		id := strings.Split(f[5], ":")
		if len(id) != 3 || id[2] != strconv.FormatUint(st.Ino, 10) {
			continue
		}
		onFile = append(onFile, strings.TrimSpace(line))
		if f[4] == strconv.Itoa(pid) && f[6] == "128" {
			return nil
		}
	}
	return fmt.Errorf("the server (pid %d) holds no lock on byte 128 of %s (inode %d); locks on that file: %q",
		pid, filepath.Base(path), st.Ino, onFile)
}

// openReadOnly opens the SQLite file at path read-only, closed when the test ends.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// integrityCheck runs PRAGMA integrity_check on the SQLite file at path, read-only, and
// returns its report: "ok" for a sound database.
func integrityCheck(t *testing.T, path string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return err.Error()
	}
	rows, err := openReadOnly(t, path).Query(`PRAGMA integrity_check`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	var report []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err.Error()
		}
		report = append(report, s)
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	return strings.Join(report, "\n")
}
