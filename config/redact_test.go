package config

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://ssm.example.internal":          "https://ssm.example.internal",
		"http://u:pw@h:bad":                     "http://xxxxx@h:bad",
		"http://token@h":                        "http://xxxxx@h",
		"ftp://u:p@ss@h/x":                      "ftp://xxxxx@h/x",
		"http://u:p/w@h":                        "http://xxxxx@h",
		"u:pw@h":                                "xxxxx@h",
		"u:p//w@h":                              "xxxxx@h",
		"1http://u:pw@h":                        "xxxxx@h",
		"http://h/path@v1":                      "http://xxxxx@v1",
		"":                                      "",
		"git+ssh://u:pw@h:22":                   "git+ssh://xxxxx@h:22",
		"http://u:pw@h:1/?next=a@b#frag":        "http://xxxxx@b#frag",
		"HTTP://u:pw@[::1]:bad":                 "HTTP://xxxxx@[::1]:bad",
		"http://\u00e9:\u00e9@h":                "http://xxxxx@h",
		"http://ssm.example.internal:99999/a:b": "http://ssm.example.internal:99999/a:b",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// secretMark starts the password of the endpoints FuzzEndpointPasswordHidden
// builds; no message may hold it.
const secretMark = "Pw5ecretMark"

// FuzzEndpointPasswordHidden builds endpoints scheme://user:password@rest
// from fuzzed parts, sets them as endpoint, sts_endpoint and (with a queue
// name) events.queue_url of a target and checks that no problem of the
// file quotes the password, whatever else is wrong with the endpoints or
// the file.
func FuzzEndpointPasswordHidden(f *testing.F) {
	for _, seed := range [][4]string{
		{"http", "user", "pw", "host:bad"},
		{"ftp", "u", "pw", "host"},
		{"https", "", "", "ssm.example.internal"},
		{"http", "u", "/w", "h"},
		{"http", "u", "?w#x", "h:99999"},
		{"http", "u", "1/w", "h"},
		{"", "u", "pw", "host"},
		{"http:", "u", "pw", "h"},
		{"a//b", "u", "pw", "h"},
		{"http", "u@v", "p@w", "h@i"},
		{"http", "u", "pw", "h:1/p?q=@x"},
		{"http", "u", "pw", "[::1:bad"},
		{"http", "u", "\xff\n\"", "h"},
		{"https", "u", "pw", ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3], false)
		f.Add(seed[0], seed[1], seed[2], seed[3], true)
	}
	f.Fuzz(func(t *testing.T, scheme, user, pwTail, rest string, badFile bool) {
		for _, s := range []string{scheme, user, rest} {
			if strings.Contains(s, secretMark) {
				t.Skip("the mark is not in the password alone")
			}
		}
		endpoint := scheme + "://" + user + ":" + secretMark + pwTail + "@" + rest
		target := map[string]any{
			"name": "prod", "region": "eu-west-1",
			"endpoint": endpoint, "sts_endpoint": endpoint, "events": map[string]any{"queue_url": endpoint + "/q"},
			"executions": []any{map[string]any{"id": "8a8e9f1c-2c4d-4e55-9a0b-0123456789ab"}},
		}
		if badFile { // other problems beside the endpoints', if any
			target["colour"] = endpoint
			delete(target, "region")
		}
		data, err := json.Marshal(map[string]any{"targets": []any{target}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(data) // JSON is YAML
		if err != nil && strings.Contains(err.Error(), secretMark) {
			t.Errorf("an error quotes the password of %q:\n%v", endpoint, err)
		}
		if !isHTTPURL(endpoint) && (err == nil || !strings.Contains(err.Error(), "invalid YAML") &&
			!strings.Contains(err.Error(), "targets[0].endpoint: ")) {
			t.Errorf("the bad endpoint %q is not reported: %v", endpoint, err)
		}
	})
}
