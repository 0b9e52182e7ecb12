package ssmsim

import (
	"math/rand/v2"
	"slices"
	"time"
)

// EventFaults are the misbehaviours of event delivery the simulator
// injects: EventBridge delivers on a best-effort basis, so events may come
// late, twice, out of order or never. Each delivery of an event to one
// queue draws its own faults; with the same Seed and the same events
// published, the same faults are injected.
type EventFaults struct {
	// DropRate is the probability a delivery is lost.
	DropRate float64
	// DuplicateRate is the probability a delivery arrives twice: two
	// messages with the same body, so the same event id.
	DuplicateRate float64
	// Delay is how long after the change every message reaches its queue;
	// DelayJitter adds a uniform random delay up to its value.
	Delay       time.Duration
	DelayJitter time.Duration
	// ReorderRate is the probability a message is held back by ReorderDelay
	// (default 5s) on top of its delay, so events published after it
	// overtake it.
	ReorderRate  float64
	ReorderDelay time.Duration
	// Seed seeds the random source of the faults.
	Seed int64
}

// Fault kinds of event delivery, counted in ssm_simulator_injected_faults_total.
const (
	faultEventDrop      = "EventDrop"
	faultEventDuplicate = "EventDuplicate"
	faultEventReorder   = "EventReorder"
)

const (
	defaultReorderDelay = 5 * time.Second
	// senderEventBridge is the SenderId of messages the event bus delivers.
	senderEventBridge = "AIDAEVENTBRIDGESIM"
)

type busKey struct{ account, region string }

// eventBus routes events to the queues subscribed to their account and
// region; sqsService.mu guards it.
type eventBus struct {
	subs   map[busKey][]Queue
	faults EventFaults
	rng    *rand.Rand
}

func newEventBus(f EventFaults) eventBus {
	b := eventBus{subs: map[busKey][]Queue{}}
	b.setFaults(f)
	return b
}

func (b *eventBus) setFaults(f EventFaults) {
	if f.ReorderDelay <= 0 {
		f.ReorderDelay = defaultReorderDelay
	}
	b.faults = f
	seed := uint64(f.Seed)
	b.rng = rand.New(rand.NewPCG(seed, seed^0x5eed0fe7e17b05))
}

func (b *eventBus) roll(p float64) bool {
	return p > 0 && (p >= 1 || b.rng.Float64() < p)
}

// deliveries draws the faults of one delivery: the delays of the messages
// to send (none when dropped) and the fault kinds injected.
func (b *eventBus) deliveries() (delays []time.Duration, kinds []string) {
	f := b.faults
	if b.roll(f.DropRate) {
		return nil, []string{faultEventDrop}
	}
	copies := 1
	if b.roll(f.DuplicateRate) {
		copies = 2
		kinds = append(kinds, faultEventDuplicate)
	}
	for range copies {
		d := f.Delay
		if f.DelayJitter > 0 {
			d += time.Duration(b.rng.Int64N(int64(f.DelayJitter) + 1))
		}
		if b.roll(f.ReorderRate) {
			d += f.ReorderDelay
			kinds = append(kinds, faultEventReorder)
		}
		delays = append(delays, d)
	}
	return delays, kinds
}

// Subscribe routes the Automation events of account and region to q, as an
// EventBridge rule matching them with q as its target does. A queue may be
// subscribed to several accounts and regions, and several queues to one;
// subscribing twice is subscribing once. Events for a queue that does not
// exist (yet, or any more) are lost.
func (s *Server) Subscribe(account, region string, q Queue) {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	k := busKey{account, region}
	if !slices.Contains(s.sqs.bus.subs[k], q) {
		s.sqs.bus.subs[k] = append(s.sqs.bus.subs[k], q)
	}
}

// Unsubscribe stops routing the events of account and region to q.
func (s *Server) Unsubscribe(account, region string, q Queue) {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	k := busKey{account, region}
	s.sqs.bus.subs[k] = slices.DeleteFunc(s.sqs.bus.subs[k], func(x Queue) bool { return x == q })
}

// SetEventFaults replaces the faults of event delivery from now on and
// reseeds their random source. It is safe to call while serving.
func (s *Server) SetEventFaults(f EventFaults) {
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	s.sqs.bus.setFaults(f)
}

// PublishEvent delivers ev, as its JSON body, to every queue subscribed to
// its account and region, with the event faults applied. A delayed message
// reaches its queue (SentTimestamp) and becomes visible after its delay.
func (s *Server) PublishEvent(ev Event) {
	body, err := encodeJSON(ev)
	if err != nil {
		return
	}
	s.sqs.mu.Lock()
	defer s.sqs.mu.Unlock()
	s.metrics.event(ev.DetailType)
	now := s.opts.Now()
	for _, q := range s.sqs.bus.subs[busKey{ev.Account, ev.Region}] {
		delays, kinds := s.sqs.bus.deliveries()
		for _, k := range kinds {
			s.metrics.fault(k)
		}
		sq := s.sqs.queues[q]
		if sq == nil {
			continue
		}
		for _, d := range delays {
			sq.add(&sqsMessage{id: newRequestID(), body: string(body), sender: senderEventBridge, sent: now.Add(d)}, 0)
		}
	}
}
