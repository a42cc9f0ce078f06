package store

import (
	"context"
	"sync"
	"testing"
)

// TestDeadlockVictimRetried: two transactions that lock two rows in opposite orders
// deadlock on PostgreSQL, which aborts one of them; inTx runs the victim again, after a
// pause that lets the other finish, and both succeed.
func TestDeadlockVictimRetried(t *testing.T) {
	db, err := Open(context.Background(), pgSchemaURL(t, "retry_deadlock"), true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, k := range []string{"x", "y"} {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, '0')`, k); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		var ready sync.WaitGroup // both hold their first row before taking the second
		ready.Add(2)
		errs := make(chan error, 2)
		for _, order := range [][2]string{{"x", "y"}, {"y", "x"}} {
			go func() {
				first := true
				errs <- db.inTx(ctx, func(tx *tx) error {
					for i, k := range order {
						if _, err := tx.ExecContext(ctx, `UPDATE settings SET value = value || '.' WHERE key = $1`, k); err != nil {
							return err
						}
						if i == 0 && first {
							first = false
							ready.Done()
							ready.Wait()
						}
					}
					return nil
				})
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
