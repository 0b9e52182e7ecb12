package config

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxQuoted is the most characters of a value that a message quotes.
const maxQuoted = 256

// quote quotes a value of the file for a message, as %q does, cut to
// maxQuoted characters (marked by "..." after the closing quote).
func quote(s string) string {
	return strconv.Quote(clip(s)) + ellipsis(s)
}

// clip returns the first maxQuoted characters of s.
func clip(s string) string {
	i, n := 0, 0
	for i < len(s) && n < maxQuoted {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return s[:i]
}

// ellipsis is "..." when clip cuts s, else "".
func ellipsis(s string) string {
	if len(clip(s)) < len(s) {
		return "..."
	}
	return ""
}

// redactURL hides the user info of a URL, which may hold a password, for a
// message: everything between the scheme's "://" (or the start, without
// one) and the last "@" becomes "xxxxx". It works on the raw text, since a
// URL that holds a password may well be one that url.Parse rejects, and
// url.Parse's errors quote the raw text. It may hide more than the user
// info (an "@" in a path), never less.
func redactURL(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := len(schemePrefix.FindString(s[:at]))
	return s[:start] + "xxxxx" + s[at:]
}

var schemePrefix = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
