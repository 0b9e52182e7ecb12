package ssmsim

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	stsVersion   = "2011-06-15"
	stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	stsAssume    = "AssumeRole"
	xmlType      = "text/xml"

	defaultSessionSeconds = 3600
)

type assumeRoleResponse struct {
	XMLName   xml.Name         `xml:"AssumeRoleResponse"`
	Xmlns     string           `xml:"xmlns,attr"`
	Result    assumeRoleResult `xml:"AssumeRoleResult"`
	RequestID string           `xml:"ResponseMetadata>RequestId"`
}

type assumeRoleResult struct {
	Credentials     stsCredentials `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func stsOperation(form url.Values) string {
	if form.Get("Action") == stsAssume {
		return stsAssume
	}
	return ""
}

// serveQuery answers an AWS Query request; only STS AssumeRole is known.
func (s *Server) serveQuery(r *http.Request, reqID string, form url.Values, tooLarge bool) response {
	fail := func(status int, code, format string, args ...any) response {
		return stsError(reqID, status, code, fmt.Sprintf(format, args...))
	}
	if tooLarge {
		return fail(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Request body must not exceed %d bytes.", s.opts.MaxBodyBytes)
	}
	if action, version := form.Get("Action"), form.Get("Version"); action != stsAssume || version != stsVersion {
		return fail(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
	}
	scope, authErr := parseSigV4(r)
	if authErr != nil {
		status := http.StatusBadRequest
		if authErr.Code == codeMissingAuth {
			status = http.StatusForbidden
		}
		return fail(status, strings.TrimSuffix(authErr.Code, "Exception"), "%s", authErr.Message)
	}
	roleARN, session := form.Get("RoleArn"), form.Get("RoleSessionName")
	account, roleName, ok := parseRoleARN(roleARN)
	var v violations
	if !ok {
		v.add(quoted(roleARN), "roleArn", "Member must be the ARN of an IAM role")
	}
	if !sessionNamePattern.MatchString(session) {
		v.add(quoted(session), "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]{2,64}`)
	}
	seconds := defaultSessionSeconds
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			v.add(quoted(d), "durationSeconds", "Member must have value between 900 and 43200")
		}
		seconds = n
	}
	if err := v.err(); err != nil {
		return fail(http.StatusBadRequest, "ValidationError", "%s", err.Message)
	}
	if s.denied[roleARN] {
		return fail(http.StatusForbidden, "AccessDenied",
			"User: arn:aws:iam::%s:user/ssm-simulator is not authorized to perform: sts:AssumeRole on resource: %s",
			s.accountFor(scope.accessKey), roleARN)
	}
	resp := assumeRoleResponse{Xmlns: stsNamespace, RequestID: reqID}
	resp.Result.Credentials = stsCredentials{
		AccessKeyID:     "ASIA" + randomBase32(10),
		SecretAccessKey: randomBase64(30),
		SessionToken:    randomBase64(120),
		Expiration:      s.opts.Now().Add(time.Duration(seconds) * time.Second).UTC().Format(time.RFC3339),
	}
	resp.Result.AssumedRoleUser.AssumedRoleID = "AROA" + randomBase32(10) + ":" + session
	resp.Result.AssumedRoleUser.Arn = fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s",
		strings.Split(roleARN, ":")[1], account, roleName, session)
	s.registerKey(resp.Result.Credentials.AccessKeyID, account)
	body, _ := xml.Marshal(resp)
	return response{status: http.StatusOK, contentType: xmlType, body: append([]byte(xml.Header), body...), code: codeOK}
}

// parseRoleARN splits arn:<partition>:iam::<account>:role/<path/><name>.
func parseRoleARN(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" {
		return "", "", false
	}
	account = parts[4]
	if _, err := strconv.ParseUint(account, 10, 64); err != nil || len(account) != 12 {
		return "", "", false
	}
	res, ok := strings.CutPrefix(parts[5], "role/")
	name = res[strings.LastIndex(res, "/")+1:]
	if !ok || name == "" {
		return "", "", false
	}
	return account, name, true
}

// stsError renders an error in the AWS Query error shape.
func stsError(reqID string, status int, code, msg string) response {
	resp := stsErrorResponse{Xmlns: stsNamespace, RequestID: reqID}
	resp.Error.Type = "Sender"
	if status >= http.StatusInternalServerError {
		resp.Error.Type = "Receiver"
	}
	resp.Error.Code, resp.Error.Message = code, msg
	body, _ := xml.Marshal(resp)
	return response{status: status, contentType: xmlType, body: append([]byte(xml.Header), body...), code: code}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomBase32(n int) string { return base32.StdEncoding.EncodeToString(randomBytes(n)) }

func randomBase64(n int) string { return base64.StdEncoding.EncodeToString(randomBytes(n)) }
