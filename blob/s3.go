package blob

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"byline"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config says which S3-compatible store to use.
type S3Config struct {
	Bucket string
	// Endpoint is the store's address, like https://minio.example.org:9000; empty for AWS.
	Endpoint string
	Region   string
	// Prefix starts every key ("" or a folder name with a trailing slash), so that several
	// newsrooms may share a bucket.
	Prefix      string
	Credentials Credentials
	// Transport, when set, carries the requests (tests).
	Transport http.RoundTripper
}

// S3 keeps blobs in a bucket of an S3-compatible object store, through minio-go: a small
// client (19 modules, against 41 for gocloud.dev's s3blob) that speaks to AWS and to every
// S3-compatible server alike. S3 writes an object whole or not at all.
type S3 struct {
	client *minio.Client
	cfg    S3Config
}

// NewS3 connects to the store and checks that the bucket is there.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	host, secure := "s3.amazonaws.com", true
	lookup := minio.BucketLookupAuto
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, byline.Errorf(byline.EINVALID, "The media store's endpoint must read http://host:port or https://host (got %q).", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
		// Self-hosted stores (MinIO, Garage, Ceph) rarely have a DNS name per bucket.
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.Credentials.AccessKey, cfg.Credentials.SecretKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	s := &S3{client: client, cfg: cfg}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := client.BucketExists(cctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("media store %s: %w", s.Describe(), err)
	}
	if !ok {
		return nil, byline.Errorf(byline.EINVALID, "The media store has no bucket %q: create it first (with versioning on, for backups).", cfg.Bucket)
	}
	return s, nil
}

// Describe names the bucket and the endpoint, without keys.
func (s *S3) Describe() string {
	where := "AWS S3"
	if s.cfg.Endpoint != "" {
		where = s.cfg.Endpoint
	}
	return fmt.Sprintf("the bucket %s (prefix %q) at %s", s.cfg.Bucket, s.cfg.Prefix, where)
}

// Put uploads the blob as one object.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, s.cfg.Bucket, s.cfg.Prefix+key, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get opens the object. minio-go asks for the object only when it is read: Stat asks
// first, so that a missing one is ENOTFOUND here.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.cfg.Bucket, s.cfg.Prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.fail("get", key, err)
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, s.fail("get", key, err)
	}
	return obj, nil
}

// Exists asks for the object's description.
func (s *S3) Exists(ctx context.Context, key string) (bool, error) {
	if err := checkKey(key); err != nil {
		return false, err
	}
	_, err := s.client.StatObject(ctx, s.cfg.Bucket, s.cfg.Prefix+key, minio.StatObjectOptions{})
	if err == nil {
		return true, nil
	}
	if err := s.fail("stat", key, err); byline.ErrorCode(err) != byline.ENOTFOUND {
		return false, err
	}
	return false, nil
}

// Delete removes the object; S3 answers a missing one as removed.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.cfg.Bucket, s.cfg.Prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return s.fail("delete", key, err)
	}
	return nil
}

// fail turns the store's "no such key" into ENOTFOUND, and wraps anything else.
func (s *S3) fail(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || resp.StatusCode == http.StatusNotFound && !strings.Contains(resp.Code, "Bucket") {
		return byline.Errorf(byline.ENOTFOUND, "There is no stored file %s.", key)
	}
	return fmt.Errorf("%s %s: %w", op, key, err)
}
