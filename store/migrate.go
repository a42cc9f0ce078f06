package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies, in order, every embedded migration not applied yet, each in its own
// transaction. Migrations only go forward.
func (db *DB) Migrate(ctx context.Context) error {
	return db.migrate(ctx, migrations)
}

// migrate applies the migrations found in files (migrations/{engine}/*.sql).
func (db *DB) migrate(ctx context.Context, files fs.FS) error {
	err := db.inTx(ctx, func(tx *tx) error {
		if lock := db.dialect.lockMigrations(); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version TEXT PRIMARY KEY,
			applied_at TEXT NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := migrationNames(files, db.dialect.name())
	if err != nil {
		return err
	}
	applied := map[string]bool{}
	rows, err := db.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	for _, name := range names {
		if applied[name] { // looked at again inside the transaction: another node may be here
			continue
		}
		script, err := fs.ReadFile(files, path.Join("migrations", db.dialect.name(), name))
		if err != nil {
			return err
		}
		apply := func(tx *sql.Tx) (bool, error) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, name).Scan(&n); err != nil {
				return false, fmt.Errorf("read schema_migrations: %w", err)
			}
			if n > 0 {
				return false, nil
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return false, fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
				name, db.now().Format("2006-01-02T15:04:05.000000Z"))
			return true, err
		}
		if db.dialect.name() == "sqlite" {
			err = db.migrateSQLite(ctx, name, apply)
		} else {
			err = db.inTx(ctx, func(tx *tx) error {
				if _, err := tx.ExecContext(ctx, db.dialect.lockMigrations()); err != nil {
					return fmt.Errorf("lock migrations: %w", err)
				}
				_, err := apply(tx.Tx)
				return err
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// migrateSQLite runs one migration the way SQLite documents for changes that rebuild a table
// (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off outside the
// transaction, so that dropping the old table cascades nothing into the tables that refer to
// it; PRAGMA foreign_key_check before commit, so that the rebuilt table still satisfies every
// reference; foreign keys on again afterwards. The migration file holds the steps between:
// create the new table, copy the rows, drop the old one, rename, recreate indexes.
func (db *DB) migrateSQLite(ctx context.Context, name string, apply func(*sql.Tx) (bool, error)) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("migration %s: foreign keys off: %w", name, err)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); err != nil {
			// Never hand the pool's writer back without its foreign keys.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", name, err)
	}
	defer tx.Rollback()
	// References broken before the migration (say, by a hand edit with foreign keys off)
	// are not the migration's doing: only new ones refuse it.
	before, err := foreignKeyViolations(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	changed, err := apply(tx)
	if err != nil || !changed {
		return err
	}
	after, err := foreignKeyViolations(ctx, tx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	var broken []string
	for _, v := range after {
		if !slices.Contains(before, v) {
			broken = append(broken, v)
		}
	}
	if len(broken) > 0 {
		return fmt.Errorf("migration %s would break references (%s): nothing was changed", name, strings.Join(broken[:min(len(broken), 5)], "; "))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", name, err)
	}
	return nil
}

// foreignKeyViolations lists, in words, the rows whose references point nowhere.
func foreignKeyViolations(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return nil, fmt.Errorf("foreign key check: %w", err)
		}
		out = append(out, fmt.Sprintf("%s row %d refers to a missing %s", table, rowid.Int64, parent))
	}
	return out, rows.Err()
}

// migrationNames lists the migration files of one engine, in the order they apply.
func migrationNames(files fs.FS, engine string) ([]string, error) {
	entries, err := fs.ReadDir(files, path.Join("migrations", engine))
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if path.Ext(e.Name()) == ".sql" {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}
