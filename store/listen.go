package store

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgListener keeps, on PostgreSQL, the content revision that every node's page cache
// compares: each change to content notifies the other nodes (NOTIFY in the same transaction,
// delivered at commit) and a listening connection per node records the newest revision.
// While the listener is not connected, ContentRevision asks the database on each request,
// so a lost connection costs speed, never freshness.
type pgListener struct {
	url     string
	channel string
	rev     atomic.Int64 // newest revision seen; 0 while not listening
	checked atomic.Int64 // unix nanoseconds of the last confirmed revision
	// mu orders the writers of rev: the listener's confirmations, this node's own commits
	// and the reset when the connection is lost (reads are lock-free).
	mu        sync.Mutex
	listening bool // connected, LISTEN issued and the revision confirmed once
	cancel    context.CancelFunc
	done      chan struct{}
	// confirmTimeout bounds each query on the listening connection: a half-open connection
	// would otherwise stall it until the kernel gives up, many minutes later.
	confirmTimeout time.Duration
}

// revision returns the newest revision the listener knows, or false when it is not
// listening or has not confirmed the revision within the last second.
func (l *pgListener) revision(now time.Time) (int64, bool) {
	rev := l.rev.Load()
	if rev == 0 || now.UnixNano()-l.checked.Load() > int64(time.Second) {
		return 0, false
	}
	return rev, true
}

// listenTimeout bounds each query on the listening connection; tests shorten it.
var listenTimeout = 5 * time.Second

func startListener(url, channel string) *pgListener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &pgListener{url: url, channel: channel, cancel: cancel, done: make(chan struct{}), confirmTimeout: listenTimeout}
	go l.run(ctx)
	return l
}

func (l *pgListener) stop() {
	l.cancel()
	<-l.done
}

func (l *pgListener) run(ctx context.Context) {
	defer close(l.done)
	for wait := 100 * time.Millisecond; ctx.Err() == nil; wait = min(2*wait, 5*time.Second) {
		if l.listen(ctx) {
			wait = 100 * time.Millisecond
		}
		l.mu.Lock()
		l.listening = false
		l.rev.Store(0)
		l.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// listen listens until the connection fails or ctx ends; it reports whether it got as far
// as listening.
func (l *pgListener) listen(ctx context.Context) bool {
	cctx, cancel := context.WithTimeout(ctx, l.confirmTimeout)
	conn, err := pgx.Connect(cctx, l.url)
	cancel()
	if err != nil {
		return false
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn.Close(closeCtx)
		cancel()
	}()
	cctx, cancel = context.WithTimeout(ctx, l.confirmTimeout)
	_, err = conn.Exec(cctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize())
	cancel()
	if err != nil {
		return false
	}
	// Read the revision after LISTEN, so that no change falls between the two.
	confirm := func() error {
		cctx, cancel := context.WithTimeout(ctx, l.confirmTimeout)
		defer cancel()
		var rev int64
		if err := conn.QueryRow(cctx, `SELECT revision FROM content_revision WHERE id = 1`).Scan(&rev); err != nil {
			return err
		}
		l.store(rev)
		return nil
	}
	if confirm() != nil {
		return false
	}
	l.mu.Lock()
	l.listening = true
	l.mu.Unlock()
	for {
		// Wake up at least every half second to confirm the revision: the listener then
		// also notices a silently dead connection.
		wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return true
		case err != nil && wctx.Err() != nil:
			if confirm() != nil {
				return true
			}
		case err != nil:
			return true
		default:
			if rev, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				l.store(rev)
			}
		}
	}
}

// store records rev, read on the listening connection, when it is newer than the one known.
func (l *pgListener) store(rev int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rev > l.rev.Load() {
		l.rev.Store(rev)
	}
	l.checked.Store(time.Now().UnixNano())
}

// committed records a revision this node committed, so that its own pages change at once.
// It does so only while listening: otherwise ContentRevision must keep asking the database,
// or it would miss the other nodes' changes for a second.
func (l *pgListener) committed(rev int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.listening && rev > l.rev.Load() {
		l.rev.Store(rev)
		l.checked.Store(time.Now().UnixNano())
	}
}
