// Package blob keeps photo bytes outside the database, behind byline.BlobStore: Folder, a
// folder under the data directory (the embedded default), and S3, any S3-compatible object
// store (AWS S3, MinIO, Ceph, Garage, R2...), which several nodes share.
package blob

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"byline"
)

// Credentials are the keys of an S3-compatible store.
type Credentials struct {
	AccessKey, SecretKey string
}

// Open opens the blob store that rawURL names: "" for the folder dir;
// "file:///absolute/folder" for a folder the operator chose (one node); or
// "s3://bucket?endpoint=https://host:port&region=...&prefix=..." for an S3-compatible store
// (without endpoint, AWS's), which several nodes share. A bucket that cannot be reached, or
// does not exist, is an error now rather than at the first upload.
func Open(ctx context.Context, rawURL, dir string, creds Credentials) (byline.BlobStore, error) {
	if rawURL == "" {
		return NewFolder(dir)
	}
	u, err := url.Parse(rawURL)
	if err == nil && u.Scheme == "file" {
		return openFile(u, rawURL)
	}
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") {
		return nil, byline.Errorf(byline.EINVALID, "The media URL must read s3://bucket?endpoint=https://host&region=name, or file:///absolute/folder for one node (got %s).", redact(rawURL))
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "endpoint", "region", "prefix":
		default:
			return nil, byline.Errorf(byline.EINVALID, "The media URL has an unknown setting %q: use endpoint, region and prefix.", k)
		}
	}
	if creds.AccessKey == "" || creds.SecretKey == "" {
		return nil, byline.Errorf(byline.EINVALID, "The S3 media store needs keys: set BYLINE_MEDIA_ACCESS_KEY and BYLINE_MEDIA_SECRET_KEY (or their _FILE twins), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
	}
	prefix := strings.Trim(q.Get("prefix"), "/")
	if prefix != "" {
		if err := checkKey(prefix); err != nil {
			return nil, byline.Errorf(byline.EINVALID, "The media URL's prefix %q is not a plain folder name.", prefix)
		}
		prefix += "/"
	}
	return NewS3(ctx, S3Config{Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"), Prefix: prefix, Credentials: creds})
}

// openFile opens the folder a file:// URL names: an absolute path on this machine
// (file:///srv/byline/media, or file://localhost/srv/byline/media), with no query.
func openFile(u *url.URL, rawURL string) (byline.BlobStore, error) {
	if u.Opaque != "" || u.User != nil || (u.Host != "" && u.Host != "localhost") || u.RawQuery != "" || u.Fragment != "" ||
		!strings.HasPrefix(u.Path, "/") || path.Clean(u.Path) == "/" {
		return nil, byline.Errorf(byline.EINVALID, "A folder media URL must name an absolute folder other than /, like file:///srv/byline/media (got %s).", redact(rawURL))
	}
	return NewFolder(filepath.FromSlash(path.Clean(u.Path)))
}

// redact drops any user information from a URL shown in a message.
func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		u.User = nil
		return u.String()
	}
	return "(a URL that does not parse)"
}

// checkKey refuses keys that are not plain relative paths: the folder store must never
// leave its folder, and both stores must name the same objects alike.
func checkKey(key string) error {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return fmt.Errorf("blob key %q is not a relative path", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return fmt.Errorf("blob key %q has an empty, hidden or parent part", key)
		}
	}
	for _, r := range key {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '/' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("blob key %q holds %q: use lower-case letters, digits, '/', '.', '-' and '_'", key, r)
		}
	}
	return nil
}
