package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"byline"
	"byline/blob"
	"byline/store/storetest"
)

// These tests run the real binary in separate processes, as operators do.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// bylineBinary builds the byline command once per test run.
func bylineBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "byline-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "byline")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// node is a running `byline serve` process.
type node struct {
	base string
	cmd  *exec.Cmd
	log  *syncBuffer // everything the process wrote to stderr

	exited  chan struct{} // closed when the process has exited
	exitErr error         // its exit status, once exited is closed
}

// startNode starts `byline serve` on a free port, without sample content unless args
// say otherwise, and returns once it serves. The process is stopped when the test ends.
func startNode(t *testing.T, args ...string) *node {
	t.Helper()
	cmd := exec.Command(bylineBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--sample=false", "--access-log=false"}, args...)...)
	n := &node{cmd: cmd, log: &syncBuffer{}, exited: make(chan struct{})}
	addr := make(chan string, 1)
	re := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		n.log.Write(p)
		if m := re.FindStringSubmatch(n.log.String()); m != nil {
			select {
			case addr <- m[1]:
			default: // sent before
			}
		}
		return len(p), nil
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.exitErr = cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() { n.stop(t) })
	select {
	case n.base = <-addr:
		return n
	case <-n.exited:
		t.Fatalf("the node exited before serving (%v):\n%s", n.exitErr, n.log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the node did not start within a minute:\n%s", n.log.String())
	}
	return nil
}

// writerFunc turns a function into an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// stop sends SIGTERM, as systemd does, waits for the process to exit and returns its exit
// status. A node that has not exited a minute later is killed and the test fails.
func (n *node) stop(t *testing.T) error {
	t.Helper()
	select {
	case <-n.exited:
		return n.exitErr
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(60 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
		t.Errorf("the node did not stop within a minute of SIGTERM:\n%s", n.log.String())
	}
	return n.exitErr
}

func (n *node) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := http.Get(n.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func bylineCmd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(bylineBinary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("byline %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeArticle(t *testing.T, dir, slug, title string) {
	t.Helper()
	src := fmt.Sprintf("---\ntitle: %q\nslug: %s\ndate: 2026-11-20T10:00:00Z\nauthors: [Ana López]\ntags: [Politics]\n---\nThe body of %s.\n", title, slug, title)
	if err := os.WriteFile(filepath.Join(dir, slug+".md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTwoNodes runs two nodes on one PostgreSQL database: an article imported while both
// serve, or changed, is on both nodes' pages at the next request.
func TestTwoNodes(t *testing.T) {
	if !strings.Contains(strings.Join(storetest.Engines(t), " "), "postgres") {
		t.Skip("BYLINE_TEST_POSTGRES_URL is not set")
	}
	url := storetest.URL(t, "postgres")
	// The nodes' shared media folder: in production, an S3 bucket.
	media := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "media"))
	bylineCmd(t, "migrate", "--database-url", url, "--media-url", media)
	a := startNode(t, "--database-url", url, "--media-url", media)
	b := startNode(t, "--database-url", url, "--media-url", media)
	dir := t.TempDir()
	writeArticle(t, dir, "first", "The first story")
	bylineCmd(t, "import", "markdown", dir, "--database-url", url, "--media-url", media)

	// Fill both nodes' caches.
	for _, n := range []*node{a, b} {
		if status, body := n.get(t, "/first/"); status != http.StatusOK || !strings.Contains(body, "The first story") {
			t.Fatalf("%s: status %d", n.base, status)
		}
		n.get(t, "/")
	}
	writeArticle(t, dir, "first", "The first story, corrected")
	writeArticle(t, dir, "second", "The second story")
	out := bylineCmd(t, "import", "markdown", dir, "--database-url", url, "--media-url", media)
	if !strings.Contains(out, "1 imported, 1 updated") {
		t.Fatalf("import output:\n%s", out)
	}
	// The change reaches the other nodes by NOTIFY, just after the commit; the import
	// process has exited by now, so the first request normally sees it. How soon a
	// notification arrives is up to a loaded machine's scheduler, not a property of
	// Byline: the test waits for the change (up to a minute) and says how many tries
	// it took.
	for _, n := range []*node{b, a} {
		tries := 0
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
			tries++
			if _, body := n.get(t, "/first/"); strings.Contains(body, "The first story, corrected") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still serves the old headline after a minute", n.base)
			}
		}
		t.Logf("%s: the change showed on request %d", n.base, tries)
		if status, _ := n.get(t, "/second/"); status != http.StatusOK {
			t.Errorf("%s: the new article: status %d", n.base, status)
		}
		if _, body := n.get(t, "/"); !strings.Contains(body, "The second story") {
			t.Errorf("%s: the front page lacks the new article", n.base)
		}
	}
	_, pageA := a.get(t, "/first/")
	_, pageB := b.get(t, "/first/")
	if pageA != pageB {
		t.Error("the two nodes serve different pages for the same article")
	}
}

// TestKilledImport kills `byline import` with SIGKILL in the middle of a run and shows that
// no article is half written: each one there is whole, with its bylines, tags and photo.
func TestKilledImport(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			url := storetest.URL(t, engine)
			dir := t.TempDir()
			photo := testPhoto(t)
			const total = 60
			for i := range total {
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%03d.jpg", i)), photo(i), 0o644)
				src := fmt.Sprintf("---\ntitle: Story %d\ndate: 2026-11-20T10:00:00Z\nauthors: [Ana López, Jean Dupont]\ntags: [Politics, Europe]\nimage: p%03d.jpg\nimage_alt: A photo\n---\n%s\n", i, i, strings.Repeat("A paragraph. ", 200))
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%03d.md", i)), []byte(src), 0o644)
			}
			data := t.TempDir() // the photos' folder
			args := []string{"import", "markdown", dir, "--database-url", url, "--media-url", "file://" + filepath.ToSlash(filepath.Join(data, "media"))}
			if engine == "sqlite" {
				args = []string{"import", "markdown", dir, "--data", filepath.Dir(url)}
			}
			cmd := exec.Command(bylineBinary(t), args...)
			// Kill it the moment it reports its fifth article, well before the end.
			out := &syncBuffer{}
			killed := false
			cmd.Stdout = writerFunc(func(p []byte) (int, error) {
				out.Write(p)
				if !killed && strings.Count(out.String(), "imported ") >= 5 {
					killed = true
					cmd.Process.Signal(syscall.SIGKILL)
				}
				return len(p), nil
			})
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				if !killed {
					t.Fatalf("the import ended (%v) before it reported five articles:\n%s", err, out)
				}
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("the import reported %d articles in two minutes:\n%s", strings.Count(out.String(), "imported "), out)
			}

			db := storetest.MustOpenURL(t, url)
			if engine != "sqlite" {
				folder, err := blob.NewFolder(filepath.Join(data, "media"))
				if err != nil {
					t.Fatal(err)
				}
				db.Blobs = folder
			}
			ctx := context.Background()
			list, err := db.FindArticles(ctx, byline.ArticleFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 || len(list) >= total {
				t.Fatalf("%d articles after the kill, want some but not all %d", len(list), total)
			}
			for _, a := range list {
				if len(a.Authors) != 2 || len(a.Tags) != 2 || !strings.Contains(a.BodyHTML, "A paragraph.") || a.Image == nil {
					t.Errorf("%s is half written: %d authors, %d tags, image %v", a.Slug, len(a.Authors), len(a.Tags), a.Image != nil)
					continue
				}
				if _, err := db.FindImageVariant(ctx, a.Image.Hash, 320); err != nil {
					t.Errorf("%s: photo variant missing: %v", a.Slug, err)
				}
			}
			t.Logf("%s: %d of %d articles in when killed", engine, len(list), total)
			// Running the import again completes it.
			out2, err := exec.Command(bylineBinary(t), args...).CombinedOutput()
			if err != nil {
				t.Fatalf("second import: %v\n%s", err, out2)
			}
			want := fmt.Sprintf("%d imported, 0 updated, %d unchanged, 0 failed", total-len(list), len(list))
			if !strings.Contains(string(out2), want) {
				t.Errorf("second import: want %q in\n%s", want, lastLine(string(out2)))
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// testPhoto returns a function making distinct small JPEG photos.
func testPhoto(t *testing.T) func(i int) []byte {
	return func(i int) []byte {
		img := image.NewRGBA(image.Rect(0, 0, 700, 400))
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = uint8(p/4+i), uint8(p/2800), uint8(i*7), 255
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
}

// bylineIn runs the byline binary in the folder dir with only the given BYLINE_* variables
// in its environment, and returns its exit code and what it wrote. A process still running
// after a minute (a server that should have refused to start) is killed, and the test fails.
func bylineIn(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bylineBinary(t), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BYLINE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out := &syncBuffer{}
	served := false
	cmd.Stdout = writerFunc(func(p []byte) (int, error) {
		out.Write(p)
		if strings.Contains(out.String(), "msg=serving") {
			served = true // a server that should have refused: stop it now
			cancel()
		}
		return len(p), nil
	})
	cmd.Stderr = cmd.Stdout
	err := cmd.Run()
	if served {
		t.Errorf("byline %s served:\n%s", strings.Join(args, " "), out)
		return -1, out.String()
	}
	if ctx.Err() != nil {
		t.Fatalf("byline %s was still running after a minute:\n%s", strings.Join(args, " "), out)
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("byline %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestBadEnvironmentRefused shows that a secret's _FILE twin that cannot be used stops
// every command before it opens a database: a node told to use PostgreSQL must not quietly
// serve a fresh SQLite newsroom instead. A variable set both ways is refused as ambiguous,
// and so is a boolean that is neither true nor false.
func TestBadEnvironmentRefused(t *testing.T) {
	secrets := t.TempDir()
	empty := filepath.Join(secrets, "empty")
	blank := filepath.Join(secrets, "blank")
	good := filepath.Join(secrets, "url")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(blank, []byte(" \n"), 0o600)
	os.WriteFile(good, []byte("postgres://u:p@127.0.0.1:1/news\n"), 0o600)
	commands := [][]string{{"serve", "--addr", "127.0.0.1:0"}, {}, {"migrate"}, {"settings"},
		{"settings", "set", "title", "Elsewhere"}, {"import", "markdown", "posts"}, {"backup", "backup.db"},
		{"copy", "--from", "a", "--to", "b"}, {"version"}}
	cases := []struct {
		name string
		env  []string
		want []string // in the message
	}{
		{"missing file", []string{"BYLINE_DATABASE_URL_FILE=" + filepath.Join(secrets, "nope")},
			[]string{"BYLINE_DATABASE_URL_FILE", filepath.Join(secrets, "nope")}},
		{"a folder", []string{"BYLINE_DATABASE_URL_FILE=" + secrets}, []string{"BYLINE_DATABASE_URL_FILE", secrets}},
		{"empty file", []string{"BYLINE_DATABASE_URL_FILE=" + empty}, []string{"BYLINE_DATABASE_URL_FILE", empty, "empty"}},
		{"blank file", []string{"BYLINE_DATABASE_URL_FILE=" + blank}, []string{"BYLINE_DATABASE_URL_FILE", blank, "empty"}},
		{"another flag's file", []string{"BYLINE_BASE_URL_FILE=" + filepath.Join(secrets, "nope")},
			[]string{"BYLINE_BASE_URL_FILE", filepath.Join(secrets, "nope")}},
		{"a boolean that is not one", []string{"BYLINE_SAMPLE=nope"}, []string{"BYLINE_SAMPLE", "nope"}},
		{"a size that is not a number", []string{"BYLINE_PAGE_CACHE_MB=64MB"}, []string{"BYLINE_PAGE_CACHE_MB", "64MB"}},
		{"an unknown log format", []string{"BYLINE_LOG_FORMAT=jsn"}, []string{"--log-format", "jsn"}},
		{"a misspelt variable", []string{"BYLINE_DATABSE_URL=postgres://u@127.0.0.1:1/news"}, []string{"BYLINE_DATABSE_URL"}},
		{"a database URL set but empty", []string{"BYLINE_DATABASE_URL="}, []string{"BYLINE_DATABASE_URL", "empty"}},
		{"a key=value database string", []string{"BYLINE_DATABASE_URL=host=db user=news password=S3cretPw"}, []string{"BYLINE_DATABASE_URL", "postgres://"}},
		{"both set", []string{"BYLINE_DATABASE_URL=postgres://u:p@127.0.0.1:1/other", "BYLINE_DATABASE_URL_FILE=" + good},
			[]string{"BYLINE_DATABASE_URL ", "BYLINE_DATABASE_URL_FILE"}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			for _, args := range commands {
				dir := t.TempDir()
				code, out := bylineIn(t, dir, c.env, args...)
				name := "byline " + strings.Join(args, " ")
				if code == 0 {
					t.Errorf("%s: exit code 0, want a refusal:\n%s", name, out)
				}
				for _, w := range c.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s: the message lacks %q:\n%s", name, w, out)
					}
				}
				if left, _ := os.ReadDir(dir); len(left) > 0 {
					t.Errorf("%s left %s behind in its folder (byline-data is a SQLite newsroom)", name, left[0].Name())
				}
			}
		})
	}
}

// TestStartLogRedactsSecrets shows that serve logs its effective configuration as it
// starts, the database URL included, with the password in it replaced: logs travel to
// places where secrets must not. The log comes before the database is opened, so a node
// that cannot reach its database still says which one it tried.
func TestStartLogRedactsSecrets(t *testing.T) {
	const pw, qpw = "s3cret-pw", "an0ther-pw"
	secret := filepath.Join(t.TempDir(), "db")
	os.WriteFile(secret, []byte("postgres://byline:"+pw+"@127.0.0.1:1/news?sslmode=disable&password="+qpw+"\n"), 0o600)
	for _, format := range []string{"text", "json"} {
		code, out := bylineIn(t, t.TempDir(), []string{"BYLINE_DATABASE_URL_FILE=" + secret, "BYLINE_LOG_FORMAT=" + format},
			"serve", "--addr", "127.0.0.1:0")
		if code == 0 {
			t.Errorf("%s: serve without its database exited 0:\n%s", format, out)
		}
		if strings.Contains(out, pw) || strings.Contains(out, qpw) {
			t.Errorf("%s: the output shows the password:\n%s", format, out)
		}
		for _, want := range []string{"postgres://byline:xxxxx@127.0.0.1:1/news", "password=xxxxx", "page_cache", "access_log"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: the start log lacks %q:\n%s", format, want, out)
			}
		}
	}

	// A node that reaches its database: the whole log, start to stop, keeps the secret.
	if !strings.Contains(strings.Join(storetest.Engines(t), " "), "postgres") {
		return
	}
	u, err := url.Parse(storetest.URL(t, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw) // the test cluster trusts 127.0.0.1
	n := startNode(t, "--database-url", u.String(), "--media-url", "file://"+filepath.ToSlash(t.TempDir()), "--access-log=true")
	if status, _ := n.get(t, "/healthz"); status != http.StatusOK {
		t.Errorf("/healthz: status %d", status)
	}
	n.stop(t)
	if log := n.log.String(); strings.Contains(log, pw) || !strings.Contains(log, u.User.Username()+":xxxxx@") {
		t.Errorf("the log shows the password, or not the redacted URL:\n%s", log)
	}
}
