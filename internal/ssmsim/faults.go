package ssmsim

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Faults are misbehaviours the simulator injects into SSM requests. With the
// same Seed and the same sequence of requests, the same faults are injected.
type Faults struct {
	// ErrorRates maps an error code ("ThrottlingException",
	// "InternalServerError", ...) to the probability that a request answers it.
	ErrorRates map[string]float64
	// Latency is added to every request; LatencyJitter adds a uniform random
	// delay up to its value. A request whose client goes away stops waiting.
	Latency       time.Duration
	LatencyJitter time.Duration
	// MalformedRate is the probability a successful response's body is cut
	// short (status 200, not valid JSON).
	MalformedRate float64
	// RepeatTokenRate is the probability a page requested with a NextToken
	// answers that same token again.
	RepeatTokenRate float64
	// WrongMD5Rate is the probability that a message a ReceiveMessage
	// answers comes with an MD5OfBody that is not its body's, as a message
	// damaged on the way would (SQS only).
	WrongMD5Rate float64
	// Seed seeds the random source of the faults.
	Seed int64
}

// Fault kinds counted in ssm_simulator_injected_faults_total besides the
// error codes of injected errors.
const (
	faultLatency     = "Latency"
	faultMalformed   = "MalformedBody"
	faultRepeatToken = "RepeatToken"
	faultWrongMD5    = "WrongMD5"
)

// faultState holds the current faults and their random source.
type faultState struct {
	mu    sync.Mutex
	f     Faults
	codes []string // error codes of f.ErrorRates, sorted for determinism
	rng   *rand.Rand
}

func newFaultState(f Faults) *faultState {
	fs := &faultState{}
	fs.set(f)
	return fs
}

func (fs *faultState) set(f Faults) {
	f.ErrorRates = maps.Clone(f.ErrorRates)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.f = f
	fs.codes = slices.Sorted(maps.Keys(f.ErrorRates))
	seed := uint64(f.Seed)
	fs.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// roll reports true with probability p; it draws only when 0 < p < 1.
func (fs *faultState) roll(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return fs.rng.Float64() < p
}

// delay is the latency to add to one request.
func (fs *faultState) delay() time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	d := fs.f.Latency
	if j := fs.f.LatencyJitter; j > 0 {
		d += time.Duration(fs.rng.Int64N(int64(j) + 1))
	}
	return d
}

// errorCode picks the error to inject into one request, or "".
func (fs *faultState) errorCode() string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.codes) == 0 {
		return ""
	}
	u := fs.rng.Float64()
	sum := 0.0
	for _, code := range fs.codes {
		sum += fs.f.ErrorRates[code]
		if u < sum {
			return code
		}
	}
	return ""
}

// malformed reports whether to cut this response short.
func (fs *faultState) malformed() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.roll(fs.f.MalformedRate)
}

// wrongMD5 reports whether to answer a wrong MD5OfBody for one message.
func (fs *faultState) wrongMD5() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.roll(fs.f.WrongMD5Rate)
}

// repeatToken returns the token a page answers: the incoming one again when
// the repeat fault fires, else the page's own.
func (fs *faultState) repeatToken(incoming, next string, m *simMetrics) string {
	if incoming == "" {
		return next
	}
	fs.mu.Lock()
	fire := fs.roll(fs.f.RepeatTokenRate)
	fs.mu.Unlock()
	if !fire {
		return next
	}
	m.fault(faultRepeatToken)
	return incoming
}

// sleepContext waits d or until ctx is done, reporting ctx's error then.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
