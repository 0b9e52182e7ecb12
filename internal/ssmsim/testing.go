package ssmsim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// NewTestServer serves a simulator over HTTP for the duration of a test and
// returns its base URL and the Server.
func NewTestServer(tb testing.TB, store *Store, opts Options) (url string, srv *Server) {
	tb.Helper()
	srv = New(store, opts)
	ts := httptest.NewServer(srv)
	tb.Cleanup(ts.Close)
	return ts.URL, srv
}

// TestStore is a store holding execs in the default account
// (123456789012) and us-east-1, the region SetTestEnv sets.
func TestStore(execs ...*Execution) *Store {
	store := NewStore()
	for _, e := range execs {
		store.Put(defaultAccount, "us-east-1", e)
	}
	return store
}

// SetTestEnv points the SDK's default configuration chain at fixed test
// credentials (access key AKIDTEST, secret "secret") in us-east-1, with no
// shared configuration files and no instance metadata, for the duration
// of a test: an exporter built by the test then talks only to the
// simulator, whatever the machine's environment holds.
func SetTestEnv(tb testing.TB) {
	tb.Helper()
	tb.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	tb.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tb.Setenv("AWS_REGION", "us-east-1")
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	tb.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
}

// SDKClient returns an aws-sdk-go-v2 SSM client that talks to the simulator
// at url, signing with accessKey (secret "secret") in region. optFns adjust
// the client further (a retryer without backoff, for instance). The client
// reads no environment or shared configuration; ctx is accepted for
// symmetry with config.LoadDefaultConfig and is not used.
func SDKClient(_ context.Context, url, accessKey, region string, optFns ...func(*ssm.Options)) *ssm.Client {
	opts := ssm.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(accessKey, "secret", "")),
		HTTPClient:   detachedBodyClient{next: awshttp.NewBuildableClient()},
	}
	return ssm.New(opts, optFns...)
}

// SQSClient returns an aws-sdk-go-v2 SQS client that talks to the simulator
// at url, as SDKClient does for SSM.
func SQSClient(_ context.Context, url, accessKey, region string, optFns ...func(*sqs.Options)) *sqs.Client {
	opts := sqs.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(accessKey, "secret", "")),
		HTTPClient:   detachedBodyClient{next: awshttp.NewBuildableClient()},
	}
	return sqs.New(opts, optFns...)
}

// detachedBodyClient hands the transport its own copy of each request body.
// The SDK closes its request body as soon as the response headers arrive;
// if the transport is then still checking that body for bytes beyond its
// Content-Length, the SDK's closed body answers io.EOF as an error, and the
// transport drops the connection while the response body is being read. A
// local server answers fast enough to make that race frequent, so a test
// would see retried or failed calls that have nothing to do with the
// simulator.
type detachedBodyClient struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
}

func (c detachedBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return c.next.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	detached := r.Clone(r.Context())
	detached.Body = io.NopCloser(bytes.NewReader(body))
	detached.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return c.next.Do(detached)
}
