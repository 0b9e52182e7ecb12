package e2e

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/dashboards"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

// testDashboards runs every panel query of every dashboard and expects
// data. Queries on $execution try the executions with steps, richest
// first, until one gives data: no single execution of the scenario has
// every feature (a loop, an alarm, a running step).
func testDashboards(t *testing.T, s *stack) {
	queries, err := dashboards.Queries(filepath.Join(s.root, "dashboards"))
	if err != nil {
		t.Fatal(err)
	}
	candidates := executionCandidates(s.execs)
	if len(candidates) == 0 {
		t.Fatal("no execution with steps in the scenario")
	}
	vars := map[string]string{
		"target": target, "document": ".*",
		// Prometheus scrapes every second: four samples per rate window.
		"__rate_interval": "4s", "__interval": "2s", "__range": "1h",
	}
	pending := map[int]bool{}
	for i := range queries {
		pending[i] = true
	}
	lastErr := map[int]error{}
	// rate() and increase() need two samples in their window, and the
	// recording rules one evaluation: give them a few rounds.
	_ = eventually(t.Context(), 30*time.Second, func() error {
		for i := range pending {
			q := queries[i]
			if err := queryHasData(t.Context(), s.api, q, vars, candidates); err != nil {
				lastErr[i] = err
				continue
			}
			delete(pending, i)
		}
		if len(pending) > 0 {
			return fmt.Errorf("%d queries without data", len(pending))
		}
		return nil
	})
	for i := range queries {
		if !pending[i] {
			continue
		}
		q := queries[i]
		msg := fmt.Sprintf("%s / %q / %s: %v\n  %s", q.File, q.Panel, q.RefID, lastErr[i], q.Expr)
		t.Errorf("no data: %s", msg)
	}
}

// queryHasData runs one panel query and returns an error when it has no data.
func queryHasData(ctx context.Context, api *promAPI, q dashboards.Query, vars map[string]string, candidates []string) error {
	perExecution := strings.Contains(q.Expr, "$execution") || strings.Contains(q.Expr, "${execution")
	ids := []string{candidates[0]}
	if perExecution {
		ids = candidates
	}
	var errs []error
	for _, id := range ids {
		vars["execution"] = id
		res, err := api.query(ctx, dashboards.Substitute(q.Expr, vars))
		switch {
		case err != nil:
			errs = append(errs, err)
		case len(res) == 0 && perExecution:
			errs = append(errs, fmt.Errorf("empty result for execution %s", id))
		case len(res) == 0:
			errs = append(errs, errors.New("empty result"))
		default:
			return nil
		}
	}
	return errors.Join(errs...)
}

// executionCandidates orders the ids of the executions with steps by how
// much of the execution dashboard they exercise.
func executionCandidates(execs []*ssmsim.Execution) []string {
	type scored struct {
		id    string
		score int
	}
	var all []scored
	for _, e := range execs {
		if len(e.Steps) == 0 {
			continue
		}
		features := map[string]bool{}
		for _, st := range e.Steps {
			features["loop"] = features["loop"] || st.ParentStepDetails != nil
			features["alarm"] = features["alarm"] || len(st.TriggeredAlarms) > 0
			features["timeout"] = features["timeout"] || (st.TimeoutSeconds != nil && *st.TimeoutSeconds > 0)
			features["running"] = features["running"] || st.Status == "InProgress"
		}
		score := 0
		for _, on := range features {
			if on {
				score++
			}
		}
		all = append(all, scored{e.ID, score})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	ids := make([]string, len(all))
	for i, s := range all {
		ids[i] = s.id
	}
	return ids
}
