package ssmsim

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
	}
	return ssm.New(opts, optFns...)
}
