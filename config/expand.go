package config

import "strings"

// Expand returns one ExpandedTarget per role ARN and region of t: role
// ARNs outer, regions inner, each in file order. With a single role (or
// none) and a single region it is t's name alone.
func (t *Target) Expand() []ExpandedTarget {
	es := t.expand()
	out := make([]ExpandedTarget, len(es))
	for i, e := range es {
		out[i] = e.ExpandedTarget
	}
	return out
}

// ExpandedTargets expands every target, in file order.
func (c *Config) ExpandedTargets() []ExpandedTarget {
	var out []ExpandedTarget
	for i := range c.Targets {
		out = append(out, c.Targets[i].Expand()...)
	}
	return out
}

// expansion is an ExpandedTarget with the indexes in role_arns and regions
// it came from (0 when the target uses role_arn or region).
type expansion struct {
	ExpandedTarget
	role, region int
}

func (t *Target) expand() []expansion {
	roles := t.RoleARNs
	if len(roles) == 0 {
		roles = []string{t.RoleARN}
	}
	regions := t.Regions
	if len(regions) == 0 {
		regions = []string{t.Region}
	}
	out := make([]expansion, 0, len(roles)*len(regions))
	for ri, role := range roles {
		account := accountID(role)
		for gi, region := range regions {
			name := t.Name
			if len(t.RoleARNs) > 1 {
				name += "/" + account
			}
			if len(t.Regions) > 1 {
				name += "/" + region
			}
			out = append(out, expansion{
				ExpandedTarget: ExpandedTarget{
					Name: name, Parent: t.Name, Region: region,
					RoleARN: role, AccountID: account, Target: t,
				},
				role: ri, region: gi,
			})
		}
	}
	return out
}

// accountID is the account field of an ARN, "" for anything else.
func accountID(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// expansions reports expanded targets whose names collide, such as two
// roles of one account in role_arns. Targets whose name, regions or roles
// have problems already are left out, so that a repeated name, region or
// role is reported once, as such.
func (v *validator) expansions(c *Config) {
	type origin struct{ target, role, region int }
	seen := map[string]origin{}
	blamed := map[string]bool{}
	for i := range c.Targets {
		t, path := &c.Targets[i], indexed("targets", i)
		if v.hasProblem(path, ".name", ".region", ".regions", ".role_arn", ".role_arns") {
			continue
		}
		for _, e := range t.expand() {
			prev, ok := seen[e.Name]
			if !ok {
				seen[e.Name] = origin{i, e.role, e.region}
				continue
			}
			var at, other string
			switch {
			case prev.target != i:
				at, other = path+".name", indexed("targets", prev.target)
			case prev.role != e.role:
				at, other = indexed(path+".role_arns", e.role), indexed(path+".role_arns", prev.role)
			default:
				at, other = indexed(path+".regions", e.region), indexed(path+".regions", prev.region)
			}
			if !blamed[at] {
				blamed[at] = true
				v.add(at, "expands to target name %q, as does %s", e.Name, other)
			}
		}
	}
}

// hasProblem says whether a problem is recorded at path itself or at or
// below path+suffix for one of suffixes.
func (v *validator) hasProblem(path string, suffixes ...string) bool {
	for _, p := range v.probs {
		if p.Path == path {
			return true
		}
		for _, s := range suffixes {
			if under(p.Path, path+s) {
				return true
			}
		}
	}
	return false
}

// under says whether path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+".") || strings.HasPrefix(path, prefix+"[")
}
