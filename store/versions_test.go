package store_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSQLiteLibcVersion guards against a known trap: modernc.org/sqlite is generated against
// one exact modernc.org/libc, and another version that some new dependency pulls in can
// corrupt memory at run time. The build's libc must be the one sqlite's go.mod names.
func TestSQLiteLibcVersion(t *testing.T) {
	version := func(module string) string {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", module, err)
		}
		return strings.TrimSpace(string(out))
	}
	sqliteVersion, libcVersion := version("modernc.org/sqlite"), version("modernc.org/libc")
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "cache", "download", "modernc.org", "sqlite", "@v", sqliteVersion+".mod"))
	if err != nil {
		t.Fatalf("read sqlite's go.mod: %v", err)
	}
	m := regexp.MustCompile(`modernc\.org/libc (v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("sqlite's go.mod names no libc")
	}
	if want := string(m[1]); libcVersion != want {
		t.Fatalf("modernc.org/libc is %s, but modernc.org/sqlite %s is built for %s: do not upgrade libc by itself", libcVersion, sqliteVersion, want)
	}
}
