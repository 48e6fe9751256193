package cli

// selectIDs narrows ids with --select/--exclude. Until the selector
// package is wired in, only plain node names are understood.
func selectIDs(a *app, ids []string) []string {
	if len(a.f.Select) == 0 && len(a.f.Exclude) == 0 {
		return ids
	}
	var out []string
	for _, id := range ids {
		n := a.res.Manifest.Nodes[id]
		keep := len(a.f.Select) == 0
		for _, s := range a.f.Select {
			if s == n.Name {
				keep = true
			}
		}
		for _, s := range a.f.Exclude {
			if s == n.Name {
				keep = false
			}
		}
		if keep {
			out = append(out, id)
		}
	}
	return out
}
