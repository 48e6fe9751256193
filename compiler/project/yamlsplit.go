package project

import (
	"runtime"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Large property files (one schema.yml declaring thousands of models) are
// the one serial step of parse: yaml.v3 reads a document on one core. A
// plain top-level mapping whose big values are block sequences splits at
// the sequence items into documents that parse on every core; each part
// is padded with newlines so positions stay those of the whole file. What
// the split cannot prove safe (anchors, aliases, flow collections or tags
// at the top, several documents, repeated keys) takes the serial path.

const splitMinBytes = 128 << 10

// yamlPart is one piece of the file: the text of a top-level key with some
// of its sequence items (or the whole value), starting at line first.
type yamlPart struct {
	key   string
	seq   bool // the value is a block sequence split into several parts
	first int  // 0-based line the part starts at
	text  string
}

// splitYAML cuts data into parts, or returns false when the file is small
// or not of the plain shape described above.
func splitYAML(data []byte) ([]yamlPart, bool) {
	if len(data) < splitMinBytes {
		return nil, false
	}
	text := string(data)
	if strings.ContainsAny(text, "&*!\t\r") || strings.Contains(text, "<<") || strings.Contains(text, "\n---") ||
		strings.HasPrefix(text, "---") || strings.HasPrefix(text, "%") {
		return nil, false
	}
	lines := strings.SplitAfter(text, "\n")
	// Top-level keys: lines at column 0 of the form "key:" (value below).
	type top struct {
		key         string
		line, endLn int
	}
	var tops []top
	seen := map[string]bool{}
	for i, l := range lines {
		if l == "" || l[0] == ' ' || l[0] == '\n' || l[0] == '#' {
			continue
		}
		k, rest, ok := strings.Cut(strings.TrimRight(l, "\n"), ":")
		if !ok || strings.ContainsAny(k, "\"'{}[],? ") || seen[k] {
			return nil, false
		}
		seen[k] = true
		if len(tops) > 0 {
			tops[len(tops)-1].endLn = i
		}
		tops = append(tops, top{key: k, line: i})
		if r := strings.TrimSpace(rest); r != "" && !strings.HasPrefix(r, "#") {
			closed := r == "[]" || r == "{}"
			if !closed && (strings.ContainsAny(r[:1], "[{|>\"'")) {
				return nil, false // a flow, quoted or block scalar value may run over the next lines
			}
		}
	}
	if len(tops) == 0 || tops[0].line != firstContentLine(lines) {
		return nil, false
	}
	tops[len(tops)-1].endLn = len(lines)
	want := 4 * runtime.GOMAXPROCS(0)
	var parts []yamlPart
	for _, t := range tops {
		body := lines[t.line+1 : t.endLn]
		items := itemStarts(body)
		if len(items) < 2*want {
			parts = append(parts, yamlPart{key: t.key, first: t.line, text: strings.Join(lines[t.line:t.endLn], "")})
			continue
		}
		per := (len(items) + want - 1) / want
		for s := 0; s < len(items); s += per {
			from := items[s]
			to := len(body)
			if s+per < len(items) {
				to = items[s+per]
			}
			if s == 0 {
				from = 0 // comments and blank lines before the first item
			}
			parts = append(parts, yamlPart{key: t.key, seq: true, first: t.line + from,
				text: t.key + ":\n" + strings.Join(body[from:to], "")})
		}
	}
	return parts, true
}

func firstContentLine(lines []string) int {
	for i, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return i
		}
	}
	return -1
}

// itemStarts returns the lines of body that start an item of a block
// sequence: "- " at the indentation of the first item. Anything at a
// smaller indentation means the shape is not a plain sequence.
func itemStarts(body []string) []int {
	indent := -1
	var out []int
	for i, l := range body {
		t := strings.TrimLeft(l, " ")
		if t == "" || t == "\n" || strings.HasPrefix(t, "#") {
			continue
		}
		n := len(l) - len(t)
		if indent < 0 {
			if !strings.HasPrefix(t, "- ") && t != "-\n" {
				return nil
			}
			indent = n
		}
		if n < indent {
			return nil
		}
		if n == indent {
			if !strings.HasPrefix(t, "- ") && t != "-\n" {
				return nil
			}
			out = append(out, i)
		}
	}
	return out
}

// parseYAMLSplit parses the parts in parallel and joins them into the
// mapping the whole file would give. ok is false when a part did not have
// the expected shape (the caller then parses serially).
func parseYAMLSplit(file string, parts []yamlPart) (v *Value, ok bool, err error) {
	vals := make([]*Value, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	next := make(chan int, len(parts))
	for i := range parts {
		next <- i
	}
	close(next)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var doc yaml.Node
				text := strings.Repeat("\n", parts[i].first) + parts[i].text
				if e := yaml.Unmarshal([]byte(text), &doc); e != nil {
					errs[i] = e
					continue
				}
				if doc.Kind == 0 || len(doc.Content) == 0 {
					continue
				}
				c := &converter{file: file}
				vals[i], errs[i] = c.convert(doc.Content[0])
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return nil, false, nil // the serial parse reports it with its position
		}
	}
	out := &Value{Kind: Map}
	for i, part := range vals {
		if part == nil || part.Kind != Map || len(part.Entries) != 1 || part.Entries[0].Key != parts[i].key {
			return nil, false, nil
		}
		e := part.Entries[0]
		if i == 0 {
			out.Pos = part.Pos
		}
		if parts[i].seq {
			if e.Value.Kind != List {
				return nil, false, nil
			}
			if prev := out.Get(e.Key); prev != nil {
				prev.Items = append(prev.Items, e.Value.Items...)
				continue
			}
		}
		out.Entries = append(out.Entries, e)
	}
	return out, true, nil
}
