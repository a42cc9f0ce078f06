// Command byline runs a Byline newsroom: the public site, and the commands that feed it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"byline"
	"byline/blob"
	"byline/mail"
	"byline/markdown"
	"byline/membership"
	"byline/newsroom"
	"byline/publishing"
	"byline/store"
	"byline/web"
)

const usage = `Byline: a publishing platform for membership-funded newsrooms.

Usage:
  byline [serve] [flags]           run the site (the default command)
  byline import markdown PATH...   import Markdown files, or folders of them; with --replace
                                   a file may overwrite an article another source made
  byline migrate [flags]           apply database migrations without serving
  byline copy --from DB --to DB    copy a whole newsroom between databases (SQLite ⇄ PostgreSQL);
                                   the photos stay in the media store (--media-url)
  byline backup FILE               write a consistent copy of the SQLite database while serving
                                   (not the photos: back up the media store too)
  byline settings [set KEY VALUE]  show the site settings, or change one (title, description,
                                   logo, accent as #rrggbb, locale, timezone, navigation as JSON)
  byline staff add --email E --name N --role R [--password-file F]
                                   add a staff account (the first is the Owner); without
                                   --password-file a password is made and printed once
  byline staff list                list the staff accounts
  byline staff reset-password --email E
                                   print a link that sets a new password for the account
  byline outbox [--limit N]        print the messages the site sent (resets, invitations),
                                   newest first: with no mail server, the outbox is the mail
  byline jobs [retry KEY | cancel KEY]
                                   list the background jobs not done (scheduled publications,
                                   retries, failures); run a failed or waiting one now, or
                                   cancel one
  byline version                   print the version

Every flag has an environment twin: --base-url is BYLINE_BASE_URL, and so on.
A flag given on the command line wins over its environment variable. A secret can
come from a file instead: BYLINE_DATABASE_URL_FILE=/run/secrets/db (any flag that
takes text has such a _FILE twin). A _FILE twin that cannot be read, or is empty,
or is set beside its plain variable, stops every command.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		switch {
		case errors.Is(err, flag.ErrHelp):
		case byline.ErrorCode(err) != byline.EINTERNAL:
			fmt.Fprintln(os.Stderr, "byline:", byline.ErrorMessage(err))
		default:
			fmt.Fprintln(os.Stderr, "byline:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode is 0 after --help, 2 for usage errors, 1 otherwise.
func exitCode(err error) int {
	var u usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// config holds the settings given by flags and environment.
type config struct {
	addr, data, databaseURL, baseURL string
	from, to                         string // copy
	replace                          bool   // import
	staffEmail, staffName, staffRole string // staff add
	passwordFile                     string // staff add
	outboxLimit                      int    // outbox
	sample, dev, accessLog, cache    bool
	jobs                             bool // serve: run background jobs
	cacheMB                          int
	logFormat                        string
	mediaURL, mediaKey, mediaSecret  string // where photos are kept
	smtpURL, mailFrom                string // the mail server, and the From of every message
	command                          string // the command being run: serve, migrate…
}

// flags declares the flags on fs, each defaulting to its BYLINE_* environment twin. It
// returns an error for an environment that cannot be used as it stands (a _FILE twin that
// cannot be read or is empty, a variable set both ways, a boolean that is not one): a
// node must not fall back to defaults, such as a fresh SQLite database, when it was told
// otherwise.
func flags(fs *flag.FlagSet, c *config) error {
	var errs []error
	str := func(p *string, name, def, help string) {
		v, err := envOr(name, def)
		errs = append(errs, err)
		fs.StringVar(p, name, v, help+" ("+envName(name)+")")
	}
	boolean := func(p *bool, name string, def bool, help string) {
		v := def
		if s, ok := os.LookupEnv(envName(name)); ok {
			if b, err := strconv.ParseBool(s); err == nil {
				v = b
			} else {
				errs = append(errs, fmt.Errorf("%s=%s is neither true nor false", envName(name), s))
			}
		}
		fs.BoolVar(p, name, v, help+" ("+envName(name)+")")
	}
	integer := func(p *int, name string, def int, help string) {
		v := def
		if s, ok := os.LookupEnv(envName(name)); ok {
			if n, err := strconv.Atoi(s); err == nil && n > 0 {
				v = n
			} else {
				errs = append(errs, fmt.Errorf("%s=%s is not a positive whole number", envName(name), s))
			}
		}
		fs.IntVar(p, name, v, help+" ("+envName(name)+")")
	}
	str(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	str(&c.data, "data", "./byline-data", "data folder: the SQLite database lives here")
	str(&c.databaseURL, "database-url", "", "postgres://user:pass@host:5432/db to use PostgreSQL instead of SQLite; or BYLINE_DATABASE_URL_FILE")
	if c.databaseURL != "" && !store.IsPostgres(c.databaseURL) {
		errs = append(errs, fmt.Errorf("BYLINE_DATABASE_URL must be a postgres:// or postgresql:// URL; the SQLite database lives in the BYLINE_DATA folder"))
	}
	str(&c.baseURL, "base-url", "", "public address of the site, like https://news.example.org (default http://ADDR)")
	boolean(&c.sample, "sample", true, "give an empty database the sample newsroom")
	boolean(&c.dev, "dev", false, "read templates and static files from ./web at each request")
	boolean(&c.accessLog, "access-log", true, "log every request")
	boolean(&c.cache, "page-cache", true, "keep rendered pages in memory (off: render every request)")
	boolean(&c.jobs, "jobs", true, "run background jobs, such as scheduled publications, on this node (every node may; each job runs on one)")
	integer(&c.cacheMB, "page-cache-mb", 32, "memory the page cache may use, in MB (compressed copies included)")
	str(&c.from, "from", "", "byline copy: the source, a SQLite data folder or file, or a postgres:// URL; or BYLINE_FROM_FILE")
	str(&c.to, "to", "", "byline copy: the destination, empty; a SQLite data folder or file, or a postgres:// URL; or BYLINE_TO_FILE")
	str(&c.logFormat, "log-format", "text", "log format: text or json")
	str(&c.mediaURL, "media-url", "", "where photos are kept: s3://bucket?endpoint=https://host&region=name&prefix=folder for an S3-compatible store (several nodes), or file:///absolute/folder (one node); empty for the folder media/ in the data folder, with SQLite only")
	str(&c.mediaKey, "media-access-key", "", "the S3 store's access key (default: AWS_ACCESS_KEY_ID); or BYLINE_MEDIA_ACCESS_KEY_FILE")
	str(&c.mediaSecret, "media-secret-key", "", "the S3 store's secret key (default: AWS_SECRET_ACCESS_KEY); better BYLINE_MEDIA_SECRET_KEY_FILE")
	str(&c.smtpURL, "smtp-url", "", "the mail server: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS); better BYLINE_SMTP_URL_FILE. Empty: mail stays in the outbox (/admin/outbox, byline outbox)")
	str(&c.mailFrom, "mail-from", "", "the From address of the site's mail, such as \"The Daily <news@daily.example>\" (required with --smtp-url)")
	if c.logFormat != "text" && c.logFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: use text or json", c.logFormat))
	}
	return errors.Join(errs...)
}

func envName(flag string) string {
	return "BYLINE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// envOr returns the flag's environment twin, or the contents of the file named by its
// _FILE twin (for secrets such as a database password), or def. A _FILE twin that cannot
// be read or holds nothing, or one set beside the plain variable, is an error.
func envOr(flag, def string) (string, error) {
	name := envName(flag)
	v, isSet := os.LookupEnv(name)
	path, fileSet := os.LookupEnv(name + "_FILE")
	switch {
	case isSet && fileSet:
		return def, fmt.Errorf("both %s and %s_FILE are set: unset one of them", name, name)
	case isSet && strings.TrimSpace(v) == "":
		// As "${DB_URL}" gives when DB_URL is unset: the default would be a silent guess.
		return def, fmt.Errorf("%s is set but empty: give it a value, or unset it", name)
	case isSet:
		return v, nil
	case !fileSet:
		return def, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return def, fmt.Errorf("cannot read %s_FILE=%s: %v", name, path, err)
	}
	v = strings.TrimSpace(string(b))
	if v == "" {
		return def, fmt.Errorf("%s_FILE=%s names an empty file", name, path)
	}
	return v, nil
}

// unknownVariables refuses a BYLINE_* variable that names no flag, such as a misspelt
// BYLINE_DATABSE_URL: the node would otherwise start on its defaults, a fresh SQLite newsroom.
// BYLINE_TEST_* belong to the tests.
func unknownVariables(fs *flag.FlagSet) error {
	known := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) {
		known[envName(f.Name)], known[envName(f.Name)+"_FILE"] = true, true
	})
	var errs []error
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "BYLINE_") && !strings.HasPrefix(name, "BYLINE_TEST_") && !known[name] {
			errs = append(errs, fmt.Errorf("%s is not a Byline setting (see byline --help for the BYLINE_* names)", name))
		}
	}
	return errors.Join(errs...)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("byline "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	c := config{command: cmd}
	err := flags(fs, &c)
	if err == nil {
		err = unknownVariables(fs)
	}
	if err != nil && cmd != "help" {
		// Before anything else: no command opens a database with a configuration it was not given.
		return err
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "byline", byline.Version)
		return nil
	case "help":
		fs.Usage()
		return nil
	case "copy":
	case "import":
		// No environment twin: a forgotten variable must not overwrite articles unasked.
		fs.BoolVar(&c.replace, "replace", false, "let an imported file overwrite an article with its slug that another file, the sample newsroom or Byline made")
	case "staff":
		// The account's details are the command's arguments, not settings: no twins.
		fs.StringVar(&c.staffEmail, "email", "", "staff add: the email address they sign in with")
		fs.StringVar(&c.staffName, "name", "", "staff add: their name")
		fs.StringVar(&c.staffRole, "role", "", "staff add: contributor, author, moderator, editor, administrator or owner")
		fs.StringVar(&c.passwordFile, "password-file", "", "staff add: read the password from this file (- for standard input); none: one is made and printed")
	case "outbox":
		fs.IntVar(&c.outboxLimit, "limit", 20, "outbox: how many messages to print, newest first")
	case "serve", "migrate", "backup", "settings", "jobs":
	default:
		fs.Usage()
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	// Flags may stand before, between or after the command's arguments.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return usageError{fmt.Sprintf("--log-format %q: use text or json", c.logFormat)}
	}
	if c.cacheMB <= 0 || c.cacheMB > 1<<20 {
		return usageError{fmt.Sprintf("--page-cache-mb %d: give a number of MB from 1 to 1048576", c.cacheMB)}
	}
	if c.databaseURL != "" && !store.IsPostgres(c.databaseURL) {
		// A key=value string or a typo must not become a SQLite file named after it.
		return usageError{"--database-url must be a postgres:// or postgresql:// URL; the SQLite database lives in the --data folder"}
	}
	log := newLogger(stderr, c.logFormat)
	switch cmd {
	case "migrate", "serve", "copy":
		if len(positional) > 0 {
			return usageError{fmt.Sprintf("%s takes no arguments, only flags (got %q)", cmd, positional)}
		}
	}
	switch cmd {
	case "migrate":
		db, err := openStore(ctx, c, true)
		if err != nil {
			return err
		}
		defer db.Close()
		fmt.Fprintf(stdout, "migrated the %s database\n", db.Engine())
		n, err := db.MovePhotosToBlobs(ctx)
		if n > 0 {
			fmt.Fprintf(stdout, "moved %d photo(s) from the database to %s\n", n, db.Blobs.Describe())
		}
		return err
	case "copy":
		return copyNewsroom(ctx, c, stdout)
	case "settings":
		return siteSettings(ctx, c, positional, stdout)
	case "backup":
		if len(positional) != 1 {
			return usageError{"usage: byline backup FILE"}
		}
		db, err := openStore(ctx, c, true)
		if err != nil {
			return err
		}
		defer db.Close()
		start := time.Now()
		if err := db.Backup(ctx, positional[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backed up to %s in %s\n", positional[0], time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "not included: the photos, kept in %s; back them up too (copy the folder, or keep the bucket versioned and replicated)\n", db.Blobs.Describe())
		return nil
	case "staff":
		return staffCommand(ctx, c, positional, stdout)
	case "outbox":
		return outboxCommand(ctx, c, positional, stdout)
	case "jobs":
		return jobsCommand(ctx, c, positional, stdout)
	case "import":
		rest := positional
		if len(rest) < 2 || rest[0] != "markdown" {
			return usageError{"usage: byline import markdown PATH..."}
		}
		return importMarkdown(ctx, c, rest[1:], stdout)
	}
	return serve(ctx, c, log)
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// errMediaUnset stops serve, migrate and import on PostgreSQL without a media store.
var errMediaUnset = usageError{"with PostgreSQL, set where photos are kept: BYLINE_MEDIA_URL (or --media-url) " +
	"s3://bucket?endpoint=https://host&region=name for several nodes, or file:///srv/byline/media for a single node. " +
	"Without it each node would keep photos in its own ./byline-data/media, where the other nodes cannot serve them, " +
	"and moving the photos an older Byline kept in the database would put them in a folder that may not outlive this " +
	"process (a throwaway container); nothing was changed"}

// openStore opens the configured database: PostgreSQL when a URL is given, else SQLite in
// the data folder; its photos are kept in the configured media store. SQLite's default
// store is the data folder's media/, beside the database. PostgreSQL has no such place: the
// database outlives any one node, so its photos must go where the operator says. serve,
// migrate and import (which write photos, and move those an older Byline kept in the
// database) refuse to start without --media-url; the other commands then have no media
// store, and any photo they touched would fail with a message rather than land on this
// machine.
func openStore(ctx context.Context, c config, migrate bool) (*store.DB, error) {
	url := c.databaseURL
	if url == "" {
		url = c.data
	}
	var blobs byline.BlobStore
	if store.IsPostgres(url) && c.mediaURL == "" {
		switch c.command {
		case "serve", "migrate", "import":
			return nil, errMediaUnset
		}
	} else {
		var err error
		if blobs, err = openMedia(ctx, c); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, storeURL(url), migrate)
	if err != nil {
		return nil, err
	}
	if blobs != nil {
		db.Blobs = blobs
	}
	return db, nil
}

// openMedia opens where photos are kept: --media-url, or the folder media/ in the data
// folder (SQLite only: see openStore). The S3 keys come from --media-access-key and --media-secret-key (or their
// _FILE twins), else from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
func openMedia(ctx context.Context, c config) (byline.BlobStore, error) {
	creds := blob.Credentials{AccessKey: c.mediaKey, SecretKey: c.mediaSecret}
	if creds.AccessKey == "" {
		creds.AccessKey = os.Getenv("AWS_ACCESS_KEY_ID")
	}
	if creds.SecretKey == "" {
		creds.SecretKey = os.Getenv("AWS_SECRET_ACCESS_KEY")
	}
	return blob.Open(ctx, c.mediaURL, filepath.Join(filepath.Dir(storeURL(c.data)), "media"), creds)
}

// storeURL turns a data folder into its SQLite file; files and postgres:// URLs stay.
func storeURL(s string) string {
	if store.IsPostgres(s) {
		return s
	}
	s = strings.TrimPrefix(s, "sqlite://")
	if st, err := os.Stat(s); err == nil && st.IsDir() || !strings.HasSuffix(s, ".db") && err != nil {
		return filepath.Join(s, "byline.db")
	}
	return s
}

func copyNewsroom(ctx context.Context, c config, stdout io.Writer) error {
	if c.from == "" || c.to == "" {
		return usageError{"usage: byline copy --from DB --to DB (a SQLite data folder or file, or a postgres:// URL)"}
	}
	if storeURL(c.from) == storeURL(c.to) {
		return usageError{"--from and --to name the same database"}
	}
	if !store.IsPostgres(c.from) {
		if _, err := os.Stat(storeURL(c.from)); err != nil {
			return fmt.Errorf("no source database: %w", err)
		}
	}
	start := time.Now()
	src, err := store.Open(ctx, storeURL(c.from), true)
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, storeURL(c.to), true)
	if err != nil {
		return fmt.Errorf("open destination: %w", err)
	}
	defer dst.Close()
	err = store.Copy(ctx, src, dst, func(table string, rows int) {
		fmt.Fprintf(stdout, "%-16s %8d rows\n", table, rows)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied from %s to %s in %s; row counts verified\n", src.Engine(), dst.Engine(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "not copied: the photos, which stay in the media store; give the new database the same one (the data folder's media/ or --media-url), or copy that folder beside it")
	return nil
}

func newImporter(db *store.DB) (*publishing.Importer, error) {
	site, err := db.FindSettings(context.Background())
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(site.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return &publishing.Importer{Store: db, Markdown: markdown.New(), Location: loc}, nil
}

func importMarkdown(ctx context.Context, c config, paths []string, stdout io.Writer) error {
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	im, err := newImporter(db)
	if err != nil {
		return err
	}
	im.Replace = c.replace
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// A decoded photo can take 200 MB; collect the last one before the next grows the
		// heap to twice that (a soft limit: a larger photo still imports).
		debug.SetMemoryLimit(300 << 20)
	}
	words := map[byline.SaveResult]string{byline.Created: "imported", byline.Updated: "updated", byline.Unchanged: "unchanged"}
	sum, err := im.ImportPaths(ctx, paths, func(file string, res byline.SaveResult, warnings []string, err error) {
		if err != nil {
			fmt.Fprintf(stdout, "failed     %v\n", err)
			return
		}
		fmt.Fprintf(stdout, "%-10s %s\n", words[res], file)
		for _, w := range warnings {
			fmt.Fprintf(stdout, "           %s: %s\n", file, w)
		}
	})
	if err != nil && ctx.Err() != nil {
		// SIGTERM or Ctrl-C: the file in hand was finished or left whole, and no other begun.
		fmt.Fprintf(stdout, "stopped: %d imported, %d updated, %d unchanged, %d failed\n", sum.Imported, sum.Updated, sum.Unchanged, sum.Failed)
		return errors.New("the import was stopped before its end; run it again to import the rest")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d imported, %d updated, %d unchanged, %d failed\n", sum.Imported, sum.Updated, sum.Unchanged, sum.Failed)
	if sum.Failed > 0 {
		return fmt.Errorf("%d file(s) failed to import", sum.Failed)
	}
	return nil
}

// redactURL returns s with the password of a URL's user and any password in its query
// replaced by "xxxxx", for logs. Text that is no URL with a scheme comes back unchanged,
// except that one that fails to parse as such is not shown at all.
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		if strings.Contains(strings.ToLower(s), "password") {
			return "(not shown: it may hold a password)"
		}
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL that does not parse, not shown)"
	}
	if u.Fragment != "" || u.Opaque != "" {
		// "user:12#34@host" parses as a host and a fragment: a password cut in two.
		return "(a URL that does not parse as meant, not shown)"
	}
	if q := u.Query(); len(q) > 0 {
		redacted := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "xxxxx")
				redacted = true
			}
		}
		if redacted {
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

func serve(ctx context.Context, c config, log *slog.Logger) error {
	start := time.Now()
	if c.baseURL == "" {
		c.baseURL = "http://" + c.addr
	}
	// The effective configuration, before the database is opened: a node that cannot
	// reach its database still says which one it tried.
	engine := "sqlite"
	if store.IsPostgres(c.databaseURL) {
		engine = "postgres"
	}
	log.Info("starting byline", "version", byline.Version, "addr", c.addr, "base_url", redactURL(c.baseURL),
		"database", engine, "database_url", redactURL(c.databaseURL), "data", c.data, "sample", c.sample,
		"dev", c.dev, "access_log", c.accessLog, "page_cache", c.cache, "page_cache_mb", c.cacheMB, "log_format", c.logFormat, "jobs", c.jobs,
		"media_url", redactURL(c.mediaURL), "smtp_url", redactURL(c.smtpURL), "mail_from", c.mailFrom)
	relay, err := mailRelay(c)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	// Photos an older Byline kept in the database move to the media store, once.
	if n, err := db.MovePhotosToBlobs(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("moved photos from the database to the media store", "photos", n, "media", db.Blobs.Describe())
	}
	if c.sample {
		n, err := db.CountArticles(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			im, err := newImporter(db)
			if err != nil {
				return err
			}
			sum, err := publishing.Seed(ctx, im, time.Now())
			if err != nil {
				return err
			}
			log.Info("the database was empty: added the sample newsroom", "articles", sum.Imported)
		}
	}
	mailer := &mail.Outbox{Store: db, Relay: relay}
	if relay == nil {
		log.Info("no mail server set (BYLINE_SMTP_URL): messages stay in the outbox, read at /admin/outbox or with byline outbox")
	} else if !c.jobs {
		log.Warn("this node runs no jobs (BYLINE_JOBS=false): the mail it queues is sent by the nodes that run them")
	}
	staff := newNewsroom(db, c)
	staff.Mail = mailer
	if err := logSetupCode(ctx, staff, log); err != nil {
		return err
	}
	srv, err := web.New(web.Config{Store: db, Logger: log, AccessLog: c.accessLog, BaseURL: c.baseURL, Dev: c.dev, NoPageCache: !c.cache,
		PageCacheBytes: int64(c.cacheMB) << 20,
		Staff:          staff,
		Auth:           &newsroom.Auth{Staff: db, Sessions: db},
		Members:        &membership.Members{Store: db, Settings: db, Mail: staff.Mail, BaseURL: staff.BaseURL},
		Desk:           &publishing.Desk{Store: db, Markdown: markdown.New(), Audit: db, Scheduler: &publishing.JobScheduler{Jobs: db}}})
	if err != nil {
		return err
	}
	if c.jobs {
		// Stopped before the store closes: running jobs finish, or are let go for another node.
		defer startJobs(ctx, db, log, mailer)()
	}
	return web.Run(ctx, c.addr, srv, log, 30*time.Second, func(addr string) {
		log.Info("serving", "url", "http://"+addr+"/", "startup", time.Since(start).Round(time.Millisecond))
	})
}

// mailRelay is the SMTP sender that --smtp-url and --mail-from describe, or nil when no
// mail server is set. A URL that does not parse, or one without a From address, stops the
// node: it would otherwise start and lose no mail, but send none either.
func mailRelay(c config) (byline.Mailer, error) {
	if c.smtpURL == "" {
		return nil, nil
	}
	s, err := mail.NewSMTP(c.smtpURL, c.mailFrom)
	if err != nil {
		return nil, usageError{"BYLINE_SMTP_URL (--smtp-url): " + err.Error()}
	}
	return s, nil
}

// siteSettings shows the site settings, or sets one: until the newsroom's staff screens
// exist, this is how an editor names the site or sets its navigation.
func siteSettings(ctx context.Context, c config, args []string, stdout io.Writer) error {
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.FindSettings(ctx)
	if err != nil {
		return err
	}
	switch {
	case len(args) == 0:
	case len(args) == 3 && args[0] == "set":
		value := args[2]
		switch args[1] {
		case "title":
			s.Title = value
		case "description":
			s.Description = value
		case "logo":
			s.Logo = value
		case "accent":
			s.Accent = value
		case "locale":
			s.Locale = value
		case "timezone":
			s.Timezone = value
		case "navigation":
			var nav []byline.NavLink
			if err := json.Unmarshal([]byte(value), &nav); err != nil {
				return usageError{`navigation is a JSON list: [{"label": "Politics", "url": "/tag/politics/"}]`}
			}
			s.Navigation = nav
		default:
			return usageError{fmt.Sprintf("unknown setting %q: use title, description, logo, accent, locale, timezone or navigation", args[1])}
		}
		if err := db.SaveSettings(ctx, s); err != nil {
			return err
		}
	default:
		return usageError{"usage: byline settings [set KEY VALUE]"}
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(out))
	return nil
}

// staffCommand adds or lists staff accounts: until the admin's setup page, this is how a
// newsroom gets its Owner, and always a way in for an operator.
func staffCommand(ctx context.Context, c config, args []string, stdout io.Writer) error {
	if len(args) == 1 && args[0] == "reset-password" {
		return staffResetPassword(ctx, c, stdout)
	}
	if len(args) != 1 || args[0] != "add" && args[0] != "list" {
		return usageError{"usage: byline staff add --email E --name N --role R [--password-file F] | byline staff list | byline staff reset-password --email E"}
	}
	db, err := openStore(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "list" {
		list, err := db.FindStaff(ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			fmt.Fprintf(stdout, "%-14s %-32s %s\n", s.Role, s.Email, s.Name)
		}
		fmt.Fprintf(stdout, "%d staff account(s)\n", len(list))
		return nil
	}
	password, made := "", false
	switch c.passwordFile {
	case "":
		var b [18]byte
		rand.Read(b[:])
		password, made = base64.RawURLEncoding.EncodeToString(b[:]), true
	case "-":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, newsroom.MaxPassword+2))
		if err != nil {
			return fmt.Errorf("read the password: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	default:
		b, err := os.ReadFile(c.passwordFile)
		if err != nil {
			return byline.Errorf(byline.EINVALID, "Cannot read the password file %s: %v.", c.passwordFile, err)
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	n := &newsroom.Newsroom{Store: db}
	s, err := n.AddStaff(ctx, c.staffEmail, c.staffName, byline.Role(strings.ToLower(c.staffRole)), password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s <%s> as %s\n", s.Name, s.Email, s.Role)
	if made {
		fmt.Fprintf(stdout, "password: %s\n(shown once: hand it over safely)\n", password)
	}
	return nil
}
