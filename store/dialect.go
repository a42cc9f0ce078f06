package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"byline"
	"github.com/jackc/pgx/v5/pgconn"
	sqlitedrv "modernc.org/sqlite"
)

// dialect is the short list of places where SQLite and PostgreSQL differ. Everything else
// runs the same SQL text on both.
type dialect interface {
	// name is "sqlite" or "postgres"; it is also the migrations folder's name.
	name() string
	// classify turns driver errors into domain errors: no rows → ENOTFOUND, unique violation →
	// ECONFLICT, foreign key violation → EINVALID. Other errors are returned wrapped.
	classify(err error, what string) error
	// lockMigrations is run first in each migration transaction so that several nodes
	// starting at once apply each migration exactly once.
	lockMigrations() string
	// snapshot is the isolation level of a read that must see one moment of the database.
	snapshot() sql.IsolationLevel
	// resetIdentity, after rows were copied in with their ids, makes new rows of the table
	// get ids after them ("" where nothing needs doing).
	resetIdentity(table string) string
	// convert adapts a value read from either engine to a column of this engine's type.
	convert(v any, columnType string) any
}

type sqlite struct{}

func (sqlite) name() string { return "sqlite" }

func (sqlite) lockMigrations() string { return "" }

// snapshot: a SQLite read transaction always sees one moment.
func (sqlite) snapshot() sql.IsolationLevel { return sql.LevelDefault }

func (sqlite) resetIdentity(string) string { return "" }

// convert: SQLite stores whatever it is given; booleans as 0 and 1, which modernc does.
// Times go in as UTC: SQLite compares them as text, and PostgreSQL hands them over in the
// machine's local zone.
func (sqlite) convert(v any, _ string) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return v
}

func (sqlite) classify(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return byline.Errorf(byline.ENOTFOUND, "No such %s.", what)
	}
	if e, ok := errors.AsType[*sqlitedrv.Error](err); ok {
		switch e.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return byline.Errorf(byline.ECONFLICT, "That %s already exists.", what)
		case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
			return byline.Errorf(byline.EINVALID, "The %s refers to something that does not exist.", what)
		}
	}
	return wrap(err, what)
}

type postgres struct{}

func (postgres) name() string { return "postgres" }

// lockMigrations takes a transaction-scoped advisory lock; the key is arbitrary but fixed.
func (postgres) lockMigrations() string { return "SELECT pg_advisory_xact_lock(7275846)" }

func (postgres) snapshot() sql.IsolationLevel { return sql.LevelRepeatableRead }

func (postgres) resetIdentity(table string) string {
	return fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM %s`, table, table)
}

// convert: SQLite hands booleans over as integers and may hand text for any column.
func (postgres) convert(v any, columnType string) any {
	if b, ok := v.([]byte); ok && b == nil {
		// SQLite reads an empty BLOB as a nil slice, which pgx would send as NULL.
		return []byte{}
	}
	if columnType == "BOOL" {
		switch b := v.(type) {
		case int64:
			return b != 0
		}
	}
	return v
}

func (postgres) classify(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return byline.Errorf(byline.ENOTFOUND, "No such %s.", what)
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch e.Code {
		case "23505":
			return byline.Errorf(byline.ECONFLICT, "That %s already exists.", what)
		case "23503":
			return byline.Errorf(byline.EINVALID, "The %s refers to something that does not exist.", what)
		}
	}
	return wrap(err, what)
}

// wrap adds what was being read or written to a driver error, keeping the chain: callers
// must still see context.Canceled when the reader left, or a driver's own error type.
func wrap(err error, what string) error {
	if _, ok := errors.AsType[*byline.Error](err); ok {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
