package helmchart

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// checkExporterConfig loads a rendered configuration file with the
// exporter's own loader and returns it.
func checkExporterConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatalf("the exporter refuses the rendered configuration: %v\n%s", err, text)
	}
	return c
}
