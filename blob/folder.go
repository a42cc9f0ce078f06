package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"

	"byline"
)

// Folder keeps blobs as files in a folder. It reaches the folder through os.Root, so that
// no key, link or race can make it read or write outside; each Put writes a temporary file
// and renames it into place, so that a reader never sees half a photo. The folder is made
// at the first Put: a command that stores no photo leaves no empty folder behind.
type Folder struct {
	dir  string
	mu   sync.Mutex
	root *os.Root // nil until the folder is opened
}

// NewFolder returns the folder dir as a blob store.
func NewFolder(dir string) (*Folder, error) {
	if dir == "" {
		return nil, fmt.Errorf("the media folder has no name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("media folder %s: %w", dir, err)
	}
	return &Folder{dir: abs}, nil
}

// open returns the folder's root, making the folder when create is set; without it, a
// missing folder is a nil root.
func (f *Folder) open(create bool) (*os.Root, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.root != nil {
		return f.root, nil
	}
	if create {
		if err := os.MkdirAll(f.dir, 0o750); err != nil {
			return nil, fmt.Errorf("create the media folder: %w", err)
		}
	}
	root, err := os.OpenRoot(f.dir)
	if errors.Is(err, fs.ErrNotExist) && !create {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("open the media folder: %w", err)
	}
	f.root = root
	return root, nil
}

// Close lets go of the folder.
func (f *Folder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.root == nil {
		return nil
	}
	err := f.root.Close()
	f.root = nil
	return err
}

// Describe names the folder.
func (f *Folder) Describe() string { return "the folder " + f.dir }

// Put writes the blob to a temporary file beside its place, syncs it, and renames it there.
func (f *Folder) Put(ctx context.Context, key string, r io.Reader, size int64, _ string) (err error) {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	root, err := f.open(true)
	if err != nil {
		return err
	}
	dir := path.Dir(key)
	if err := root.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	var b [8]byte
	rand.Read(b[:])
	tmp := path.Join(dir, ".tmp-"+hex.EncodeToString(b[:]))
	file, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			file.Close()
			root.Remove(tmp)
		}
	}()
	n, err := io.Copy(file, io.LimitReader(r, size+1))
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if n != size {
		return fmt.Errorf("put %s: got %d bytes, want %d", key, n, size)
	}
	if err = file.Sync(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err = file.Close(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err = root.Rename(tmp, key); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get opens the blob's file.
func (f *Folder) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	root, err := f.open(false)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, byline.Errorf(byline.ENOTFOUND, "There is no stored file %s.", key)
	}
	file, err := root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, byline.Errorf(byline.ENOTFOUND, "There is no stored file %s.", key)
	} else if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, byline.Errorf(byline.ENOTFOUND, "There is no stored file %s.", key)
	}
	return file, nil
}

// Exists reports whether the blob's file is there.
func (f *Folder) Exists(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	root, err := f.open(false)
	if root == nil || err != nil {
		return false, err
	}
	st, err := root.Stat(key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("stat %s: %w", key, err)
	}
	return st.Mode().IsRegular(), nil
}

// Delete removes the blob's file.
func (f *Folder) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	root, err := f.open(false)
	if root == nil || err != nil {
		return err
	}
	if err := root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
