// Package ssmapi is the exporter's client side of SSM and STS: the SDK
// clients per (role, region, endpoint), the attempt middleware that
// counts the exporter's own API use, the adaptive token bucket per
// (account, region), the capped HTTP client, the reasons and codes of
// failed calls, and the listings the collector fetches.
package ssmapi

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/ssm-automation-exporter/ssm_automation_exporter/config"
)

// API is the part of the SSM client the collector uses. The SDK's paginators
// accept it, so everything goes through the real client in production and in
// tests (against the simulator).
type API interface {
	ssm.DescribeAutomationStepExecutionsAPIClient
	ssm.DescribeAutomationExecutionsAPIClient
}

// clientKey identifies one SSM client: everything that changes how it
// signs, where it sends and how it retries.
type clientKey struct {
	endpoint, stsEndpoint string
	region                string
	roleARN, externalID   string
	sessionName           string
	api                   config.API
}

// roleKey identifies one assumed role's credentials, shared by every
// region that uses the role.
type roleKey struct {
	stsEndpoint, roleARN, externalID, sessionName string
}

// limiterKey identifies one AWS throttling domain: an account and a region.
type limiterKey struct{ account, region string }

// Clients builds SSM clients once per (role, region, endpoint) and reuses
// them across scrapes and reloads. Token buckets are shared per (account,
// region) by every client that uses that account and region.
type Clients struct {
	base    aws.Config
	metrics *APIMetrics
	logger  *slog.Logger

	mu       sync.Mutex
	clients  map[clientKey]*ssm.Client
	limiters map[limiterKey]*adaptiveLimiter
	creds    map[roleKey]aws.CredentialsProvider
	queues   map[queueKey]*sqs.Client // see Queue

	// backoff replaces the SDK's retry delays when set (tests).
	backoff retry.BackoffDelayer
}

// NewClients loads the SDK's default configuration (environment, shared
// profile, web identity, container and instance roles) once.
func NewClients(ctx context.Context, m *APIMetrics, logger *slog.Logger) (*Clients, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithLogger(newSDKLogger(logger)))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return &Clients{
		base:     cfg,
		metrics:  m,
		logger:   logger,
		clients:  map[clientKey]*ssm.Client{},
		limiters: map[limiterKey]*adaptiveLimiter{},
		creds:    map[roleKey]aws.CredentialsProvider{},
	}, nil
}

// For returns the client of an expanded target, building it on first use.
func (c *Clients) For(t config.ExpandedTarget, api config.API) API {
	key := keyOf(t, api)
	account := t.AccountID
	if account == "" {
		account = "default"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	lim := c.limiter(limiterKey{account: account, region: t.Region}, api.RequestsPerSecond, api.Burst)
	if cl := c.clients[key]; cl != nil {
		return cl
	}
	cl := c.build(key, lim)
	c.clients[key] = cl
	return cl
}

func keyOf(t config.ExpandedTarget, api config.API) clientKey {
	return clientKey{
		endpoint: t.Target.Endpoint, stsEndpoint: t.Target.STSEndpoint,
		region: t.Region, roleARN: t.RoleARN, externalID: t.Target.ExternalID,
		sessionName: t.Target.SessionName, api: api,
	}
}

// Prune forgets clients that no expanded target uses any more.
func (c *Clients) Prune(keep []config.ExpandedTarget, api config.API) {
	used := map[clientKey]bool{}
	usedRoles := map[roleKey]bool{}
	for _, t := range keep {
		k := keyOf(t, api)
		used[k] = true
		usedRoles[roleKey{stsEndpoint: k.stsEndpoint, roleARN: k.roleARN, externalID: k.externalID, sessionName: k.sessionName}] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.clients {
		if !used[k] {
			delete(c.clients, k)
		}
	}
	for k := range c.creds {
		if !usedRoles[k] {
			delete(c.creds, k)
		}
	}
	c.pruneQueues(keep, api)
}

// limiter returns the token bucket of lk set to that rate and size, making
// it on first use. c.mu must be held.
func (c *Clients) limiter(lk limiterKey, requestsPerSecond float64, burst int) *adaptiveLimiter {
	lim := c.limiters[lk]
	if lim == nil {
		lim = newAdaptiveLimiter(requestsPerSecond, burst)
		c.limiters[lk] = lim
	} else {
		lim.Configure(requestsPerSecond, burst)
	}
	return lim
}

// config is the base configuration for a client in region: an HTTP client
// with that timeout per attempt and that response cap, and the standard
// retryer with api's attempts.
func (c *Clients) config(region string, api config.API, timeout time.Duration, maxBytes int64) aws.Config {
	cfg := c.base.Copy()
	cfg.Region = region
	cfg.HTTPClient = &cappedClient{inner: awshttp.NewBuildableClient().WithTimeout(timeout), max: maxBytes}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = api.MaxAttempts
			o.MaxBackoff = 5 * time.Second
			if c.backoff != nil {
				o.Backoff = c.backoff
			}
		})
	}
	return cfg
}

func (c *Clients) build(key clientKey, lim *adaptiveLimiter) *ssm.Client {
	cfg := c.config(key.region, key.api, key.api.CallTimeout, int64(key.api.MaxResponseBytes))
	if key.roleARN != "" {
		cfg.Credentials = c.roleCredentials(cfg, key)
	}
	return ssm.NewFromConfig(cfg, func(o *ssm.Options) {
		if key.endpoint != "" {
			o.BaseEndpoint = aws.String(key.endpoint)
		}
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Insert(&attemptMiddleware{limiter: lim, metrics: c.metrics}, "Retry", middleware.After)
		})
	})
}

// roleCredentials returns the cached credentials of an assumed role,
// creating them on first use. Called with c.mu held.
func (c *Clients) roleCredentials(cfg aws.Config, key clientKey) aws.CredentialsProvider {
	rk := roleKey{stsEndpoint: key.stsEndpoint, roleARN: key.roleARN, externalID: key.externalID, sessionName: key.sessionName}
	if p := c.creds[rk]; p != nil {
		return p
	}
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
		if key.stsEndpoint != "" {
			o.BaseEndpoint = aws.String(key.stsEndpoint)
		}
	})
	provider := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, key.roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = key.sessionName
		if key.externalID != "" {
			o.ExternalID = aws.String(key.externalID)
		}
	}))
	c.creds[rk] = provider
	return provider
}

// SetBackoff replaces the SDK's retry delays of the clients built from now
// on (tests).
func (c *Clients) SetBackoff(b retry.BackoffDelayer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.backoff = b
}

// Credentials are the default credentials: those of a client that
// assumes no role.
func (c *Clients) Credentials() aws.CredentialsProvider { return c.base.Credentials }

// Len is the number of clients built and not pruned.
func (c *Clients) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clients)
}

// Rates are the current rates of the token buckets, one per (account,
// region), in no order (tests).
func (c *Clients) Rates() []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]float64, 0, len(c.limiters))
	for _, l := range c.limiters {
		out = append(out, l.Rate())
	}
	return out
}
