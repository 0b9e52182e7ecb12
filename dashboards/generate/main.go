// Command generate writes the Grafana dashboards that dashboards/internal/gen
// builds into a directory, dashboards/ by default when run by
// `go generate ./dashboards`:
//
//	go generate ./dashboards
//	go run ./dashboards/generate -dir dashboards
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/dashboards/internal/gen"
)

func main() {
	dir := flag.String("dir", ".", "directory to write the dashboard JSON files to")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

// write writes every dashboard file into dir, leaving other files alone.
func write(dir string) error {
	files, err := gen.Files()
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.JSON, 0o644); err != nil {
			return err
		}
	}
	return nil
}
