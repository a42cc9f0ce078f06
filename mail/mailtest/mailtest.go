// Package mailtest runs a real SMTP server for tests: mailpit, started on free local ports
// and read through its REST API. Install it with
//
//	go install github.com/axllent/mailpit@v1.33.1
//
// Without mailpit on PATH (or in $GOPATH/bin) a test that asks for it is skipped on a
// developer's machine and fails in CI (CI=true).
package mailtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Server is a running mailpit.
type Server struct {
	// SMTP is the host:port its SMTP server listens on; API the base of its web API.
	SMTP, API string
	cmd       *exec.Cmd
	done      chan struct{}
}

// Binary returns the path of the mailpit program, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(gopath, "bin", "mailpit")
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p
	}
	return ""
}

// FreeAddr returns a local address nothing listens on at the moment, to start a server on
// (or to point a sender at, as a mail server that is down).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Start runs mailpit on free ports until the test ends.
func Start(t testing.TB) *Server { return StartOn(t, FreeAddr(t)) }

// StartOn runs mailpit with its SMTP server on the address smtpAddr until the test ends (or
// Stop is called), with mailpit's flags args besides (such as --smtp-tls-cert).
func StartOn(t testing.TB, smtpAddr string, args ...string) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailpit is not installed: go install github.com/axllent/mailpit@v1.33.1")
		}
		t.Skip("mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1): skipping the test through a real SMTP server")
	}
	s := &Server{SMTP: smtpAddr, done: make(chan struct{})}
	apiAddr := FreeAddr(t)
	s.API = "http://" + apiAddr
	// --disable-version-check: otherwise it asks GitHub for a newer release.
	s.cmd = exec.Command(bin, append([]string{"--smtp", smtpAddr, "--listen", apiAddr, "--disable-version-check",
		"--database", filepath.Join(t.TempDir(), "mailpit.db")}, args...)...)
	var out strings.Builder
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(s.API + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", smtpAddr, time.Second); err == nil {
				c.Close()
				if resp.StatusCode == http.StatusOK {
					return s
				}
			}
		}
		select {
		case <-s.done:
			t.Fatalf("mailpit stopped at its start:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not answer within 15s:\n%s", out.String())
		}
	}
}

// URL is the SMTP URL of the server, as BYLINE_SMTP_URL takes it (no TLS, no login).
func (s *Server) URL() string { return "smtp://" + s.SMTP }

// Stop ends mailpit; its SMTP address then refuses connections. Stopping twice is fine.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Address is a mail address as the API gives it.
type Address struct{ Name, Address string }

// Summary is a message in the list of messages.
type Summary struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
}

// Message is one message in full.
type Message struct {
	ID        string
	MessageID string
	From      Address
	To        []Address
	Subject   string
	Date      time.Time
	Text      string
	HTML      string
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.API+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}

// Messages lists the messages received, newest first (at most 1000).
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var list struct{ Messages []Summary }
	s.get(t, "/api/v1/messages?limit=1000", &list)
	return list.Messages
}

// Message returns one message by its mailpit ID.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+url.PathEscape(id), &m)
	return m
}

// Headers returns the headers of one message by its mailpit ID.
func (s *Server) Headers(t testing.TB, id string) map[string][]string {
	t.Helper()
	h := map[string][]string{}
	s.get(t, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Wait waits up to timeout for at least n messages and returns them, newest first; it
// fails the test when fewer arrive.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Summary {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		list := s.Messages(t)
		if len(list) >= n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d message(s) arrived in %s, want %d", len(list), timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// String names the server in test logs.
func (s *Server) String() string { return fmt.Sprintf("mailpit smtp=%s api=%s", s.SMTP, s.API) }
