package ssmapi

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// SQS is the part of the SQS client the event consumer uses.
type SQS interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// queueKey identifies the SQS client of one queue.
type queueKey struct {
	url, region string
	waitTime    time.Duration
	api         config.API
}

// sqsResponseBytes is the least response cap of an SQS client: ten
// messages of the largest size SQS takes (1 MiB), escaped in JSON, must
// fit whatever api.max_response_bytes says, or a full batch could never
// be read and the queue would stop for good.
const sqsResponseBytes = 24 << 20

// Queue returns the SQS client of a target's events queue, building it on
// first use. It signs with the exporter's own credentials (the SDK's
// default chain) in the queue's region, sends to the queue URL's endpoint
// when it is not one of AWS, and, like the SSM clients, waits for a token
// bucket and counts each attempt (with an empty target label: a queue
// serves several targets). The bucket is the queue's own, set by
// events.requests_per_second and events.burst (not api's: a queue is
// another service's budget); each call sets it anew, so a reload that
// changes it takes effect on the client in use. An attempt may take the
// long poll's wait_time on top of api.call_timeout. The client does not
// check the MD5 of the messages it receives: the caller checks each
// (MD5OfBody).
func (c *Clients) Queue(e config.Events, api config.API) SQS {
	key := queueKey{url: e.QueueURL, region: e.Region, waitTime: e.WaitTime, api: api}
	rps, burst := e.Budget()
	c.mu.Lock()
	defer c.mu.Unlock()
	lim := c.limiter(limiterKey{account: "sqs " + e.QueueURL, region: e.Region}, rps, burst)
	if c.queues == nil {
		c.queues = map[queueKey]*sqs.Client{}
	}
	if cl := c.queues[key]; cl != nil {
		return cl
	}
	cfg := c.config(e.Region, api, api.CallTimeout+e.WaitTime, int64(max(api.MaxResponseBytes, sqsResponseBytes)))
	endpoint := config.QueueEndpoint(e.QueueURL)
	cl := sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		// The SDK fails a whole ReceiveMessage when one message's MD5 does
		// not match: the batch would never be deleted, its other messages
		// never applied. The consumer checks each message itself.
		o.DisableMessageChecksumValidation = true
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Insert(&attemptMiddleware{limiter: lim, metrics: c.metrics}, "Retry", middleware.After)
		})
	})
	c.queues[key] = cl
	return cl
}

// pruneQueues forgets the clients of queues that no target names any
// more. Called with c.mu held.
func (c *Clients) pruneQueues(keep []config.ExpandedTarget, api config.API) {
	used := map[queueKey]bool{}
	usedLimiters := map[limiterKey]bool{}
	for _, t := range keep {
		if e := t.Target.Events; e.Enabled() {
			used[queueKey{url: e.QueueURL, region: e.Region, waitTime: e.WaitTime, api: api}] = true
			usedLimiters[limiterKey{account: "sqs " + e.QueueURL, region: e.Region}] = true
		}
	}
	for k := range c.queues {
		if !used[k] {
			delete(c.queues, k)
		}
		if lk := (limiterKey{account: "sqs " + k.url, region: k.region}); !usedLimiters[lk] {
			delete(c.limiters, lk)
		}
	}
}
