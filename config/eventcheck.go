package config

import (
	"strconv"
	"time"
)

// events checks the events keys of a target.
func (v *validator) events(t *Target, path string) {
	ep := path + ".events"
	if !v.isSet(ep) {
		return
	}
	e := &t.Events
	urlOK := false
	if !v.isSet(ep + ".queue_url") {
		v.add(ep+".queue_url", "required")
	} else if p := queueURLProblem(e.QueueURL); p != "" {
		v.add(ep+".queue_url", "%s %s", quote(redactURL(e.QueueURL)), p)
	} else {
		urlOK = true
	}
	urlRegion, hasRegion := queueRegion(e.QueueURL), v.isSet(ep+".region")
	switch {
	case hasRegion && !regionRE.MatchString(e.Region):
		v.add(ep+".region", "%s is not a region (like eu-west-1)", quote(e.Region))
	case hasRegion && urlRegion != "" && e.Region != urlRegion:
		v.add(ep+".region", "%s is not the region of queue_url, %s", quote(e.Region), urlRegion)
	case !hasRegion && urlOK && urlRegion == "" && len(t.Regions) > 1:
		v.add(ep+".region", "required: queue_url names no region and the target lists several regions")
	}
	v.seconds(ep+".wait_time", e.WaitTime, time.Second, maxWaitTime)
	// 0s would make no difference: the SDK sends no VisibilityTimeout of
	// 0, and the queue's own applies.
	v.seconds(ep+".visibility_timeout", e.VisibilityTimeout, time.Second, maxVisibilityTimeout)
	if v.isSet(ep+".resync_interval") && (e.ResyncInterval <= 0 || e.ResyncInterval > maxResyncInterval) {
		v.add(ep+".resync_interval", "must be greater than 0 and at most %s, got %s", maxResyncInterval, e.ResyncInterval)
	}
	if v.isSet(ep+".requests_per_second") && !(e.RequestsPerSecond > 0) {
		v.add(ep+".requests_per_second", "must be greater than 0, got %g", e.RequestsPerSecond)
	}
	if v.isSet(ep+".burst") && e.Burst < 1 {
		v.add(ep+".burst", "must be at least 1, got %d", e.Burst)
	}
}

// seconds checks a duration that is set: whole seconds within [lo, hi],
// as the SQS API takes them.
func (v *validator) seconds(path string, d, lo, hi time.Duration) {
	if v.isSet(path) && (d < lo || d > hi || d%time.Second != 0) {
		v.add(path, "must be whole seconds from %s to %s, got %s", lo, hi, d)
	}
}

// queueSettings are what the loop of a queue reads it with: every target
// naming the queue must agree on them.
type queueSettings struct {
	region            string
	waitTime          time.Duration
	visibilityTimeout string // "" for the queue's own
	requestsPerSecond float64
	burst             int
}

// settings are the queue settings of a valid target, defaults applied.
func (t *Target) queueSettings(hasVisibility bool) queueSettings {
	e := &t.Events
	s := queueSettings{region: e.Region, waitTime: e.WaitTime}
	if s.region == "" {
		s.region = queueRegion(e.QueueURL)
	}
	if s.region == "" {
		s.region = t.Region
		if len(t.Regions) > 0 {
			s.region = t.Regions[0]
		}
	}
	if s.waitTime == 0 {
		s.waitTime = DefaultEventsWaitTime
	}
	s.requestsPerSecond, s.burst = e.Budget()
	if hasVisibility {
		s.visibilityTimeout = e.VisibilityTimeout.String()
	}
	return s
}

// queues checks that the targets naming one queue agree on how to read
// it, and that two queues do not share a name, which is their label.
func (v *validator) queues(c *Config) {
	type seen struct {
		target int
		url    string
		s      queueSettings
	}
	byName := map[string]seen{}
	for i := range c.Targets {
		t, path := &c.Targets[i], indexed("targets", i)
		ep := path + ".events"
		if !t.Events.Enabled() || v.hasProblem(path, ".events", ".region", ".regions") {
			continue
		}
		s := t.queueSettings(v.isSet(ep + ".visibility_timeout"))
		name := QueueName(t.Events.QueueURL)
		first, ok := byName[name]
		switch {
		case !ok:
			byName[name] = seen{i, t.Events.QueueURL, s}
		case first.url != t.Events.QueueURL:
			v.add(ep+".queue_url", "names a queue called %s other than the one targets[%d] reads; the queue label would not tell the two apart",
				quote(name), first.target)
		case first.s.region != s.region:
			v.add(ep+".region", disagree, s.region, first.s.region, first.target)
		case first.s.waitTime != s.waitTime:
			v.add(ep+".wait_time", disagree, s.waitTime, first.s.waitTime, first.target)
		case first.s.visibilityTimeout != s.visibilityTimeout:
			v.add(ep+".visibility_timeout", disagree,
				orQueues(s.visibilityTimeout), orQueues(first.s.visibilityTimeout), first.target)
		case first.s.requestsPerSecond != s.requestsPerSecond:
			v.add(ep+".requests_per_second", disagree,
				strconv.FormatFloat(s.requestsPerSecond, 'g', -1, 64), strconv.FormatFloat(first.s.requestsPerSecond, 'g', -1, 64), first.target)
		case first.s.burst != s.burst:
			v.add(ep+".burst", disagree, strconv.Itoa(s.burst), strconv.Itoa(first.s.burst), first.target)
		}
	}
}

// disagree is the problem of two targets reading one queue differently.
const disagree = "%s here and %s for targets[%d], which reads the same queue; they must agree"

// orQueues names an unset visibility timeout.
func orQueues(d string) string {
	if d == "" {
		return "unset (the queue's own)"
	}
	return d
}

// eventDefaults fills in the defaults of a target's events keys.
func (t *Target) eventDefaults(hasVisibility bool) {
	if !t.Events.Enabled() {
		return
	}
	s := t.queueSettings(hasVisibility)
	t.Events.Region, t.Events.WaitTime = s.region, s.waitTime
	t.Events.RequestsPerSecond, t.Events.Burst = s.requestsPerSecond, s.burst
	t.Events.HasVisibilityTimeout = hasVisibility
	setDefault(&t.Events.ResyncInterval, DefaultEventsResyncInterval)
}
