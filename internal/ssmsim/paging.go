package ssmsim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Page sizes: MaxResults must lie in 1..50; an absent MaxResults means 50.
const (
	minPageSize     = 1
	maxPageSize     = 50
	defaultPageSize = 50
)

// cursor is what a NextToken carries: the sort key of the last item a page
// returned, and a hash binding the token to the request that produced it.
// Resuming after a key rather than an offset keeps paging stable while the
// listed data changes between pages.
type cursor struct {
	Hash    string `json:"h"`
	Pending bool   `json:"p,omitempty"`
	Time    int64  `json:"t,omitempty"`
	Index   int    `json:"i,omitempty"`
	ID      string `json:"d,omitempty"`
}

const macLen = 16

// tokenCodec signs cursors into opaque tokens with a key of its own, so a
// token from another simulator, or one altered by the client, is refused.
type tokenCodec struct{ key []byte }

func newTokenCodec() tokenCodec {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return tokenCodec{key: key}
}

func (c tokenCodec) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(payload)
	return h.Sum(nil)[:macLen]
}

func (c tokenCodec) encode(cur cursor) string {
	payload, _ := json.Marshal(cur)
	return base64.RawURLEncoding.EncodeToString(append(c.mac(payload), payload...))
}

// decode returns the cursor of a token issued for the request with this hash.
func (c tokenCodec) decode(token, hash string) (cursor, *apiError) {
	invalid := newAPIError(codeInvalidNextToken, "The specified token is not valid.")
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= macLen {
		return cursor{}, invalid
	}
	sum, payload := raw[:macLen], raw[macLen:]
	if !hmac.Equal(sum, c.mac(payload)) {
		return cursor{}, invalid
	}
	var cur cursor
	if err := json.Unmarshal(payload, &cur); err != nil || cur.Hash != hash {
		return cursor{}, invalid
	}
	return cur, nil
}

// requestHash identifies a listing request apart from its page size and token.
func requestHash(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		b, _ := json.Marshal(p)
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// pageAfter returns up to size items of an ordered list, starting at the first
// item isAfter accepts (the start when isAfter is nil), and whether more follow.
func pageAfter[T any](items []T, isAfter func(T) bool, size int) ([]T, bool) {
	start := 0
	if isAfter != nil {
		start = len(items)
		for i, it := range items {
			if isAfter(it) {
				start = i
				break
			}
		}
	}
	end := min(start+size, len(items))
	return items[start:end], end < len(items)
}

// checkPageSize validates MaxResults and returns the page size to use.
func checkPageSize(v *violations, maxResults *int64) int {
	if maxResults == nil {
		return defaultPageSize
	}
	n := *maxResults
	switch {
	case n < minPageSize:
		v.add(quoted(fmt.Sprint(n)), "maxResults", fmt.Sprintf("Member must have value greater than or equal to %d", minPageSize))
	case n > maxPageSize:
		v.add(quoted(fmt.Sprint(n)), "maxResults", fmt.Sprintf("Member must have value less than or equal to %d", maxPageSize))
	}
	return int(n)
}

// checkExecutionID validates a required AutomationExecutionId (36 characters).
func checkExecutionID(v *violations, id *string) {
	switch {
	case id == nil:
		v.add("null", "automationExecutionId", "Member must not be null")
	case len([]rune(*id)) < 36:
		v.add(quoted(*id), "automationExecutionId", "Member must have length greater than or equal to 36")
	case len([]rune(*id)) > 36:
		v.add(quoted(*id), "automationExecutionId", "Member must have length less than or equal to 36")
	}
}
