package byline

import (
	"context"
	"io"
	"strconv"
)

// BlobStore keeps the bytes of photos (originals and their variants) outside the database:
// in a folder under the data directory by default, or in an S3-compatible object store that
// every node of a newsroom reads. Keys are slash-separated paths of lower-case letters,
// digits, '.', '-' and '_' (see OriginalKey and VariantKey). Every method is safe for
// concurrent use by several goroutines and several nodes: a Put is seen whole or not at all.
type BlobStore interface {
	// Put stores size bytes read from r under key, replacing what the key held.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens what key holds, or returns ENOTFOUND. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Exists reports whether key holds anything.
	Exists(ctx context.Context, key string) (bool, error)
	// Delete removes what key holds; a key that holds nothing is no error.
	Delete(ctx context.Context, key string) error
	// Describe says where the blobs are, in words for logs and backups (no secrets).
	Describe() string
}

// OriginalKey is the blob key of a photo's original file. Photos are spread over 256
// folders by the first two digits of their hash, so that no folder grows to hundreds of
// thousands of entries.
func OriginalKey(hash string) string { return photoPrefix(hash) + "original" }

// VariantKey is the blob key of a photo's variant of the given width (always a JPEG).
func VariantKey(hash string, width int) string {
	return photoPrefix(hash) + strconv.Itoa(width) + ".jpg"
}

func photoPrefix(hash string) string {
	if len(hash) < 2 {
		return "photos/" + hash + "/"
	}
	return "photos/" + hash[:2] + "/" + hash + "/"
}
