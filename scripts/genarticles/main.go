// Command genarticles writes N Markdown articles with front matter into a folder, for load
// tests and import timing: go run ./scripts/genarticles -n 100000 -out /tmp/articles
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 10, "how many articles")
	out := flag.String("out", "articles", "folder to write them to")
	flag.Parse()
	authors := []string{"Camille Durand", "Nadia Benali", "Thomas Keller", "Élise Moreau", "Lucas Martin", "Gérald Petit"}
	tags := []string{"Politics", "Culture", "Environment", "Sport", "Economy", "Paris", "Marseille", "Lyon", "Europe", "Food"}
	para := "The council’s decision, announced on Tuesday, was “a long time coming”, said a spokesperson, who added that the plan would be reviewed in the spring. Residents were divided… some welcomed it; others called it « un pansement sur une jambe de bois »."
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for i := range *n {
		dir := filepath.Join(*out, fmt.Sprintf("%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				log.Fatal(err)
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: \"Generated article number %d about the council's plan\"\n", i)
		fmt.Fprintf(&b, "slug: generated-article-%d\n", i)
		fmt.Fprintf(&b, "date: %s\n", start.Add(-time.Duration(i)*7*time.Minute).Format(time.RFC3339))
		fmt.Fprintf(&b, "standfirst: \"A generated standfirst for article %d, written for load tests.\"\n", i)
		fmt.Fprintf(&b, "authors: [%s]\n", authors[i%len(authors)])
		fmt.Fprintf(&b, "tags: [%s, %s]\n", tags[i%len(tags)], tags[(i/10)%len(tags)])
		if i%17 == 0 {
			b.WriteString("featured: true\n")
		}
		b.WriteString("---\n")
		for p := range 8 {
			fmt.Fprintf(&b, "%s (%d.%d)\n\n", para, i, p)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("article-%06d.md", i)), []byte(b.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
