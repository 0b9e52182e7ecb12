package discovery

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// meta is the metadata of an execution of document started min minutes
// before now, with status, child of parent ("" for none).
func meta(id, document, status, parent string, min int) *types.AutomationExecutionMetadata {
	m := &types.AutomationExecutionMetadata{AutomationExecutionId: aws.String(id), DocumentName: aws.String(document),
		AutomationExecutionStatus: types.AutomationExecutionStatus(status),
		ExecutionStartTime:        aws.Time(now.Add(-time.Duration(min) * time.Minute))}
	if parent != "" {
		m.ParentAutomationExecutionId = aws.String(parent)
	}
	return m
}

// listingOf is a listing of r holding ms, listed at now.
func listingOf(r *config.DiscoveryRule, ms ...*types.AutomationExecutionMetadata) *Listing {
	return NewListing(r, now, ms)
}

func ids(ms []*types.AutomationExecutionMetadata) []string {
	var out []string
	for _, m := range ms {
		out = append(out, aws.ToString(m.AutomationExecutionId))
	}
	return out
}

func TestMatches(t *testing.T) {
	tagged := &config.DiscoveryRule{DocumentNamePrefix: "AWS-", TagKey: "team", Lookback: time.Hour}
	running := &config.DiscoveryRule{DocumentNamePrefix: "AWS-", Statuses: []string{"InProgress"}, Lookback: time.Hour}
	for _, c := range []struct {
		name   string
		r      *config.DiscoveryRule
		m      *types.AutomationExecutionMetadata
		listed bool
		want   bool
	}{
		{"statuses match", running, meta("a", "AWS-Patch", "InProgress", "", 5), false, true},
		{"statuses no longer match", running, meta("a", "AWS-Patch", "Success", "", 5), true, false},
		{"other runbook", running, meta("a", "Custom-Patch", "InProgress", "", 5), false, false},
		{"out of the window", running, meta("a", "AWS-Patch", "InProgress", "", 61), true, false},
		{"a tag the metadata does not show, listed", tagged, meta("a", "AWS-Patch", "Success", "", 5), true, true},
		{"a tag the metadata does not show, new", tagged, meta("a", "AWS-Patch", "Success", "", 5), false, false},
	} {
		if got := Matches(c.r, c.m, now, c.listed); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
	if MayFind(tagged, "a", "AWS-Patch") || !MayFind(running, "a", "AWS-Patch") || MayFind(running, "a", "Custom-X") {
		t.Error("MayFind: a tag rule finds new executions at its listing only; a prefix rule those of its prefix")
	}
	children := &config.DiscoveryRule{DocumentNamePrefix: "AWS-", IncludeChildren: true}
	if !MayFind(children, "a", "Custom-X") {
		t.Error("MayFind: a rule with children may find an execution of any runbook")
	}
}

// TestUpdate brings a listing up to date as a listing would find it: an
// execution that ended leaves a rule of running ones, one that vanished
// leaves, a new one and its child (of another runbook) come in together,
// and the cap keeps the newest.
func TestUpdate(t *testing.T) {
	r := &config.DiscoveryRule{Name: "r", DocumentNamePrefix: "AWS-", Statuses: []string{"InProgress"},
		Lookback: time.Hour, MaxExecutions: 3, IncludeChildren: true}
	l := listingOf(r, meta("old", "AWS-P", "InProgress", "", 50), meta("ends", "AWS-P", "InProgress", "", 40),
		meta("gone", "AWS-P", "InProgress", "", 30), meta("aged", "AWS-P", "InProgress", "", 70))
	metas := map[string]*types.AutomationExecutionMetadata{
		"ends":   meta("ends", "AWS-P", "Success", "", 40),
		"new":    meta("new", "AWS-P", "InProgress", "", 1),
		"child":  meta("child", "Custom-C", "InProgress", "new", 1),
		"orphan": meta("orphan", "Custom-C", "InProgress", "nobody", 1),
	}
	d, next := Update(r, l, nil, metas, map[string]bool{"gone": true}, now)
	if got, want := ids(d.Kept), []string{"child", "new", "old"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if d.Found != 3 || d.Dropped != 0 {
		t.Errorf("found %d, dropped %d; want 3 and 0", d.Found, d.Dropped)
	}
	if got, want := ids(d.Children), []string{"child"}; !slices.Equal(got, want) {
		t.Errorf("children %v, want %v", got, want)
	}
	if _, ok := l.execs["ends"]; !ok || l.execs["ends"].AutomationExecutionStatus != "InProgress" {
		t.Error("Update changed the listing it was given")
	}
	r.MaxExecutions = 2
	d, _ = Update(r, next, d.Children, nil, nil, now)
	if got, want := ids(d.Kept), []string{"child", "new"}; !slices.Equal(got, want) || d.Found != 3 || d.Dropped != 1 {
		t.Errorf("capped at 2: kept %v (found %d, dropped %d), want %v (3, 1)", got, d.Found, d.Dropped, want)
	}
}
