package manifest

import "sort"

func sortedUnique(in []string) []string {
	out := append([]string{}, in...)
	sort.Strings(out)
	w := 0
	for i, s := range out {
		if i > 0 && s == out[i-1] {
			continue
		}
		out[w] = s
		w++
	}
	return out[:w]
}
