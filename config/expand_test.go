package config

import (
	"reflect"
	"testing"
)

const (
	roleA = "arn:aws:iam::111111111111:role/reader"
	roleB = "arn:aws-cn:iam::222222222222:role/reader"
)

func TestExpand(t *testing.T) {
	type exp struct{ name, region, role, account string }
	cases := []struct {
		desc   string
		target Target
		want   []exp
	}{
		{"default credentials, one region", Target{Name: "t", Region: "eu-west-1"},
			[]exp{{"t", "eu-west-1", "", ""}}},
		{"one role", Target{Name: "t", Region: "eu-west-1", RoleARN: roleA},
			[]exp{{"t", "eu-west-1", roleA, "111111111111"}}},
		{"role_arns with one role", Target{Name: "t", Region: "eu-west-1", RoleARNs: []string{roleB}},
			[]exp{{"t", "eu-west-1", roleB, "222222222222"}}},
		{"several regions", Target{Name: "t", Regions: []string{"us-east-1", "eu-west-1"}, RoleARN: roleA},
			[]exp{
				{"t/us-east-1", "us-east-1", roleA, "111111111111"},
				{"t/eu-west-1", "eu-west-1", roleA, "111111111111"},
			}},
		{"several roles", Target{Name: "t", Region: "eu-west-1", RoleARNs: []string{roleA, roleB}},
			[]exp{
				{"t/111111111111", "eu-west-1", roleA, "111111111111"},
				{"t/222222222222", "eu-west-1", roleB, "222222222222"},
			}},
		{"roles by regions", Target{Name: "t", Regions: []string{"us-east-1", "eu-west-1"}, RoleARNs: []string{roleA, roleB}},
			[]exp{
				{"t/111111111111/us-east-1", "us-east-1", roleA, "111111111111"},
				{"t/111111111111/eu-west-1", "eu-west-1", roleA, "111111111111"},
				{"t/222222222222/us-east-1", "us-east-1", roleB, "222222222222"},
				{"t/222222222222/eu-west-1", "eu-west-1", roleB, "222222222222"},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.desc, func(t *testing.T) {
			var got []exp
			for _, e := range tc.target.Expand() {
				got = append(got, exp{e.Name, e.Region, e.RoleARN, e.AccountID})
				if e.Parent != "t" || e.Target != &tc.target {
					t.Errorf("%s: parent %q, target %p, want t and %p", e.Name, e.Parent, e.Target, &tc.target)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestExpandedTargetsInFileOrder(t *testing.T) {
	c := mustParse(t, `
targets:
  - name: b
    regions: [us-east-1, eu-west-1]
    executions: [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]
  - name: a
    region: eu-west-2
    executions: [{id: 8a8e9f1c-2c4d-4e55-9a0b-0123456789ab}]
`)
	es := c.ExpandedTargets()
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	if want := []string{"b/us-east-1", "b/eu-west-1", "a"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("names = %v, want %v", names, want)
	}
	if es[0].Target != &c.Targets[0] || es[2].Target != &c.Targets[1] {
		t.Errorf("Target does not point into the config")
	}
}

func TestAccountID(t *testing.T) {
	for arn, want := range map[string]string{
		roleA: "111111111111",
		roleB: "222222222222",
		"arn:aws:iam::333333333333:role/path/name": "333333333333",
		"":           "",
		"not-an-arn": "",
	} {
		if got := accountID(arn); got != want {
			t.Errorf("accountID(%q) = %q, want %q", arn, got, want)
		}
	}
}
