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

// maxExpandedTargets bounds the targets a configuration expands to in all:
// a list of roles times a list of regions could otherwise stand for more
// targets, and clients, than memory holds.
const maxExpandedTargets = 10000

// expansions reports expanded targets whose names are too long or collide,
// such as two roles of one account in role_arns. Targets whose name,
// regions or roles have problems already are left out, so that a repeated
// name, region or role is reported once, as such.
func (v *validator) expansions(c *Config) {
	if !v.expansionCount(c) {
		return
	}
	type origin struct{ target, role, region int }
	seen := map[string]origin{}
	blamed := map[string]bool{}
	for i := range c.Targets {
		t, path := &c.Targets[i], indexed("targets", i)
		if v.hasProblem(path, ".name", ".region", ".regions", ".role_arn", ".role_arns") {
			continue
		}
		for _, e := range t.expand() {
			if n := len(e.Name); n > maxNameLength && !blamed[path+".name"] {
				blamed[path+".name"] = true
				v.add(path+".name", "expands to target name %s of %d characters; at most %d are allowed",
					quote(e.Name), n, maxNameLength)
			}
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
				v.add(at, "expands to target name %s, as does %s", quote(e.Name), other)
			}
		}
	}
}

// expansionCount checks the number of targets the configuration expands
// to, without expanding them, and says whether it is within bounds.
func (v *validator) expansionCount(c *Config) bool {
	n := 0
	for i := range c.Targets {
		t := &c.Targets[i]
		n += max(len(t.RoleARNs), 1) * max(len(t.Regions), 1)
	}
	if n > maxExpandedTargets {
		v.add("targets", "the targets expand to %d targets (one per role ARN and region of each); at most %d are allowed",
			n, maxExpandedTargets)
		return false
	}
	return true
}

// hasProblem says whether a problem is recorded at path itself or at or
// below path+suffix for one of suffixes.
func (v *validator) hasProblem(path string, suffixes ...string) bool {
	if v.flags[path]&problemAt != 0 {
		return true
	}
	for _, s := range suffixes {
		if v.flags[path+s]&problemAtOrBelow != 0 {
			return true
		}
	}
	return false
}
