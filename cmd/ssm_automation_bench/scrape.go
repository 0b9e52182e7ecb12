package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// scraper fetches /metrics the way Prometheus does: text format, gzip
// accepted (the transport asks for it and inflates the answer), with a
// scrape timeout header.
type scraper struct {
	client  *http.Client
	timeout string // X-Prometheus-Scrape-Timeout-Seconds
}

func newScraper(timeout time.Duration) *scraper {
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, IdleConnTimeout: time.Minute}
	return &scraper{
		client:  &http.Client{Transport: tr, Timeout: timeout + time.Minute},
		timeout: strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64),
	}
}

// scrape returns the body of url and the time from sending the request to
// reading the last byte.
func (s *scraper) scrape(ctx context.Context, url string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", s.timeout)
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	d := time.Since(start)
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, body)
	}
	return body, d, nil
}

func (s *scraper) close() { s.client.CloseIdleConnections() }

// sampleValue is the value of the first sample line starting with prefix
// (a metric name followed by "{" or " ").
func sampleValue(body []byte, prefix string) (float64, bool) {
	for line := range bytes.Lines(body) {
		if !bytes.HasPrefix(line, []byte(prefix)) {
			continue
		}
		line = bytes.TrimSpace(line)
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(string(line[i+1:]), 64)
		return v, err == nil
	}
	return 0, false
}

// countSamples counts the sample lines starting with prefix, or every
// sample line when prefix is empty.
func countSamples(body []byte, prefix string) int {
	n := 0
	for line := range bytes.Lines(body) {
		if len(line) == 0 || line[0] == '#' || line[0] == '\n' {
			continue
		}
		if bytes.HasPrefix(line, []byte(prefix)) {
			n++
		}
	}
	return n
}

// median of ds: the middle value, or the mean of the two middle ones.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := sortedCopy(ds)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile of ds by the nearest-rank method (p in (0, 100]).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := sortedCopy(ds)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return s[min(max(rank, 1), len(s))-1]
}

func sortedCopy(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

// sumSamples sums the values of the sample lines starting with prefix
// that contain every one of parts.
func sumSamples(body []byte, prefix string, parts ...string) float64 {
	sum := 0.0
	for line := range bytes.Lines(body) {
		if !bytes.HasPrefix(line, []byte(prefix)) {
			continue
		}
		ok := true
		for _, p := range parts {
			ok = ok && bytes.Contains(line, []byte(p))
		}
		line = bytes.TrimSpace(line)
		if i := bytes.LastIndexByte(line, ' '); ok && i >= 0 {
			if v, err := strconv.ParseFloat(string(line[i+1:]), 64); err == nil {
				sum += v
			}
		}
	}
	return sum
}

// exporterCounts are the exporter's own counts of its events.
type exporterCounts struct {
	event, announced, resync float64 // executions refreshed, by cause
	received, invalid        float64 // messages of its queue
}

const refreshedPrefix = "ssm_automation_events_executions_refreshed_total{"

func readCounts(body []byte) exporterCounts {
	return exporterCounts{
		event:     sumSamples(body, refreshedPrefix, `cause="event"`),
		announced: sumSamples(body, refreshedPrefix, `cause="announced"`),
		resync:    sumSamples(body, refreshedPrefix, `cause="resync"`),
		received:  sumSamples(body, "ssm_automation_events_received_total{"),
		invalid:   sumSamples(body, "ssm_automation_events_invalid_total{"),
	}
}

func (c exporterCounts) sub(o exporterCounts) exporterCounts {
	return exporterCounts{event: c.event - o.event, announced: c.announced - o.announced, resync: c.resync - o.resync,
		received: c.received - o.received, invalid: c.invalid - o.invalid}
}
