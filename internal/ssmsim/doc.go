// Package ssmsim is an in-memory fake of the SSM Automation read API
// (DescribeAutomationStepExecutions, DescribeAutomationExecutions,
// GetAutomationExecution), of STS AssumeRole and of the SQS calls an event
// consumer makes, speaking the services' wire protocols so the real
// aws-sdk-go-v2 clients can be pointed at it. In live mode it publishes the
// EventBridge events of the changes it makes into subscribed queues.
//
// # Wire protocol
//
// SSM requests are AWS JSON 1.1: POST / with X-Amz-Target
// AmazonSSM.<Operation> and Content-Type application/x-amz-json-1.1.
// Responses carry the same content type and an x-amzn-RequestId header;
// timestamps are epoch seconds with millisecond fractions; absent members
// (unset pointers, zero times, empty strings, maps and lists) are omitted.
// Errors are status 400 (InternalServerError 500, ServiceUnavailableException
// 503) with body {"__type":"<Code>","message":"..."} and the same code in
// the X-Amzn-ErrorType header, which is where the SDK looks first.
//
// The caller's account comes from the access key in the SigV4 Authorization
// header's credential scope (Options.AccessKeys, keys issued by AssumeRole,
// else Options.DefaultAccount) and the region from the same scope; the
// signature is not verified. Executions live in the Store per account and
// region, so the same id is invisible from another account or region.
//
// STS requests are AWS Query (Content-Type application/x-www-form-urlencoded,
// Action=AssumeRole&Version=2011-06-15) answered in XML. The issued access key
// maps to the account of the role ARN.
//
// SQS requests are AWS JSON 1.0: POST / with X-Amz-Target AmazonSQS.<Operation>
// and Content-Type application/x-amz-json-1.0 (CreateQueue, GetQueueUrl,
// DeleteQueue, GetQueueAttributes, SendMessage, ReceiveMessage, DeleteMessage,
// DeleteMessageBatch, ChangeMessageVisibility). Errors carry {"__type",
// "message"}, the type namespaced (com.amazonaws.sqs#QueueDoesNotExist) for
// the model's errors, and the query-compatible code with the fault's side in
// x-amzn-query-error (AWS.SimpleQueueService.NonExistentQueue;Sender), which
// the SDK reports as the error's code. A queue URL is
// <endpoint>/<account>/<name>; the queue is looked up in that account and in
// the region the request is signed for.
//
// GET /metrics serves ssm_simulator_requests_total{operation,code},
// ssm_simulator_injected_faults_total{kind} and
// ssm_simulator_events_total{detail_type} from the simulator's own registry.
//
// # Choices where the service documentation is silent
//
//   - Injected latency comes first. Request checks then run in this order:
//     body size (413 RequestEntityTooLargeException), content type, authentication
//     (MissingAuthenticationTokenException, IncompleteSignatureException),
//     operation (UnknownOperationException, 400; also for a content type other
//     than application/x-amz-json-1.1, and 404 for a method or path other than
//     POST /), the account's rate limit (ThrottlingException, "Rate exceeded"),
//     injected faults, the body (SerializationException), model constraints
//     (ValidationException), filter keys (InvalidFilterKey) and values
//     (InvalidFilterValue), the execution (AutomationExecutionNotFoundException),
//     then NextToken (InvalidNextToken). An empty body is an empty input.
//     Unknown request members are ignored; member names are matched without
//     regard to letter case (the service is stricter).
//   - ValidationException covers the model's constraints: a missing required
//     member, an AutomationExecutionId that is not 36 characters, MaxResults
//     outside 1..50, more than 6 step filters or 10 execution filters, an
//     empty filter list, a filter with no key, 0 or more than 10 values, or a
//     value of 0 or more than 150 characters. Messages follow the service's
//     "1 validation error detected: Value ... at '...' failed to satisfy
//     constraint: ..." form.
//   - A filter key outside the key enum answers InvalidFilterKey. A value that
//     does not fit its key answers InvalidFilterValue: a status outside the
//     AutomationExecutionStatus enum, a time that is not ISO-8601, a
//     ParentStepIteration that is not a 32-bit integer, an AutomationType
//     other than Local or CrossAccount, an AutomationSubtype other than
//     ChangeRequest or AccessRequest.
//   - Values within one filter are OR'ed and filters are AND'ed. A key given
//     twice is one more AND'ed filter, not an error.
//   - Status filters match regardless of letter case. Time filters accept
//     RFC 3339 with or without fractional seconds, and the date-time or date
//     alone (UTC). StartTimeBefore matches items started strictly before the
//     time, StartTimeAfter items started at or after it, so the two split the
//     timeline; items not started yet match neither. DocumentNamePrefix is a
//     prefix match, TagKey matches executions having a tag with that key, the
//     other keys are exact matches. TargetResourceGroup, AutomationSubtype and
//     OpsItemId are accepted and match nothing (the simulator keeps no
//     resource groups, subtypes or OpsItems).
//   - Step executions are listed by start time ascending; steps not started
//     yet (Pending, without ExecutionStartTime) come last in their definition
//     order; ties go by definition order. ReverseOrder reverses the whole
//     list, so Pending steps come first, last defined first, then the others
//     newest start first. The service documents ReverseOrder as "reverse
//     order of start time" and leaves Pending steps unplaced; this follows
//     its runbook order, where they come after the started ones, and the
//     exporter's delta refresh depends on neither (it lists with
//     StartTimeAfter, which no Pending step matches). Executions are listed
//     newest start first, ties by id.
//   - MaxResults defaults to 50. A NextToken is an opaque, HMAC-signed cursor
//     holding the sort key of the last item returned and a hash of the
//     request (operation, account, region, execution id, filters, order; not
//     MaxResults, which may change between pages). A token altered, issued by
//     another simulator, or issued for a different request answers
//     InvalidNextToken. Because pages resume after a sort key rather than an
//     offset, items added or started between pages are neither repeated nor
//     skipped when they sort after the cursor. The last page has no NextToken;
//     an empty NextToken is the same as none.
//   - GetAutomationExecution returns every step execution and
//     StepExecutionsTruncated false.
//   - Faults (error rates, malformed bodies, repeated tokens) and the rate
//     limit apply to SSM requests only; latency applies to SSM and STS. A
//     request whose client goes away during the latency is counted with code
//     "Canceled" and answered with nothing. A response cut short by the
//     malformed-body fault is counted with code "OK" (it is sent with status
//     200); the fault itself is counted as kind MalformedBody. Requests
//     refused by the rate limit are not injected faults.
//   - STS answers AccessDenied (403) for Options.DeniedRoles, ValidationError
//     for a malformed role ARN, session name or duration, and InvalidAction
//     for other actions or versions.
//
// # SQS and events
//
//   - SQS requests go through the same authentication as SSM ones and take
//     their faults from Options.SQSFaults (error rates, latency, malformed
//     bodies); the SSM rate limit does not apply. Any account may use a
//     queue through its URL, as a queue policy allowing it would.
//   - Queues are standard queues: ReceiveMessage hands out visible messages
//     oldest sent first, hides each for the visibility timeout and counts
//     its receives; one not deleted in time comes back with
//     ApproximateReceiveCount one higher and a new receipt handle. As on the
//     service, deleting with a handle older than the latest receive
//     succeeds without deleting. ChangeMessageVisibility with such a handle
//     answers InvalidParameterValue, on a message not in flight
//     MessageNotInflight. Messages are kept until deleted (retention is not
//     enforced); FIFO queues, message attributes and dead-letter queues are
//     not simulated.
//   - A ReceiveMessage with a wait time returns as soon as one message is
//     available. It sleeps on the queue, woken by a send, a visibility
//     change, the queue's deletion (then it answers QueueDoesNotExist), a
//     wall-clock timer at the next hidden message's time, the end of the
//     wait, the client going away (counted Canceled, nothing answered) or
//     Server.StopLongPolls. Visibility uses Options.Now; a test that moves
//     that clock by hand calls Server.NotifyClockMoved to wake waiters.
//   - Events follow the examples of the service's documentation: version
//     "0", a random id, time in RFC 3339 UTC to the second, resources the
//     execution's and the runbook version's ARNs, and a detail with
//     ExecutionId, Definition, DefinitionVersion (a number, 1.0), Status,
//     StartTime and EndTime ("Nov 29, 2024 7:43:23 PM", UTC), Time (the
//     duration in milliseconds, 2630.0), StepName and Action for steps,
//     ExecutedBy for executions. EndTime and Time are left out until the
//     step or execution ends, StartTime while a step is Pending. Pending
//     steps are not announced; a started execution is announced with its
//     first step.
//   - Options.EventFaults draws per delivery to a queue: dropped, sent twice
//     (same event id), delayed (the message reaches the queue, SentTimestamp,
//     and is visible after the delay), or held back by the reorder delay so
//     later events overtake it. Events of an account and region no queue is
//     subscribed to, or for a deleted queue, are lost.
package ssmsim
