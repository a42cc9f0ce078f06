package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"byline"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine writing and a test reading.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || out.String() != "byline "+byline.Version+"\n" {
		t.Errorf("version: %q %v", out.String(), err)
	}
	err := run(context.Background(), []string{"--help"}, &out, &errOut)
	if exitCode(err) != 2 || !strings.Contains(errOut.String(), "BYLINE_BASE_URL") || !strings.Contains(errOut.String(), "import markdown") {
		t.Errorf("help: %v\n%s", err, errOut.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("unknown command: %v, want a usage error", err)
	}
}

func TestImportCommand(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.md"), []byte("---\ntitle: Good one\n---\nText.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.md"), []byte("---\ntitle: Bad\nvisibility: everyone\n---\nText.\n"), 0o644)
	var out bytes.Buffer
	err := run(context.Background(), []string{"import", "markdown", dir, "--data", data}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "1 file(s) failed") {
		t.Errorf("err = %v, want a failure count", err)
	}
	got := out.String()
	for _, want := range []string{"imported   " + filepath.Join(dir, "good.md"), "bad.md:3: visibility \"everyone\"", "1 imported, 0 updated, 0 unchanged, 1 failed"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	out.Reset()
	os.Remove(filepath.Join(dir, "bad.md"))
	if err := run(context.Background(), []string{"import", "--data", data, "markdown", dir}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 imported, 0 updated, 1 unchanged, 0 failed") {
		t.Errorf("re-import output:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"import", "--data", data}, &out, io.Discard); exitCode(err) != 2 {
		t.Errorf("import without paths: %v, want a usage error", err)
	}
}

// TestServe starts the real server with the sample newsroom, reads a page, and stops it
// the way SIGTERM does.
func TestServe(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--access-log=false"}, io.Discard, logs)
	}()
	addr := regexp.MustCompile(`url=http://(127\.0\.0\.1:\d+)/`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			base = "http://" + m[1]
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not start:\n%s", logs.String())
	}
	res, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Night trains return to Lyon") {
		t.Errorf("front page: status %d, sample content missing", res.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(data, "byline.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not shut down")
	}
	if !strings.Contains(logs.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", logs.String())
	}
}
