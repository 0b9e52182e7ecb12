package config

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// mapping decodes the keys of n into the struct v. Merge keys (<<) are
// applied first, so that the mapping's own keys override them; seen holds
// the line of each key already set directly in this mapping.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string, depth int, seen map[string]int) {
	if depth > maxDepth {
		d.fail(n, path, "nested too deeply (a mapping that merges itself?)")
		return
	}
	fields, names := structFields(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		if key := n.Content[i]; key.ShortTag() == "!!merge" {
			d.merge(n.Content[i+1], v, path, depth)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.ShortTag() == "!!merge" {
			continue
		}
		if key.Kind != yaml.ScalarNode {
			d.fail(key, path, "keys must be strings, got %s", describe(key))
			continue
		}
		kpath := joinKey(path, clip(key.Value)+ellipsis(key.Value))
		if first, ok := seen[key.Value]; ok {
			d.fail(key, kpath, "key is set twice (first at line %d)", first)
			continue
		}
		seen[key.Value] = key.Line
		idx, ok := fields[key.Value]
		if !ok {
			d.fail(key, kpath, "unknown key (valid: %s)", strings.Join(names, ", "))
			continue
		}
		if _, merged := d.nodes[kpath]; merged {
			d.forget(kpath) // the key overrides a merged value
		}
		d.decode(val, v.Field(idx), kpath, depth+1)
	}
}

// merge applies the value of a merge key: a mapping or a list of mappings.
func (d *decoder) merge(n *yaml.Node, v reflect.Value, path string, depth int) {
	if !d.spend(n, path) {
		return
	}
	if n.Kind == yaml.AliasNode {
		n, depth = n.Alias, depth+1
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.mapping(n, v, path, depth+1, map[string]int{})
	case yaml.SequenceNode:
		// Earlier mappings in the list win, so they are applied last.
		for i := len(n.Content) - 1; i >= 0; i-- {
			d.merge(n.Content[i], v, path, depth+1)
		}
	default:
		d.fail(n, path, "a merge key (<<) needs a mapping, got %s", describe(n))
	}
}

// store remembers the node of path, and path as a kid of its parent.
func (d *decoder) store(path string, n *yaml.Node) {
	if _, ok := d.nodes[path]; !ok && path != "" {
		d.kids[parent(path)] = append(d.kids[parent(path)], path)
	}
	d.nodes[path] = n
}

// forget drops what is known of path and everything below it, in time
// proportional to what it drops. A forgotten path stays in its parent's
// kids; forgetting it again finds nothing.
func (d *decoder) forget(path string) {
	for _, k := range d.kids[path] {
		d.forget(k)
	}
	delete(d.kids, path)
	delete(d.nodes, path)
	delete(d.bad, path)
}

// structFields maps the yaml names of t's fields to their index, and lists
// the names in declaration order.
func structFields(t reflect.Type) (map[string]int, []string) {
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	return fields, names
}
