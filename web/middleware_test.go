package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPanicsBecome500: with request logging on or off, a handler's panic is a logged 500
// and the server goes on; http.ErrAbortHandler still aborts the response.
func TestPanicsBecome500(t *testing.T) {
	for _, access := range []bool{false, true} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		h := logRequests(log, access, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/x/", nil))
		if w.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "boom") {
			t.Errorf("access log %v: status %d, log %q", access, w.Code, logs.String())
		}
		abort := logRequests(log, access, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
		func() {
			defer func() {
				if p := recover(); p != http.ErrAbortHandler {
					t.Errorf("access log %v: ErrAbortHandler was swallowed (%v)", access, p)
				}
			}()
			abort.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x/", nil))
		}()
	}
}

// TestRequestIDsRevealNothing: request ids are random, so that they do not tell how many
// requests the site serves: no two of a hundred consecutive ids share more than a few
// leading characters, as a prefix and a counter would.
func TestRequestIDsRevealNothing(t *testing.T) {
	h := logRequests(slog.New(slog.DiscardHandler), false, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var ids []string
	for range 100 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		ids = append(ids, w.Header().Get("X-Request-Id"))
	}
	for i, a := range ids {
		if len(a) < 22 {
			t.Fatalf("request id %q: %d characters, want at least 22 (128 random bits)", a, len(a))
		}
		for _, b := range ids[i+1:] {
			n := 0
			for n < len(a) && n < len(b) && a[n] == b[n] {
				n++
			}
			if n > 6 {
				t.Fatalf("request ids %q and %q share %d leading characters: they reveal a sequence", a, b, n)
			}
		}
	}
}

// BenchmarkRequestID measures the cost of a random request id, paid by every request.
func BenchmarkRequestID(b *testing.B) {
	for b.Loop() {
		requestID()
	}
}
