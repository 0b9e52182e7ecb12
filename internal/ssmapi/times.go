package ssmapi

import "time"

// Times outside [earliestTime, now+latestAhead] are not real: an
// execution cannot have started, nor an event of it happened, before the
// service existed, nor a day from now (a day is room for any clock skew).
// The collector clears such times of the API's data; the events consumer
// refuses events that carry one.
var earliestTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// latestAhead is how far past now a time may be.
const latestAhead = 24 * time.Hour

// PlausibleTime says whether t is within [earliestTime, now+latestAhead].
func PlausibleTime(t, now time.Time) bool {
	return !t.Before(earliestTime) && !t.After(now.Add(latestAhead))
}
