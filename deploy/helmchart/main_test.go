package helmchart

import (
	"io"
	"log"
	"os"
	"testing"
)

// TestMain silences the log line Helm's loader writes for every symbolic
// link it follows: files/ links to the repository's alerts and dashboards
// on purpose (TestChartFilesAreTheRepositorys).
func TestMain(m *testing.M) {
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}
