package ssmsim

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func getDocument(c *ssm.Client, id string) (string, error) {
	out, err := c.GetAutomationExecution(context.Background(), &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.AutomationExecution.DocumentName), nil
}

func TestAccountAndRegionFromCredentials(t *testing.T) {
	const accountA = "111111111111"
	store := NewStore()
	id := simExecID(1)
	store.Put(accountA, "eu-west-1", &Execution{ID: id, DocumentName: "A-eu-west-1"})
	store.Put(accountA, "us-east-1", &Execution{ID: id, DocumentName: "A-us-east-1"})
	store.Put(defaultAccount, "eu-west-1", &Execution{ID: simExecID(2), DocumentName: "default-eu-west-1"})
	url, _ := NewTestServer(t, store, Options{AccessKeys: map[string]string{"AKIDA": accountA}})
	ctx := context.Background()
	for _, tc := range []struct {
		key, region, id, want string // want "": not found
	}{
		{"AKIDA", "eu-west-1", id, "A-eu-west-1"},
		{"AKIDA", "us-east-1", id, "A-us-east-1"},
		{"AKIDA", "ap-south-1", id, ""},
		{"AKIDA", "eu-west-1", simExecID(2), ""},
		{"AKIDUNKNOWN", "eu-west-1", id, ""},
		{"AKIDUNKNOWN", "eu-west-1", simExecID(2), "default-eu-west-1"},
	} {
		got, err := getDocument(SDKClient(ctx, url, tc.key, tc.region, noBackoff), tc.id)
		var nf *types.AutomationExecutionNotFoundException
		switch {
		case tc.want == "" && !errors.As(err, &nf):
			t.Errorf("%s in %s, %s: got %q, %v; want not found", tc.key, tc.region, tc.id[:8], got, err)
		case tc.want != "" && got != tc.want:
			t.Errorf("%s in %s, %s: got %q, %v; want %q", tc.key, tc.region, tc.id[:8], got, err, tc.want)
		}
	}
	ids := allExecutions(t, SDKClient(ctx, url, "AKIDUNKNOWN", "eu-west-1", noBackoff), 0)
	if strings.Join(ids, " ") != simExecID(2)[:8] {
		t.Errorf("default account lists %v, want only its own execution", ids)
	}
}

func stsClient(url string) *sts.Client {
	return sts.New(sts.Options{
		Region: testRegion, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, "secret", ""),
	})
}

// roleClient is an SSM client whose credentials come from AssumeRole.
func roleClient(url, roleARN string) *ssm.Client {
	provider := stscreds.NewAssumeRoleProvider(stsClient(url), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "ssm-exporter"
	})
	return ssm.New(ssm.Options{
		Region: testRegion, BaseEndpoint: aws.String(url), Credentials: aws.NewCredentialsCache(provider),
	})
}

func TestAssumeRoleLandsInTheRoleAccount(t *testing.T) {
	const roleAccount = "444455556666"
	store := NewStore()
	store.Put(roleAccount, testRegion, &Execution{ID: simExecID(1), DocumentName: "in-role-account"})
	url, srv := NewTestServer(t, store, Options{})
	c := roleClient(url, "arn:aws:iam::"+roleAccount+":role/path/ssm-reader")
	for range 2 {
		if got, err := getDocument(c, simExecID(1)); err != nil || got != "in-role-account" {
			t.Fatalf("through the role: %q, %v", got, err)
		}
	}
	if got := srv.Requests("AssumeRole", codeOK); got != 1 {
		t.Errorf("AssumeRole calls = %v, want 1 (credentials are cached)", got)
	}
	if _, err := getDocument(SDKClient(context.Background(), url, testAccessKey, testRegion), simExecID(1)); err == nil {
		t.Error("the caller's own account sees the role account's execution")
	}
	out, err := stsClient(url).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + roleAccount + ":role/path/ssm-reader"), RoleSessionName: aws.String("s1"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(out.AssumedRoleUser.Arn); arn != "arn:aws:sts::"+roleAccount+":assumed-role/ssm-reader/s1" {
		t.Errorf("assumed role ARN = %s", arn)
	}
	if key := aws.ToString(out.Credentials.AccessKeyId); !strings.HasPrefix(key, "ASIA") || out.Credentials.Expiration == nil {
		t.Errorf("credentials = %s expiring %v", key, out.Credentials.Expiration)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	denied := "arn:aws:iam::777777777777:role/denied"
	url, srv := NewTestServer(t, nil, Options{DeniedRoles: []string{denied}})
	_, err := getDocument(roleClient(url, denied), simExecID(1))
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("error %v, want AccessDenied", err)
	}
	if got := srv.Requests("AssumeRole", "AccessDenied"); got != 1 {
		t.Errorf("AssumeRole AccessDenied counted %v times, want 1", got)
	}
	if got := srv.Requests("GetAutomationExecution", codeOK); got != 0 {
		t.Errorf("SSM answered %v requests without credentials", got)
	}
}

func TestSTSBadRequests(t *testing.T) {
	url, _ := NewTestServer(t, nil, Options{})
	auth := rawHeaders("")["Authorization"]
	for _, tc := range []struct {
		name, body, auth string
		status           int
		code             string
	}{
		{"ok", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1", auth, 200, ""},
		{"unknown action", "Action=GetCallerIdentity&Version=2011-06-15", auth, 400, "InvalidAction"},
		{"unknown version", "Action=AssumeRole&Version=2099-01-01", auth, 400, "InvalidAction"},
		{"not a role ARN", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:user/u&RoleSessionName=s1", auth, 400, "ValidationError"},
		{"bad session name", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=a b", auth, 400, "ValidationError"},
		{"bad duration", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1&DurationSeconds=60", auth, 400, "ValidationError"},
		{"unsigned", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1", "", 403, "MissingAuthenticationToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := rawCall(t, url, map[string]string{
				"Content-Type": formContentType, "X-Amz-Date": "20240301T120000Z", "Authorization": tc.auth,
			}, tc.body)
			var e stsErrorResponse
			_ = xml.Unmarshal(resp.body, &e)
			if resp.status != tc.status || e.Error.Code != tc.code {
				t.Errorf("got %d %q, want %d %q: %s", resp.status, e.Error.Code, tc.status, tc.code, resp.body)
			}
			if resp.header.Get("Content-Type") != xmlType || resp.header.Get("x-amzn-RequestId") == "" {
				t.Errorf("headers %v", resp.header)
			}
			if tc.status != http.StatusOK && e.RequestID != resp.header.Get("x-amzn-RequestId") {
				t.Errorf("RequestId %q differs from the header", e.RequestID)
			}
		})
	}
}

func TestRevokedAccessKeyIsRefused(t *testing.T) {
	store := NewStore()
	id := simExecID(1)
	store.Put(defaultAccount, "us-east-1", &Execution{ID: id, DocumentName: "Doc"})
	url, srv := NewTestServer(t, store, Options{})
	c := SDKClient(context.Background(), url, "AKIDREVOKE", "us-east-1", func(o *ssm.Options) { o.RetryMaxAttempts = 1 })
	if doc, err := getDocument(c, id); err != nil || doc != "Doc" {
		t.Fatalf("before revocation: %q, %v", doc, err)
	}
	srv.RevokeAccessKey("AKIDREVOKE")
	_, err := getDocument(c, id)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("after revocation: %v, want UnrecognizedClientException", err)
	}
	other := SDKClient(context.Background(), url, "AKIDOTHER", "us-east-1")
	if _, err := getDocument(other, id); err != nil {
		t.Fatalf("another key is refused too: %v", err)
	}
	if n := srv.Requests("GetAutomationExecution", "UnrecognizedClientException"); n != 1 {
		t.Fatalf("counted %v refused requests, want 1", n)
	}
}
