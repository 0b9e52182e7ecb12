package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	// Line is the 1-based line in the file; 0 when it is not known.
	Line int
	// Path names the offending key, like targets[0].executions[1].id; empty
	// for problems of the file as a whole.
	Path string
	// Message says what is wrong.
	Message string
}

// String formats the problem as "line N: path: message", leaving out the
// parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Errors is every problem found in a configuration file, sorted by line and
// then by path. Parse and Load return it as their error.
type Errors []Problem

// Error joins the problems one a line.
func (e Errors) Error() string {
	lines := make([]string, len(e))
	for i, p := range e {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems orders problems by line, then path; problems on the same
// line and path keep the order they were found in.
func sortProblems(e Errors) {
	sort.SliceStable(e, func(i, j int) bool {
		if e[i].Line != e[j].Line {
			return e[i].Line < e[j].Line
		}
		return e[i].Path < e[j].Path
	})
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxProblem turns an error of the YAML parser into a Problem, keeping
// its line when the parser gave one.
func syntaxProblem(err error) Problem {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{Line: line, Message: "invalid YAML: " + m[2]}
	}
	return Problem{Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// maxProblems is how many problems a file's Errors list; the rest are only
// counted, in one last problem, so that a file of junk cannot make an error
// of hundreds of megabytes.
const maxProblems = 100

// problems collects the problems of a file. It keeps the first maxProblems
// by line and path, compacting as it goes so that memory stays bounded, and
// counts every problem.
type problems struct {
	kept  Errors
	total int
}

func (ps *problems) add(p Problem) {
	ps.total++
	ps.kept = append(ps.kept, p)
	if len(ps.kept) >= 2*maxProblems {
		ps.compact()
	}
}

// compact sorts the kept problems and drops those past maxProblems. The
// sort is stable and later problems are appended after the kept ones, so
// problems on the same line and path stay in the order they were found.
func (ps *problems) compact() {
	sortProblems(ps.kept)
	if len(ps.kept) > maxProblems {
		clear(ps.kept[maxProblems:])
		ps.kept = ps.kept[:maxProblems]
	}
}

// errors returns the problems as Errors, nil when there are none. Past
// maxProblems, a last problem without line or path says how many more there
// are.
func (ps *problems) errors() Errors {
	if ps.total == 0 {
		return nil
	}
	ps.compact()
	out := slices.Clone(ps.kept)
	if more := ps.total - len(out); more > 0 {
		out = append(out, Problem{Message: fmt.Sprintf("... and %d more problems (only the first %d are listed)", more, maxProblems)})
	}
	return out
}

// pathFlags say whether a problem is recorded at a path, and whether one is
// recorded at it or below it.
type pathFlags uint8

const (
	problemAt pathFlags = 1 << iota
	problemAtOrBelow
)

// record adds a problem and flags its path and the paths above it.
func (d *decoder) record(p Problem) {
	d.probs.add(p)
	d.flags[p.Path] |= problemAt | problemAtOrBelow
	for q := p.Path; q != ""; {
		q = parent(q)
		d.flags[q] |= problemAtOrBelow
	}
}
