package events

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
	"github.com/ssm-automation-exporter/ssm_automation_exporter/internal/ssmapi"
)

// Sink takes the events routed to one target.
type Sink interface {
	// Offer hands an event to the target. It reports whether the target
	// took it: it follows the execution, or one of its discovery rules may
	// find it.
	Offer(Event) bool
}

// Route sends the events of one account and region of a queue to a
// target. An empty Account takes the events of every account: a target
// that assumes no role does not know its account.
type Route struct {
	Account, Region string
	Sink            Sink
}

// Queue is one queue to read and the targets its events go to.
type Queue struct {
	Events config.Events // the settings of the first target naming it
	Routes []Route
}

// QueueSource gives the SQS client of a queue.
type QueueSource interface {
	Queue(e config.Events, api config.API) ssmapi.SQS
}

// Consumer runs one long-polling loop per queue of the configuration.
type Consumer struct {
	clients QueueSource
	metrics *Metrics
	logger  *slog.Logger
	warn    *invalidLog
	now     func() time.Time
	// retry is the wait before the next try of a failing queue; not
	// guarded by mu, which Apply holds while loops end.
	retry atomic.Pointer[func(failures int) time.Duration]
	// generations numbers the times queues start working, across loops.
	generations atomic.Uint64

	mu     sync.Mutex
	closed bool
	queues map[string]*loop // by queue URL
}

// NewConsumer returns a consumer reading no queue; call Apply, and Close
// when done.
func NewConsumer(clients QueueSource, m *Metrics, logger *slog.Logger) *Consumer {
	c := &Consumer{
		clients: clients, metrics: m, logger: logger, warn: newInvalidLog(logger),
		now: time.Now, queues: map[string]*loop{},
	}
	c.SetRetry(backoff)
	return c
}

// backoff is the wait before the next try of a failing queue: 1s,
// doubling up to a minute.
func backoff(failures int) time.Duration {
	return min(time.Second<<min(failures-1, 6), time.Minute)
}

// SetRetry replaces the wait before the next try of a failing queue (tests).
func (c *Consumer) SetRetry(f func(failures int) time.Duration) { c.retry.Store(&f) }

// Apply reads the queues given, by URL, from now on: a queue read the same
// way as before keeps its loop and takes the new routes at once; a queue
// read otherwise, or new, gets a new loop; the loops of queues no longer
// given end, and their series go. It returns once the loops that end have.
func (c *Consumer) Apply(api config.API, queues map[string]Queue) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	for url, l := range c.queues {
		q, keep := queues[url]
		if keep && l.api == c.clients.Queue(q.Events, api) && l.events == readSettings(q.Events) {
			l.setRoutes(q.Routes)
			continue
		}
		l.stop()
		delete(c.queues, url)
		if !keep {
			c.metrics.remove(l.name)
		}
	}
	for url, q := range queues {
		if c.queues[url] != nil {
			continue
		}
		l := newLoop(c, url, q.Events, c.clients.Queue(q.Events, api), q.Routes)
		c.metrics.add(l.name, c.now())
		c.queues[url] = l
		go l.run()
	}
}

// readSettings are the settings that change how a loop reads its queue.
func readSettings(e config.Events) config.Events {
	e.ResyncInterval = 0 // the refresh's business, not the loop's
	// The client's token bucket, which Clients.Queue sets anew.
	e.RequestsPerSecond, e.Burst = 0, 0
	return e
}

// State says whether the queue at url works, and how many times it has
// started working: a target may trust its events only while the count is
// the one it saw at its last polling refresh. An unknown queue is down.
func (c *Consumer) State(url string) (up bool, generation uint64) {
	c.mu.Lock()
	l := c.queues[url]
	c.mu.Unlock()
	if l == nil {
		return false, 0
	}
	return l.state()
}

// Close ends every loop and returns once they have ended.
func (c *Consumer) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for url, l := range c.queues {
		l.stop()
		delete(c.queues, url)
	}
}
