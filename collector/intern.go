package collector

import "strings"

// interner shares the strings of low-cardinality values (names, actions,
// statuses) between step executions and executions.
type interner struct {
	strs map[string]string
	defs map[stepDef]*stepDef
}

// internLimit bounds the interner; past it, it starts afresh (strings
// already handed out stay valid).
const internLimit = 100000

func newInterner() *interner {
	return &interner{strs: map[string]string{}, defs: map[stepDef]*stepDef{}}
}

// str returns the shared copy of s. The copy is the interner's own, so a
// string decoded by the SDK (which may keep a whole response alive) is not
// retained.
func (in *interner) str(s string) string {
	if v, ok := in.strs[s]; ok {
		return v
	}
	if len(in.strs) >= internLimit {
		in.strs = map[string]string{}
	}
	v := strings.Clone(s)
	in.strs[v] = v
	return v
}

// def returns the shared copy of d, with its strings interned. It never
// writes to d: a step kept from the last listing shares its def with the
// view that scrapes may be reading.
func (in *interner) def(d *stepDef) *stepDef {
	if v := in.defs[*d]; v != nil {
		return v
	}
	c := *d
	for _, p := range []*string{&c.name, &c.action, &c.onFailure, &c.nextStep, &c.isCritical, &c.isEnd,
		&c.parentStepName, &c.failureStage, &c.failureType} {
		*p = in.str(*p)
	}
	if len(in.defs) >= internLimit {
		in.defs = map[stepDef]*stepDef{}
	}
	in.defs[c] = &c
	return &c
}

// ownExec replaces every string of x by an interned or private copy.
func (in *interner) ownExec(x *execRec) {
	x.id = strings.Clone(x.id)
	for _, p := range []*string{&x.document, &x.version, &x.status, &x.autoType, &x.mode, &x.parent} {
		*p = in.str(*p)
	}
	if len(x.alarms) == 0 {
		return
	}
	// A new slice: x may be a copy of an execution a published view holds
	// (fetchOne keeps old.exec when the listing has no metadata for it),
	// whose alarms scrapes may be reading.
	own := make([]alarm, len(x.alarms))
	for i, a := range x.alarms {
		own[i] = alarm{name: in.str(a.name), state: in.str(a.state)}
	}
	x.alarms = own
}

// ownSteps replaces every string of steps by an interned or private copy.
func (in *interner) ownSteps(steps []stepRec) {
	ownIDs(steps)
	for i := range steps {
		st := &steps[i]
		st.status, st.iteration = in.str(st.status), in.str(st.iteration)
		st.def = in.def(st.def)
		for j := range st.alarms {
			st.alarms[j] = alarm{name: in.str(st.alarms[j].name), state: in.str(st.alarms[j].state)}
		}
	}
}

// ownIDs copies the step execution ids into one string that they share:
// one allocation per execution instead of one per step.
func ownIDs(steps []stepRec) {
	n := 0
	for i := range steps {
		n += len(steps[i].id)
	}
	var b strings.Builder
	b.Grow(n)
	for i := range steps {
		b.WriteString(steps[i].id)
	}
	all, at := b.String(), 0
	for i := range steps {
		l := len(steps[i].id)
		steps[i].id = all[at : at+l]
		at += l
	}
}
