package blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"byline"
	"byline/blob"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// stores opens every implementation: the folder, and S3 against an in-process S3 server.
func stores(t *testing.T) map[string]byline.BlobStore {
	return map[string]byline.BlobStore{
		"folder": MustFolder(t),
		"s3":     MustS3(t),
	}
}

// MustFolder opens a folder store in a temporary folder.
func MustFolder(tb testing.TB) *blob.Folder {
	tb.Helper()
	f, err := blob.NewFolder(filepath.Join(tb.TempDir(), "media"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// MustS3 starts an S3-compatible server (gofakes3 in memory) with a bucket, and opens it
// through the media URL as an operator would give it.
func MustS3(tb testing.TB) byline.BlobStore {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("photos"); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	tb.Cleanup(srv.Close)
	s, err := blob.Open(context.Background(), "s3://photos?endpoint="+srv.URL+"&region=us-east-1&prefix=newsroom", "", blob.Credentials{AccessKey: "key", SecretKey: "secret"})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			key := byline.VariantKey("ab"+strings.Repeat("0", 62), 640)
			if ok, err := s.Exists(ctx, key); err != nil || ok {
				t.Fatalf("Exists before Put = %v, %v; want false", ok, err)
			}
			if _, err := s.Get(ctx, key); byline.ErrorCode(err) != byline.ENOTFOUND {
				t.Fatalf("Get before Put: err = %v, want not found", err)
			}
			data := bytes.Repeat([]byte("photo "), 100_000)
			if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, s, key); !bytes.Equal(got, data) {
				t.Fatalf("Get returned %d bytes, want the %d put", len(got), len(data))
			}
			if ok, err := s.Exists(ctx, key); err != nil || !ok {
				t.Fatalf("Exists after Put = %v, %v; want true", ok, err)
			}
			// A second Put replaces the first.
			if err := s.Put(ctx, key, strings.NewReader("new"), 3, "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			if got := mustRead(t, s, key); string(got) != "new" {
				t.Fatalf("after the second Put, Get = %q, want new", got)
			}
			// A reader that gives fewer bytes than announced stores nothing.
			other := byline.OriginalKey("cd" + strings.Repeat("1", 62))
			if err := s.Put(ctx, other, strings.NewReader("short"), 100, "image/png"); err == nil {
				t.Error("Put of a short reader succeeded")
			}
			if ok, _ := s.Exists(ctx, other); ok {
				t.Error("a failed Put left an object")
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.Exists(ctx, key); err != nil || ok {
				t.Fatalf("Exists after Delete = %v, %v; want false", ok, err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete of a missing key: %v", err)
			}
			for _, bad := range []string{"", "/etc/passwd", "../x", "photos/../../x", "a//b", ".hidden", "photos/A.jpg", "a/"} {
				if err := s.Put(ctx, bad, strings.NewReader("x"), 1, "text/plain"); err == nil {
					t.Errorf("Put(%q) succeeded", bad)
				}
				if _, err := s.Get(ctx, bad); err == nil {
					t.Errorf("Get(%q) succeeded", bad)
				}
			}
		})
	}
}

// Readers never see half a blob, and writers of the same key do not trip over each other.
func TestConcurrentPuts(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			key := byline.OriginalKey("ef" + strings.Repeat("2", 62))
			a, b := bytes.Repeat([]byte{'a'}, 1<<20), bytes.Repeat([]byte{'b'}, 1<<20)
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					data := a
					if i%2 == 1 {
						data = b
					}
					if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
						t.Error(err)
					}
				})
				wg.Go(func() {
					rc, err := s.Get(ctx, key)
					if byline.ErrorCode(err) == byline.ENOTFOUND {
						return
					} else if err != nil {
						t.Error(err)
						return
					}
					defer rc.Close()
					got, err := io.ReadAll(rc)
					if err != nil {
						t.Error(err)
					} else if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
						t.Errorf("a reader saw %d bytes mixing two writes", len(got))
					}
				})
			}
			wg.Wait()
		})
	}
}

// The folder store leaves no temporary file behind, and reaches nothing outside its folder
// even through a symbolic link planted inside it.
func TestFolderConfinement(t *testing.T) {
	dir := t.TempDir()
	f, err := blob.NewFolder(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, "media")); err == nil {
		t.Error("the folder was made before anything was stored")
	}
	if _, err := f.Get(ctx, "photos/x"); byline.ErrorCode(err) != byline.ENOTFOUND {
		t.Errorf("Get from a folder not made yet: err = %v, want not found", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "media"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "media", "photos")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(ctx, "photos/secret"); err == nil {
		t.Error("Get followed a link out of the folder")
	}
	if err := f.Put(ctx, "photos/x", strings.NewReader("x"), 1, "text/plain"); err == nil {
		t.Error("Put followed a link out of the folder")
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("Put wrote outside the folder")
	}
	os.Remove(filepath.Join(dir, "media", "photos"))
	if err := f.Put(ctx, "photos/ab/y", strings.NewReader("y"), 1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "media", "photos", "ab"))
	if len(entries) != 1 || entries[0].Name() != "y" {
		t.Errorf("the folder holds %v, want only y", entries)
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	creds := blob.Credentials{AccessKey: "k", SecretKey: "s"}
	for _, u := range []string{"http://bucket", "s3://", "s3://bucket/path", "s3://bucket?endpoint=ftp://x", "s3://bucket?color=red", "s3://user:pw@bucket",
		"file:media", "file://media", "file:///", "file://user:pw@localhost/srv/media", "file://other.host/srv/media", "file:///srv/media?x=1"} {
		if _, err := blob.Open(ctx, u, "", creds); byline.ErrorCode(err) != byline.EINVALID {
			t.Errorf("Open(%q): err = %v, want invalid", u, err)
		} else if strings.Contains(byline.ErrorMessage(err), "pw") {
			t.Errorf("Open(%q) shows the password: %v", u, err)
		}
	}
	if _, err := blob.Open(ctx, "s3://bucket?endpoint=http://127.0.0.1:1", "", blob.Credentials{}); byline.ErrorCode(err) != byline.EINVALID {
		t.Errorf("Open without keys: err = %v, want invalid", err)
	}
	// A bucket the server does not have.
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer srv.Close()
	if _, err := blob.Open(ctx, "s3://missing?endpoint="+srv.URL, "", creds); byline.ErrorCode(err) != byline.EINVALID {
		t.Errorf("Open of a missing bucket: err = %v, want invalid", err)
	}
}

// TestOpenFolderURL: file:///absolute/folder names a folder the operator chose, and photos
// put through it land there (not in the default folder Open is given).
func TestOpenFolderURL(t *testing.T) {
	ctx := context.Background()
	chosen, fallback := filepath.Join(t.TempDir(), "photos"), filepath.Join(t.TempDir(), "media")
	for _, u := range []string{"file://" + filepath.ToSlash(chosen), "file://localhost" + filepath.ToSlash(chosen) + "/"} {
		s, err := blob.Open(ctx, u, fallback, blob.Credentials{})
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		if got := s.Describe(); got != "the folder "+chosen {
			t.Errorf("Open(%q) describes itself as %q", u, got)
		}
		key := byline.OriginalKey("cd" + strings.Repeat("1", 62))
		if err := s.Put(ctx, key, strings.NewReader("photo"), 5, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(chosen, filepath.FromSlash(key))); err != nil {
			t.Errorf("the photo is not in the chosen folder: %v", err)
		}
		if _, err := os.Stat(fallback); err == nil {
			t.Error("the default folder was made although a folder was chosen")
		}
	}
}

func mustRead(t *testing.T, s byline.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
