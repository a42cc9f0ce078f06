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
