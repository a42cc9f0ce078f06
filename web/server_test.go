package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestGracefulShutdown: a request in flight when the server is told to stop still gets its
// whole answer, and Run returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release // until the server is shutting down
		io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, "127.0.0.1:0", slow, slog.New(slog.DiscardHandler), 5*time.Second, func(a string) { addrc <- a })
	}()
	addr := <-addrc
	reply := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + addr + "/")
		if err != nil {
			reply <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		reply <- string(b)
	}()
	<-started
	cancel() // as SIGTERM does
	// Shutdown closes the listener first: once nobody can connect, the server is shutting
	// down with the request still in flight, and the handler may finish.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 20 seconds after it was told to stop")
		}
	}
	close(release)
	if got := <-reply; got != "finished" {
		t.Errorf("in-flight request got %q, want its whole answer", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}
