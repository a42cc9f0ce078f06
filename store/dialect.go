package store

import (
	"database/sql"
	"errors"
	"strings"

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
}

type sqlite struct{}

func (sqlite) name() string { return "sqlite" }

func (sqlite) lockMigrations() string { return "" }

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

func wrap(err error, what string) error {
	if _, ok := errors.AsType[*byline.Error](err); ok {
		return err
	}
	return errors.New(strings.TrimSpace(what + ": " + err.Error()))
}
