// Command gendocs writes the lint rule reference pages into a directory
// (docs/rules by default); "go generate ./lint" runs it. Pages of rules
// that no longer exist are removed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/confc/confc/internal/rulesdoc"
	"github.com/confc/confc/lint"
)

func main() {
	dir := flag.String("dir", "docs/rules", "directory to write the pages to")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	pages := rulesdoc.Render(lint.Rules())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %q: %w", dir, err)
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, keep := pages[filepath.Base(p)]; !keep && !strings.HasPrefix(filepath.Base(p), "_") {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("removing stale page: %w", err)
			}
		}
	}
	for name, content := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return fmt.Errorf("writing page: %w", err)
		}
	}
	return nil
}
