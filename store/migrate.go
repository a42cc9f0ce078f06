package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies, in order, every embedded migration not applied yet, each in its own
// transaction. Migrations only go forward.
func (db *DB) Migrate(ctx context.Context) error {
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
	names, err := migrationNames(db.dialect.name())
	if err != nil {
		return err
	}
	for _, name := range names {
		err := db.inTx(ctx, func(tx *tx) error {
			if lock := db.dialect.lockMigrations(); lock != "" {
				if _, err := tx.ExecContext(ctx, lock); err != nil {
					return fmt.Errorf("lock migrations: %w", err)
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, name).Scan(&n); err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if n > 0 {
				return nil
			}
			script, err := migrations.ReadFile(path.Join("migrations", db.dialect.name(), name))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
				name, db.now().Format("2006-01-02T15:04:05.000000Z"))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// migrationNames lists the migration files of one engine, in the order they apply.
func migrationNames(engine string) ([]string, error) {
	entries, err := fs.ReadDir(migrations, path.Join("migrations", engine))
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
