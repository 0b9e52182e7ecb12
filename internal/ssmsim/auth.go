package ssmsim

import (
	"net/http"
	"strings"
)

// credentialScope is what the simulator reads from a SigV4 Authorization
// header: Credential=<access key>/<date>/<region>/<service>/aws4_request.
// The signature itself is not verified.
type credentialScope struct {
	accessKey string
	region    string
	service   string
}

const sigV4Algorithm = "AWS4-HMAC-SHA256"

// parseSigV4 reads the credential scope of a signed request. A request without
// an Authorization header answers MissingAuthenticationTokenException; one
// whose header is garbled answers IncompleteSignatureException.
func parseSigV4(r *http.Request) (credentialScope, *apiError) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if h == "" {
		return credentialScope{}, newAPIError(codeMissingAuth, "Missing Authentication Token")
	}
	incomplete := func(msg string) (credentialScope, *apiError) {
		return credentialScope{}, newAPIError(codeIncompleteSignature, "%s Authorization=%s", msg, h)
	}
	rest, ok := strings.CutPrefix(h, sigV4Algorithm+" ")
	if !ok {
		return incomplete("Unsupported Authorization Type.")
	}
	params := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if r.Header.Get("X-Amz-Date") == "" && r.Header.Get("Date") == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return incomplete(strings.Join(missing, " "))
	}
	cred := strings.Split(params["Credential"], "/")
	if len(cred) != 5 || cred[4] != "aws4_request" {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request'.")
	}
	for _, p := range cred[:4] {
		if p == "" {
			return incomplete("Credential should be scoped to a valid access key, date, region and service.")
		}
	}
	return credentialScope{accessKey: cred[0], region: cred[2], service: cred[3]}, nil
}

// accountFor maps an access key to its account: a configured or STS-issued
// key, else the default account.
func (s *Server) accountFor(accessKey string) string {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	if a, ok := s.keys[accessKey]; ok {
		return a
	}
	return s.opts.DefaultAccount
}

func (s *Server) registerKey(accessKey, account string) {
	s.keysMu.Lock()
	s.keys[accessKey] = account
	s.keysMu.Unlock()
}

// RevokeAccessKey makes every later SSM request signed with accessKey fail
// as the service fails a revoked or deleted key: 400
// UnrecognizedClientException.
func (s *Server) RevokeAccessKey(accessKey string) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.revoked == nil {
		s.revoked = map[string]bool{}
	}
	s.revoked[accessKey] = true
}

func (s *Server) isRevoked(accessKey string) bool {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	return s.revoked[accessKey]
}
