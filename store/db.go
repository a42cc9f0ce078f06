// Package store keeps Byline's data in SQLite (the embedded default) or PostgreSQL through
// database/sql. Both engines run the same SQL text; dialect.go lists where they differ.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite", pure Go
)

// DB is an open store. Reads go to a pool of connections; on SQLite, writes go through a
// single writer connection whose transactions take the write lock at BEGIN, so concurrent
// writers queue instead of failing with "database is locked".
type DB struct {
	read    *sql.DB
	write   *sql.DB
	dialect dialect
	// revision is prepared once: every page request asks it.
	revision   *sql.Stmt
	prepare    sync.Once
	prepareErr error
	wal        *walWatch // SQLite only; nil when unavailable
	// Now is the store's clock. Tests replace it.
	Now func() time.Time
}

// Open opens the store named by url: "postgres://..." (or "postgresql://...") for
// PostgreSQL, otherwise a path to a SQLite file ("sqlite://" prefix optional), created with
// its folder when missing. It migrates the schema when migrate is true.
func Open(ctx context.Context, url string, migrate bool) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	var err error
	if isPostgres(url) {
		db.dialect = postgres{}
		if db.read, err = sql.Open("pgx", url); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.read.SetMaxOpenConns(16)
		db.read.SetMaxIdleConns(16)
		db.write = db.read
	} else {
		db.dialect = sqlite{}
		path := strings.TrimPrefix(url, "sqlite://")
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
	if err := db.write.PingContext(ctx); err != nil {
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
		db.wal = newWALWatch(strings.TrimPrefix(url, "sqlite://"))
	}
	return db, nil
}

// revisionStmt prepares the content revision query on first use (the table exists only
// once migrated).
func (db *DB) revisionStmt(ctx context.Context) (*sql.Stmt, error) {
	db.prepare.Do(func() {
		db.revision, db.prepareErr = db.read.PrepareContext(ctx, `SELECT revision FROM content_revision WHERE id = 1`)
	})
	return db.revision, db.prepareErr
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.revision != nil {
		db.revision.Close()
	}
	if db.wal != nil {
		db.wal.close()
	}
	err := db.read.Close()
	if db.write != db.read {
		if werr := db.write.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// Engine names the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name() }

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// now returns the store's clock in UTC, to the microsecond both engines keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a write transaction and commits it, or rolls it back on error.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// bumpRevision marks, inside tx, that something a public page shows has changed.
func bumpRevision(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE content_revision SET revision = revision + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump content revision: %w", err)
	}
	return nil
}

// ContentRevision returns the current content revision. On SQLite it skips the query when
// the WAL-index shows that nothing was committed since the last one (see walWatch).
func (db *DB) ContentRevision(ctx context.Context) (int64, error) {
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

func (db *DB) queryRevision(ctx context.Context) (int64, error) {
	stmt, err := db.revisionStmt(ctx)
	if err != nil {
		return 0, fmt.Errorf("prepare content revision: %w", err)
	}
	var rev int64
	err = stmt.QueryRowContext(ctx).Scan(&rev)
	return rev, db.dialect.classify(err, "content revision")
}
