// Package store keeps Byline's data in SQLite (the embedded default) or PostgreSQL through
// database/sql. Both engines run the same SQL text; dialect.go lists where they differ.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"byline"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	sqlitedrv "modernc.org/sqlite"     // SQLite driver "sqlite", pure Go
)

// DB is an open store. Reads go to a pool of connections; on SQLite, writes go through a
// single writer connection whose transactions take the write lock at BEGIN, so concurrent
// writers queue instead of failing with "database is locked".
type DB struct {
	read     *sql.DB
	write    *sql.DB
	dialect  dialect
	stmts    stmtCache
	anchors  anchorCache // positions deep in the archive (see anchor.go)
	wal      *walWatch   // SQLite only; nil when unavailable
	listener *pgListener // PostgreSQL only
	channel  string      // PostgreSQL: the NOTIFY channel of this schema's content changes
	// Now is the store's clock. Tests replace it.
	Now func() time.Time
	// Blobs keeps the bytes of photos (see image.go). When nil, a SQLite store keeps them in
	// the folder "media" beside its database file; a PostgreSQL store has no default.
	Blobs    byline.BlobStore
	mediaDir string // SQLite: the default blob folder
	blobMu   sync.Mutex
}

// Open opens the store named by url: "postgres://..." (or "postgresql://...") for
// PostgreSQL, otherwise a path to a SQLite file ("sqlite://" prefix optional), created with
// its folder when missing. It migrates the schema when migrate is true.
func Open(ctx context.Context, url string, migrate bool) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	path := strings.TrimPrefix(url, "sqlite://") // SQLite only
	var err error
	if IsPostgres(url) {
		db.dialect = postgres{}
		if db.read, err = sql.Open("pgx", url); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.read.SetMaxOpenConns(16)
		db.read.SetMaxIdleConns(16)
		db.write = db.read
	} else {
		db.dialect = sqlite{}
		db.mediaDir = filepath.Join(filepath.Dir(path), "media")
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_time_format=sqlite"
		if db.write, err = sql.Open("sqlite", "file:"+path+pragmas+"&_txlock=immediate"); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.write.SetMaxOpenConns(1)
		if db.read, err = sql.Open("sqlite", "file:"+path+pragmas+"&_pragma=query_only(ON)"); err != nil {
			db.write.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.read.SetMaxOpenConns(8)
		db.read.SetMaxIdleConns(8)
		db.read.SetConnMaxIdleTime(0)
	}
	if err := db.connect(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.dialect.name(), err)
	}
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if db.dialect.name() == "sqlite" {
		// The write connection stays open, so the -shm file exists and stays the same file.
		db.wal = newWALWatch(path)
	} else {
		// One channel per schema: sites that share a database do not wake each other.
		var schema string
		if err := db.read.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			db.Close()
			return nil, fmt.Errorf("find schema: %w", err)
		}
		db.channel = channelName(schema)
		db.listener = startListener(url, db.channel)
	}
	return db, nil
}

// connect makes the first connection. Several processes opening a new SQLite file at once
// (a node starting while an import does) race to turn it to WAL mode, which SQLite answers
// with SQLITE_BUSY at once rather than through the busy timeout: try again for as long as
// the timeout would have waited.
func (db *DB) connect(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.write.PingContext(ctx)
		e, ok := errors.AsType[*sqlitedrv.Error](err)
		if !ok || e.Code()&0xff != 5 || time.Now().After(deadline) { // 5: SQLITE_BUSY
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(5+rand.IntN(20)) * time.Millisecond):
		}
	}
}

// channelName is the NOTIFY channel of a schema's content changes. PostgreSQL keeps 63
// bytes of an identifier and pg_notify refuses a longer channel, which would make every
// write fail: a long schema name is replaced by its hash.
func channelName(schema string) string {
	const prefix = "byline_content_"
	if len(prefix)+len(schema) <= 63 {
		return prefix + schema
	}
	sum := sha256.Sum256([]byte(schema))
	return prefix + hex.EncodeToString(sum[:16])
}

// Close closes every connection.
func (db *DB) Close() error {
	db.stmts.close()
	if db.listener != nil {
		db.listener.stop()
	}
	err := db.read.Close()
	if db.write != db.read {
		if werr := db.write.Close(); err == nil {
			err = werr
		}
	}
	if db.wal != nil {
		// Last: its descriptor must outlive SQLite's own (see walWatch). Close does not wait
		// for connections still in use (a query in flight): let go once they are gone.
		db.wal.stop()
		if db.openConns() == 0 {
			db.wal.release()
		} else {
			go func() {
				for db.openConns() > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				db.wal.release()
			}()
		}
	}
	return err
}

// openConns counts the connections not closed yet, in use ones included.
func (db *DB) openConns() int {
	n := db.read.Stats().OpenConnections
	if db.write != db.read {
		n += db.write.Stats().OpenConnections
	}
	return n
}

// Ping runs a query on the database, for health checks.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect.name(), err)
	}
	return nil
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name() }

// IsPostgres reports whether url names a PostgreSQL database rather than a SQLite file.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// now returns the store's clock in UTC, to the microsecond both engines keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// tx is a write transaction that remembers whether it changed content.
type tx struct {
	*sql.Tx
	revision int64 // the content revision it set, or 0
}

// inTx runs fn in a write transaction and commits it, or rolls it back on error. On
// PostgreSQL a transaction aborted as a deadlock victim or by a serialisation failure is
// run again, up to three times in all, after a short random pause that lets the other
// transaction finish first: fn must be safe to run again.
func (db *DB) inTx(ctx context.Context, fn func(tx *tx) error) error {
	err := db.runTx(ctx, fn)
	for attempt := 1; attempt < 3 && retryable(err); attempt++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10+rand.IntN(90*attempt)) * time.Millisecond):
		}
		err = db.runTx(ctx, fn)
	}
	return err
}

func (db *DB) runTx(ctx context.Context, fn func(tx *tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{Tx: sqlTx}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.revision > 0 && db.listener != nil {
		// This node's own pages change at once; the others hear it from NOTIFY.
		db.listener.committed(t.revision)
	}
	return nil
}

// retryable reports whether err is PostgreSQL aborting a transaction that may succeed when
// run again: a serialisation failure (40001) or a deadlock victim (40P01).
func retryable(err error) bool {
	e, ok := errors.AsType[*pgconn.PgError](err)
	return ok && (e.Code == "40001" || e.Code == "40P01")
}

// bumpRevision marks, inside tx, that something a public page shows has changed: any page
// may have. On PostgreSQL the other nodes hear of it when tx commits.
func (db *DB) bumpRevision(ctx context.Context, tx *tx) error {
	return db.bumpChanged(ctx, tx, AllPages)
}

// AllPages is the change key that says any page may have changed.
const AllPages = "*"

// keepChanges is how many content changes are kept for page caches to catch up with; a
// cache further behind lets go of everything.
const keepChanges = 1000

// bumpChanged marks, inside tx, that the pages with these surrogate keys have changed (list
// pages always count as changed: see ContentChanges).
func (db *DB) bumpChanged(ctx context.Context, tx *tx, keys ...string) error {
	if err := tx.QueryRowContext(ctx, `UPDATE content_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&tx.revision); err != nil {
		return fmt.Errorf("bump content revision: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO content_changes (revision, keys) VALUES ($1, $2)`, tx.revision, strings.Join(keys, " ")); err != nil {
		return fmt.Errorf("record content change: %w", err)
	}
	if tx.revision%100 == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM content_changes WHERE revision <= $1`, tx.revision-keepChanges); err != nil {
			return fmt.Errorf("prune content changes: %w", err)
		}
	}
	if db.channel != "" {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, db.channel, strconv.FormatInt(tx.revision, 10)); err != nil {
			return fmt.Errorf("notify content change: %w", err)
		}
	}
	return nil
}

// ContentChanges returns the surrogate keys of the pages the revisions after `after` up to
// `upto` changed. all is true when any page may have changed: a change said so, or some of
// those revisions are not on record (pruned, or made by a copy).
func (db *DB) ContentChanges(ctx context.Context, after, upto int64) (keys []string, all bool, err error) {
	if upto <= after || upto-after > keepChanges {
		return nil, true, nil
	}
	rows, err := db.query(ctx, `SELECT revision, keys FROM content_changes WHERE revision > $1 AND revision <= $2 ORDER BY revision`, after, upto)
	if err != nil {
		return nil, false, fmt.Errorf("find content changes: %w", err)
	}
	defer rows.Close()
	want := after + 1
	for rows.Next() {
		var rev int64
		var k string
		if err := rows.Scan(&rev, &k); err != nil {
			return nil, false, err
		}
		if rev != want {
			return nil, true, rows.Err()
		}
		want++
		for _, key := range strings.Fields(k) {
			if key == AllPages {
				return nil, true, rows.Err()
			}
			keys = append(keys, key)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return keys, want != upto+1, nil
}

// ContentRevision returns the current content revision. It skips the query when it can
// tell cheaply that nothing changed: on SQLite from the WAL-index (see walWatch), on
// PostgreSQL from the notifications of the other nodes (see pgListener).
func (db *DB) ContentRevision(ctx context.Context) (int64, error) {
	if db.listener != nil {
		if rev, ok := db.listener.revision(time.Now()); ok {
			return rev, nil
		}
	}
	if db.wal == nil {
		return db.queryRevision(ctx)
	}
	now := time.Now()
	rev, header, ok := db.wal.revision(now)
	if ok {
		return rev, nil
	}
	// The header was read before the query: a commit after it changes the header again.
	rev, err := db.queryRevision(ctx)
	if err == nil {
		db.wal.remember(header, rev, now)
	}
	return rev, err
}

// revisionTimeout bounds the revision query that every cached page waits for: when the
// database hangs, pages already cached are served as they were (see web) instead of every
// reader waiting. Only the slow path runs this query; tests shorten it.
var revisionTimeout = 5 * time.Second

func (db *DB) queryRevision(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, revisionTimeout)
	defer cancel()
	var rev int64
	err := db.queryRow(ctx, `SELECT revision FROM content_revision WHERE id = 1`).Scan(&rev)
	return rev, db.dialect.classify(err, "content revision")
}

// rowScanner is a row being read: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// collect runs the query q and reads every row with scan; what names the rows in errors
// ("find what: …").
func collect[T any](ctx context.Context, db *DB, what string, scan func(rowScanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var list []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return list, nil
}
