package collector

import (
	"slices"
	"strings"
	"testing"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmsim"
)

const (
	acctA = "111111111111"
	acctB = "222222222222"
	roleA = "arn:aws:iam::111111111111:role/reader"
	roleB = "arn:aws:iam::222222222222:role/reader"
	roleX = "arn:aws:iam::333333333333:role/denied"
)

// putIn stores a copy of one scenario execution under another id in an
// account and region, so each (account, region) holds something different.
func putIn(h *harness, account, region, id string) {
	e := scenario()[1].Clone()
	e.ID = id
	h.store.Put(account, region, e)
}

func TestRolesAndRegionsExpand(t *testing.T) {
	h := newHarness(t, nil, ssmsim.Options{})
	ids := map[string]string{
		"t/" + acctA + "/us-east-1": "aaaaaaaa-0000-4000-8000-000000000001",
		"t/" + acctA + "/eu-west-1": "aaaaaaaa-0000-4000-8000-000000000002",
		"t/" + acctB + "/us-east-1": "bbbbbbbb-0000-4000-8000-000000000001",
		"t/" + acctB + "/eu-west-1": "bbbbbbbb-0000-4000-8000-000000000002",
	}
	for name, id := range ids {
		parts := strings.Split(name, "/")
		putIn(h, parts[1], parts[2], id)
	}
	// The exporter's own identity (the default account) holds nothing.
	h.apply(t, `
targets:
  - name: t
    regions: [us-east-1, eu-west-1]
    role_arns: [`+roleA+`, `+roleB+`]
    external_id: ext-id
    endpoint: %[1]s
    sts_endpoint: %[1]s
    discovery:
      - name: all
`)
	reg := h.registry(t)
	for name, id := range ids {
		parts := strings.Split(name, "/")
		if v, ok := value(t, reg, "ssm_automation_target_info", map[string]string{
			"target": name, "account_id": parts[1], "region": parts[2], "role_arn": "arn:aws:iam::" + parts[1] + ":role/reader",
		}); !ok || v != 1 {
			t.Errorf("target_info of %s missing", name)
		}
		if v, _ := value(t, reg, "ssm_automation_up", map[string]string{"target": name}); v != 1 {
			t.Errorf("%s is not up", name)
		}
		if _, ok := value(t, reg, "ssm_automation_execution_info", map[string]string{"target": name, "execution_id": id}); !ok {
			t.Errorf("%s does not export %s, the execution of its account and region", name, id)
		}
	}
	if got := exportedIDs(t, reg); len(got) != 4 {
		t.Fatalf("each expanded target must see only its own account and region: %v", got)
	}
	if n := h.sim.Requests("AssumeRole", "OK"); n != 2 {
		t.Fatalf("AssumeRole calls = %v, want one per role (credentials are cached and shared by its regions)", n)
	}
	h.registry(t).Gather()
	if n := h.sim.Requests("AssumeRole", "OK"); n != 2 {
		t.Fatalf("AssumeRole calls after a second scrape = %v, want still 2", n)
	}
}

func TestDeniedRoleIsCountedNotFatal(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{DeniedRoles: []string{roleX}})
	h.apply(t, `
targets:
  - name: denied
    region: us-east-1
    role_arn: `+roleX+`
    endpoint: %[1]s
    sts_endpoint: %[1]s
    discovery:
      - name: all
  - name: fine
    region: us-east-1
    endpoint: %[1]s
    discovery:
      - name: all
`)
	reg := h.registry(t)
	if v, ok := value(t, reg, "ssm_automation_up", map[string]string{"target": "denied"}); !ok || v != 0 {
		t.Fatalf("denied target up = %v (present %v), want 0", v, ok)
	}
	if v, _ := value(t, h.base, "ssm_automation_exporter_errors_total", map[string]string{"target": "denied", "reason": "access_denied"}); v < 1 {
		t.Fatalf("errors_total{reason=access_denied} = %v, want >= 1", v)
	}
	if v, _ := value(t, reg, "ssm_automation_up", map[string]string{"target": "fine"}); v != 1 {
		t.Fatal("a denied role must not hide the other targets")
	}
}

func TestClientsAreReusedAcrossReloads(t *testing.T) {
	h := newHarness(t, scenario(), ssmsim.Options{})
	cfg := `
targets:
  - name: a
    region: us-east-1
    endpoint: %[1]s
    discovery: [{name: all}]
  - name: b
    region: eu-west-1
    endpoint: %[1]s
    discovery: [{name: all}]
`
	h.apply(t, cfg)
	clients := h.exp.clients.(*ssmapi.Clients)
	before := map[string]ssmapi.API{}
	for _, name := range []string{"a", "b"} {
		before[name] = h.exp.targets[name].api
	}
	h.apply(t, strings.Replace(cfg, "eu-west-1", "eu-central-1", 1))
	if h.exp.targets["a"].api != before["a"] {
		t.Fatal("an unchanged target must keep its client")
	}
	if h.exp.targets["b"].api == before["b"] {
		t.Fatal("a target whose region changed needs a new client")
	}
	n := clients.Len()
	if n != 3 || !slices.Contains(h.exp.Targets(), "b") {
		t.Fatalf("%d clients cached (want 3 before pruning)", n)
	}
	clients.Prune(h.cfg.ExpandedTargets(), h.cfg.API)
	n = clients.Len()
	if n != 2 {
		t.Fatalf("%d clients after pruning, want 2", n)
	}
}
