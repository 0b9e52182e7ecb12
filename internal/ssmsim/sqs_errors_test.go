package ssmsim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// sqsHeaders are the headers of a well-formed, signed SQS request.
func sqsHeaders(op string) map[string]string {
	h := rawHeaders(op)
	h["Content-Type"] = sqsContentType
	h["X-Amz-Target"] = sqsTargetPrefix + op
	return h
}

func TestSQSErrorWireShape(t *testing.T) {
	url, srv := NewTestServer(t, nil, Options{})
	missing := `{"QueueUrl":"` + QueueURL(url, testQ) + `"}`
	for _, tc := range []struct {
		name          string
		headers       map[string]string
		body          string
		status        int
		typ, query    string
		label, metric string
	}{
		{"missing queue", sqsHeaders("ReceiveMessage"), missing, 400,
			"com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender", "ReceiveMessage", codeQueueDoesNotExist},
		{"unsigned", map[string]string{"Content-Type": sqsContentType, "X-Amz-Target": "AmazonSQS.GetQueueUrl"}, `{}`, 400,
			codeMissingAuth, "MissingAuthenticationToken;Sender", "GetQueueUrl", codeMissingAuth},
		{"JSON 1.1", func() map[string]string {
			h := sqsHeaders("GetQueueUrl")
			h["Content-Type"] = jsonContentType
			return h
		}(), `{}`, 400,
			codeUnknownOperation, "InvalidAction;Sender", "GetQueueUrl", codeUnknownOperation},
		{"unknown operation", sqsHeaders("PurgeQueue"), missing, 400,
			codeUnknownOperation, "InvalidAction;Sender", operationUnknown, codeUnknownOperation},
		{"bad body", sqsHeaders("ReceiveMessage"), `{"QueueUrl":`, 400,
			codeSerialization, "SerializationException;Sender", "ReceiveMessage", codeSerialization},
		{"bad address", sqsHeaders("ReceiveMessage"), `{"QueueUrl":"http://host/only-one-part"}`, 404,
			"com.amazonaws.sqs#InvalidAddress", "InvalidAddress;Sender", "ReceiveMessage", codeInvalidAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.Requests(tc.label, tc.metric)
			r := rawCall(t, url, tc.headers, tc.body)
			if r.status != tc.status || r.errTyp != tc.typ || r.header.Get(headerQueryError) != tc.query ||
				r.header.Get("Content-Type") != sqsContentType || r.header.Get("X-Amzn-RequestId") == "" {
				t.Errorf("got %d %s %q %v; want %d %s %q", r.status, r.body, r.header.Get(headerQueryError), r.header, tc.status, tc.typ, tc.query)
			}
			if got := srv.Requests(tc.label, tc.metric); got != before+1 {
				t.Errorf("requests{%s,%s} = %v, want %v", tc.label, tc.metric, got, before+1)
			}
		})
	}
}

func TestSQSInjectedFaults(t *testing.T) {
	for _, tc := range []struct {
		code, want string
		fault      smithy.ErrorFault
		attempts   int // the SDK retries throttling and 5xx
	}{
		{codeThrottling, "ThrottlingException", smithy.FaultClient, 3},
		{codeSQSInternal, "InternalFailure", smithy.FaultServer, 3},
		{codeServiceUnavailable, "ServiceUnavailableException", smithy.FaultServer, 3},
		{codeAccessDenied, "AccessDenied", smithy.FaultClient, 1},
	} {
		t.Run(tc.code, func(t *testing.T) {
			c, srv, url := sqsSim(t, Options{})
			qURL := testQueue(t, c, testQ.Name, nil)
			srv.SetSQSFaults(Faults{ErrorRates: map[string]float64{tc.code: 1}})
			_, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(qURL)})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.want || ae.ErrorFault() != tc.fault {
				t.Fatalf("err %v, want %s (%v)", err, tc.want, tc.fault)
			}
			if got := srv.InjectedFaults()[tc.code]; got != tc.attempts {
				t.Errorf("injected %d times, want %d", got, tc.attempts)
			}
			// SSM requests are not affected.
			ssmc := SDKClient(context.Background(), url, testAccessKey, testRegion, noBackoff)
			if _, err := ssmc.DescribeAutomationExecutions(context.Background(), &ssm.DescribeAutomationExecutionsInput{}); err != nil {
				t.Errorf("SSM request failed under SQS faults: %v", err)
			}
		})
	}
}

// TestSQSWrongMD5 delivers messages whose MD5OfBody is not their body's:
// the SDK's own check refuses the whole batch; read without it, each
// message comes with an MD5 that does not match, and each is counted.
func TestSQSWrongMD5(t *testing.T) {
	c, srv, _ := sqsSim(t, Options{})
	// Visible again at once, for the second receive.
	qURL := testQueue(t, c, testQ.Name, map[string]string{"VisibilityTimeout": "0"})
	for _, body := range []string{"one", "two"} {
		if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(qURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	srv.SetSQSFaults(Faults{WrongMD5Rate: 1})
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(qURL), MaxNumberOfMessages: 10}
	if _, err := c.ReceiveMessage(context.Background(), in); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("ReceiveMessage with the SDK's check: %v, want a checksum error", err)
	}
	out, err := c.ReceiveMessage(context.Background(), in, func(o *sqs.Options) { o.DisableMessageChecksumValidation = true })
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 2 {
		t.Fatalf("%d messages, want 2", len(out.Messages))
	}
	for _, m := range out.Messages {
		if got := aws.ToString(m.MD5OfBody); len(got) != 32 || got == md5Hex(aws.ToString(m.Body)) {
			t.Errorf("MD5OfBody %q of %q, want another body's", got, aws.ToString(m.Body))
		}
	}
	if got := srv.InjectedFaults()[faultWrongMD5]; got != 4 {
		t.Errorf("injected %d times, want 4 (two messages received twice)", got)
	}
}

func TestSQSRevokedKeyIsRefused(t *testing.T) {
	c, srv, _ := sqsSim(t, Options{})
	srv.RevokeAccessKey(testAccessKey)
	_, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("q")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("err %v, want InvalidClientTokenId", err)
	}
}

func TestSQSRefusesInvalidParameters(t *testing.T) {
	c, _, _ := sqsSim(t, Options{})
	url := testQueue(t, c, testQ.Name, nil)
	ctx := context.Background()
	recv := func(fn func(*sqs.ReceiveMessageInput)) error {
		in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)}
		fn(in)
		_, err := c.ReceiveMessage(ctx, in)
		return err
	}
	create := func(name string, attrs map[string]string) error {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		return err
	}
	for _, tc := range []struct {
		name, code, message string
		err                 error
	}{
		{"11 messages", codeInvalidParameterValue, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
			recv(func(in *sqs.ReceiveMessageInput) { in.MaxNumberOfMessages = 11 })},
		{"wait 21 s", codeInvalidParameterValue, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
			recv(func(in *sqs.ReceiveMessageInput) { in.WaitTimeSeconds = 21 })},
		{"negative visibility", codeInvalidParameterValue, "Value -1 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.",
			recv(func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = -1 })},
		{"unknown attribute", codeInvalidAttributeName, "Unknown Attribute Color.",
			recv(func(in *sqs.ReceiveMessageInput) {
				in.MessageSystemAttributeNames = []sqstypes.MessageSystemAttributeName{"Color"}
			})},
		{"bad queue name", codeInvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
			create("a.b", nil)},
		{"unknown queue attribute", codeInvalidAttributeName, "Unknown Attribute Color.", create("q2", map[string]string{"Color": "1"})},
		{"bad visibility", codeInvalidAttributeValue, "Invalid value for the parameter VisibilityTimeout.",
			create("q2", map[string]string{"VisibilityTimeout": "43201"})},
		{"same name, other attributes", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute(s)",
			create(testQ.Name, map[string]string{"DelaySeconds": "5"})},
	} {
		var ae smithy.APIError
		if !errors.As(tc.err, &ae) || ae.ErrorCode() != tc.code || ae.ErrorMessage() != tc.message {
			t.Errorf("%s: err %v, want %s: %s", tc.name, tc.err, tc.code, tc.message)
		}
	}
	if again := testQueue(t, c, testQ.Name, nil); again != url {
		t.Errorf("CreateQueue of an existing queue with its attributes = %s, want %s", again, url)
	}
}

func TestSQSQueuesBelongToAnAccountAndRegion(t *testing.T) {
	const accountA = "111111111111"
	url, srv := NewTestServer(t, nil, Options{AccessKeys: map[string]string{"AKIDA": accountA}})
	ctx := context.Background()
	a := SQSClient(ctx, url, "AKIDA", testRegion, noSQSBackoff)
	other := SQSClient(ctx, url, testAccessKey, testRegion, noSQSBackoff)
	aElsewhere := SQSClient(ctx, url, "AKIDA", "us-east-1", noSQSBackoff)
	qURL := testQueue(t, a, "shared", nil)
	if want := url + "/" + accountA + "/shared"; qURL != want {
		t.Errorf("queue URL %s, want %s", qURL, want)
	}
	getURL := func(c *sqs.Client, owner *string) (string, error) {
		out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("shared"), QueueOwnerAWSAccountId: owner})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.QueueUrl), nil
	}
	_, err := getURL(other, nil)
	checkNoQueue(t, err)
	_, err = getURL(aElsewhere, nil)
	checkNoQueue(t, err)
	if got, err := getURL(other, aws.String(accountA)); err != nil || got != qURL {
		t.Errorf("GetQueueUrl with the owner = %s, %v; want %s", got, err, qURL)
	}
	// Another account reaches the queue by its URL, as a queue policy would allow.
	if _, err := other.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(qURL), MessageBody: aws.String("hi")}); err != nil {
		t.Fatal(err)
	}
	if err := srv.SendMessage(Queue{Account: accountA, Region: testRegion, Name: "shared"}, "there"); err != nil {
		t.Fatal(err)
	}
	msgs := receive(t, a, qURL, nil)
	if got := strings.Join(bodies(msgs), " "); got != "hi there" {
		t.Errorf("received %q, want hi there", got)
	}
	out, err := a.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(qURL),
		AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Attributes["QueueArn"]; got != "arn:aws:sqs:"+testRegion+":"+accountA+":shared" {
		t.Errorf("QueueArn %s", got)
	}
	if out.Attributes["ApproximateNumberOfMessagesNotVisible"] != "2" || out.Attributes["VisibilityTimeout"] != "30" {
		t.Errorf("attributes %v", out.Attributes)
	}
	if r := rawCall(t, url, sqsHeaders("GetQueueUrl"), `{"QueueName":"shared"}`); r.status != http.StatusBadRequest {
		t.Errorf("default account found account A's queue: %d %s", r.status, r.body)
	}
}
