package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"
)

// contentSecurityPolicy allows nothing from elsewhere and no inline script or style: a
// reader's visit is nobody else's business, and injected markup cannot run.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders are set on every response. The value slices are shared by all responses
// and never changed.
var securityHeaders = http.Header{
	"Content-Security-Policy": {contentSecurityPolicy},
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"strict-origin-when-cross-origin"},
}

// secure sets the security headers every response carries.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (an upload's read deadline).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// logRequests logs each request with its status, size and duration, and recovers from a
// panic in a handler so that one bad request does not bring the server down. With request
// logging off, it only recovers (and logs the panic).
func logRequests(log *slog.Logger, access bool, next http.Handler) http.Handler {
	if !access || !log.Enabled(context.Background(), slog.LevelInfo) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := requestID()
			w.Header()["X-Request-Id"] = []string{id}
			defer recoverPanic(log, id, r, w, func() bool { return false })
			next.ServeHTTP(w, r)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		id := requestID()
		rec.Header()["X-Request-Id"] = []string{id}
		defer func() { // runs last: logs the request, panicked or not
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
				slog.Duration("duration", time.Since(start)))
		}()
		defer recoverPanic(log, id, r, rec, func() bool { return rec.status != 0 })
		next.ServeHTTP(rec, r)
	})
}

// recoverPanic turns a handler's panic into a logged 500, so that one bad request does not
// bring the server down. It must be deferred directly: recover works only there.
// http.ErrAbortHandler goes on up: it is how a handler aborts a response on purpose.
func recoverPanic(log *slog.Logger, id string, r *http.Request, w http.ResponseWriter, started func() bool) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	log.Error("panic", "id", id, "path", r.URL.Path, "panic", p)
	if !started() {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
}

// requestID returns a random id for a request, to find its lines in the log: 128 bits, so
// unique across nodes and restarts, and telling nothing of how many requests the site serves
// (a counter would). It costs about 0.1 µs (BenchmarkRequestID).
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
