package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared read statements by their text: SQLite spends longer preparing a
// short query than running it. Queries built from filters come in a bounded number of
// shapes; past maxStmts, queries run unprepared. On PostgreSQL, pgx keeps its own cache of
// prepared statements, so this one stays empty there.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 256

// stmt returns the prepared statement for q, or nil when q is to run unprepared.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if db.dialect.name() != "sqlite" {
		return nil, nil
	}
	db.stmts.mu.Lock()
	st, ok := db.stmts.m[q]
	full := len(db.stmts.m) >= maxStmts
	db.stmts.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := db.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if other, ok := db.stmts.m[q]; ok { // prepared meanwhile by another request
		st.Close()
		return other, nil
	}
	if db.stmts.m == nil {
		db.stmts.m = make(map[string]*sql.Stmt)
	}
	db.stmts.m[q] = st
	return st, nil
}

// query runs a read query, prepared once.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return db.read.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a read query for one row, prepared once. Errors come out of Scan.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.stmt(ctx, q)
	if err != nil || st == nil {
		return db.read.QueryRowContext(ctx, q, args...) // reports the error again, from Scan
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
