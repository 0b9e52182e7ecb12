package helmchart

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/releaseutil"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// hostile are texts that add keys, documents or flow mappings to the YAML
// of a template that writes a value unquoted, at any indentation the
// chart's templates use; %s is a benign value.
var hostile = []string{
	"%s\nhostNetwork: true\nfoo: |",
	"%s\n  hostNetwork: true",
	"%s\n    hostNetwork: true",
	"%s\n      hostNetwork: true",
	"%s\n        hostNetwork: true",
	"%s\n          hostNetwork: true",
	"%s\n      hostPath: {path: /}",
	"%s\n---\nhostNetwork: true",
	"%s: x",
	"{hostNetwork: true}",
}

// TestHostileStringValues sets each string of the values, one at a time,
// to text that would inject YAML into a template that writes it unquoted.
// The chart must either refuse the value (values.schema.json or a template
// check) or render exactly the keys it renders for a benign value of the
// same string: every object, and the configuration files the ConfigMaps
// and Secrets hold, with the same key paths. The strings are those of the
// default values and of testdata/full-values.yaml, every option on.
func TestHostileStringValues(t *testing.T) {
	c := loadChart(t)
	var rendered atomic.Int64
	t.Run("values", func(t *testing.T) {
		for _, base := range []struct {
			name string
			vals map[string]any
		}{
			{"default", nil},
			{"full", valuesFile(t, "full-values.yaml")},
		} {
			coalesced, err := chartutil.CoalesceValues(c, base.vals)
			if err != nil {
				t.Fatal(err)
			}
			b := hostileBase{c: c, top: deepCopy(coalesced).(map[string]any), rendered: &rendered}
			if b.files, err = renderValues(c, b.top); err != nil {
				t.Fatal(err)
			}
			if b.paths, err = keyPaths(b.files, nil, nil); err != nil {
				t.Fatal(err)
			}
			var leaves [][]any
			stringLeaves(b.top, nil, &leaves)
			if len(leaves) < 20 {
				t.Fatalf("%s values: %d strings, the walk is broken", base.name, len(leaves))
			}
			for _, leaf := range leaves {
				t.Run(base.name+"/"+leafName(leaf), func(t *testing.T) {
					t.Parallel()
					b.check(t, leaf)
				})
			}
		}
	})
	if rendered.Load() == 0 {
		t.Error("the chart refused every hostile value: the test compared nothing")
	}
}

// hostileBase is one set of values, rendered, whose strings the test
// replaces one at a time.
type hostileBase struct {
	c        *chart.Chart
	top      map[string]any
	files    map[string]string
	paths    map[string][]string
	rendered *atomic.Int64
}

// check replaces the string at leaf with each hostile text.
func (b hostileBase) check(t *testing.T, leaf []any) {
	benign := getLeaf(b.top, leaf).(string)
	refFiles, ref := b.files, b.paths
	if benign == "" {
		benign = "x"
		vals := deepCopy(b.top).(map[string]any)
		setLeaf(vals, leaf, benign)
		var err error
		if refFiles, err = renderValues(b.c, vals); err != nil {
			t.Logf("benign %q refused: %v", benign, err)
		}
		if ref, err = keyPaths(refFiles, b.files, b.paths); err != nil {
			t.Fatalf("benign %q: %v", benign, err)
		}
	}
	for _, h := range hostile {
		value := h
		if strings.Contains(h, "%s") {
			value = fmt.Sprintf(h, benign)
		}
		vals := deepCopy(b.top).(map[string]any)
		setLeaf(vals, leaf, value)
		files, err := renderValues(b.c, vals)
		if err != nil {
			continue // refused: nothing rendered
		}
		b.rendered.Add(1)
		got, err := keyPaths(files, refFiles, ref)
		if err != nil {
			t.Errorf("%q: the chart renders what does not decode: %v", value, err)
			continue
		}
		if ref == nil {
			t.Errorf("%q renders where the benign %q is refused", value, benign)
			continue
		}
		for _, doc := range sortedKeys(got, ref) {
			added, removed := diff(got[doc], ref[doc])
			if len(added)+len(removed) > 0 {
				t.Errorf("%q: %s gains %q and loses %q", value, doc, added, removed)
			}
		}
	}
}

// keyPaths lists the key paths of every document of every template, keyed
// by template and document index, and of the configuration files (*.yml)
// the ConfigMaps and Secrets hold. A document that does not decode strictly
// into its type is an error. A template whose output is the same as in ref
// takes its paths from there.
func keyPaths(files, refFiles map[string]string, ref map[string][]string) (map[string][]string, error) {
	if files == nil {
		return nil, nil
	}
	out := map[string][]string{}
	for name, text := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		if refText, ok := refFiles[name]; ok && refText == text {
			for id, paths := range ref {
				if strings.HasPrefix(id, name+"#") {
					out[id] = paths
				}
			}
			continue
		}
		docs := releaseutil.SplitManifests(text)
		for i := range len(docs) {
			id := fmt.Sprintf("%s#%d", name, i)
			paths, ok, err := docKeyPaths(docs[fmt.Sprintf("manifest-%d", i)])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
			if ok {
				out[id] = paths
			}
		}
	}
	return out, nil
}

// docKeyPaths lists the key paths of one document, sorted, and of the
// configuration files in its data; ok is false for a document of comments.
func docKeyPaths(doc string) (paths []string, ok bool, err error) {
	o, ok, err := decodeObject(doc)
	if err != nil || !ok {
		return nil, ok, err
	}
	var v any
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		return nil, false, err
	}
	walkPaths(v, "", &paths)
	embedded := map[string]string{}
	switch obj := o.Value.(type) {
	case *corev1.ConfigMap:
		for k, s := range obj.Data {
			embedded[k] = s
		}
	case *corev1.Secret:
		for k, b := range obj.Data {
			embedded[k] = string(b)
		}
	}
	for k, s := range embedded {
		if !strings.HasSuffix(k, ".yml") {
			continue
		}
		js, err := yaml.YAMLToJSONStrict([]byte(s))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", k, err)
		}
		var e any
		if err := yaml.Unmarshal(js, &e); err != nil {
			return nil, false, fmt.Errorf("%s: %w", k, err)
		}
		walkPaths(e, ".data."+k+":", &paths)
	}
	sort.Strings(paths)
	return paths, true, nil
}

// walkPaths lists the path of every node of a decoded YAML value.
func walkPaths(v any, path string, out *[]string) {
	*out = append(*out, path)
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			walkPaths(e, path+"."+k, out)
		}
	case []any:
		for i, e := range v {
			walkPaths(e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// stringLeaves lists the paths of the strings of a values tree.
func stringLeaves(v any, path []any, out *[][]any) {
	switch v := v.(type) {
	case string:
		*out = append(*out, slices.Clone(path))
	case map[string]any:
		for _, k := range keys(v) {
			stringLeaves(v[k], append(path, k), out)
		}
	case []any:
		for i, e := range v {
			stringLeaves(e, append(path, i), out)
		}
	}
}

func leafName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		}
	}
	return b.String()
}

func getLeaf(v any, path []any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v
}

func setLeaf(v any, path []any, s string) {
	parent := getLeaf(v, path[:len(path)-1])
	switch p := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[p] = s
	case int:
		parent.([]any)[p] = s
	}
}

// deepCopy copies the maps and lists of a values tree.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = deepCopy(e)
		}
		return out
	case chartutil.Values:
		return deepCopy(map[string]any(v))
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// sortedKeys lists the keys of two maps, sorted, once each.
func sortedKeys(a, b map[string][]string) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	return keys(seen)
}

// diff lists what got has that want has not, and the reverse.
func diff(got, want []string) (added, removed []string) {
	for _, p := range got {
		if _, ok := slices.BinarySearch(want, p); !ok {
			added = append(added, p)
		}
	}
	for _, p := range want {
		if _, ok := slices.BinarySearch(got, p); !ok {
			removed = append(removed, p)
		}
	}
	return added, removed
}
