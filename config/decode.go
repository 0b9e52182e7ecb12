package config

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// maxDepth bounds the nesting the decoder follows, so that a mapping that
// merges itself (<<: *itself) ends in a problem instead of a stack
// overflow. Other nesting is bounded by the configuration types, none of
// which contains itself.
const maxDepth = 32

var (
	durationType = reflect.TypeFor[time.Duration]()
	errNotInt    = errors.New("not an integer")
)

// decoder fills the configuration types from a yaml.Node tree, strictly:
// every unknown key, repeated key and value of the wrong kind becomes a
// Problem with its line, and decoding goes on past it. It remembers the node
// of every path it sees so that validation can tell set keys from absent
// ones and give lines to its own problems.
type decoder struct {
	nodes map[string]*yaml.Node
	kids  map[string][]string // the paths of nodes below each path, for forget
	bad   map[string]bool     // paths whose value could not be decoded
	probs problems
	flags map[string]pathFlags // where problems are, for hasProblem

	// visits bounds the nodes decoded, aliases and merges expanded: a few
	// nested aliases can otherwise stand for exponentially many nodes.
	visits, maxVisits int
}

func newDecoder() *decoder {
	return &decoder{
		nodes: map[string]*yaml.Node{}, kids: map[string][]string{}, bad: map[string]bool{},
		flags: map[string]pathFlags{}, maxVisits: minVisits,
	}
}

// minVisits and visitsPerNode set the decoder's budget from the size of the
// document: far more than any file without aliases needs.
const (
	minVisits     = 10000
	visitsPerNode = 100
)

// budget sets the visit budget from the number of nodes in the document.
func (d *decoder) budget(root *yaml.Node) {
	n := 0
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		n++
		for _, c := range x.Content {
			walk(c)
		}
	}
	walk(root)
	d.maxVisits = minVisits + visitsPerNode*n
}

// spend counts one visit; past the budget it reports one problem and
// tells the caller to stop.
func (d *decoder) spend(n *yaml.Node, path string) bool {
	d.visits++
	if d.visits == d.maxVisits+1 {
		d.fail(n, path, "aliases expand to too many values (more than %d)", d.maxVisits)
	}
	return d.visits <= d.maxVisits
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.bad[path] = true
	d.record(Problem{Line: n.Line, Path: path, Message: fmt.Sprintf(format, args...)})
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return quote(n.Value)
	}
}

// decode stores n into v, which must be settable.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string, depth int) {
	if !d.spend(n, path) {
		return
	}
	if n.Kind == yaml.AliasNode {
		d.decode(n.Alias, v, path, depth+1)
		return
	}
	d.store(path, n)
	v.SetZero()
	if isNull(n) {
		return
	}
	switch {
	case v.Type() == durationType:
		d.scalar(n, path, "a duration (like 30s, 6h or 7d)", func() error {
			dur, err := parseDuration(n.Value)
			v.SetInt(int64(dur))
			return err
		})
	case v.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.fail(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		d.mapping(n, v, path, depth, map[string]int{})
	case v.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got %s", describe(n))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		for i, item := range n.Content {
			d.decode(item, v.Index(i), indexed(path, i), depth+1)
		}
	case v.Kind() == reflect.String:
		d.scalar(n, path, "a string", func() error { v.SetString(n.Value); return nil })
	case v.Kind() == reflect.Int:
		d.scalar(n, path, "an integer", func() error {
			if n.ShortTag() != "!!int" { // the YAML decoder would truncate 1.5 to 1
				return errNotInt
			}
			return n.Decode(v.Addr().Interface())
		})
	case v.Kind() == reflect.Float64:
		d.scalar(n, path, "a number", func() error { return n.Decode(v.Addr().Interface()) })
	case v.Kind() == reflect.Bool:
		d.scalar(n, path, "true or false", func() error { return n.Decode(v.Addr().Interface()) })
	default:
		panic("config: no decoding for " + v.Type().String())
	}
}

// scalar checks that n is a scalar and runs set, reporting its failure as
// "<value> is not <what>".
func (d *decoder) scalar(n *yaml.Node, path, what string, set func() error) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got %s", what, describe(n))
		return
	}
	if err := set(); err != nil {
		d.fail(n, path, "%s is not %s", quote(n.Value), what)
	}
}

// parseDuration accepts Go durations ("1h30m", "-5s") and Prometheus ones,
// which add the units d, w and y ("7d").
func parseDuration(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	d, err := model.ParseDurationAllowNegative(s)
	return time.Duration(d), err
}
