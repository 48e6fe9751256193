package project

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// FileKind is the parser a discovered file goes to.
type FileKind uint8

const (
	ModelFile FileKind = iota
	SeedFile
	SnapshotFile
	AnalysisFile
	SingularTestFile
	GenericTestFile
	MacroFile
	DocFile
	SchemaFile
	FixtureFile
	FunctionFile
	numKinds
)

var fileKindNames = [...]string{"model", "seed", "snapshot", "analysis", "singular_test", "generic_test", "macro", "doc", "schema", "fixture", "function"}

func (k FileKind) String() string { return fileKindNames[k] }

// MarshalText names the kind in JSON.
func (k FileKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// SourceFile is a file found in a resource path.
type SourceFile struct {
	Path       string   // relative to the project root, with forward slashes
	SearchPath string   // the resource path it was found under ("models")
	Kind       FileKind `json:"-"`
}

// RelPath is the path relative to its search path, as dbt's FilePath
// relative_path ("staging/stg_a.sql").
func (f SourceFile) RelPath() string {
	return strings.TrimPrefix(strings.TrimPrefix(f.Path, f.SearchPath), "/")
}

// Files lists a project's files by kind, each list sorted by path.
type Files struct {
	Root    string // absolute project root
	Project string // project name
	ByKind  [numKinds][]SourceFile
}

// Of returns the files of one kind.
func (fs *Files) Of(k FileKind) []SourceFile { return fs.ByKind[k] }

// Count returns the number of files of every kind.
func (fs *Files) Count() int {
	n := 0
	for _, l := range fs.ByKind {
		n += len(l)
	}
	return n
}

// Abs returns the absolute path of f.
func (fs *Files) Abs(f SourceFile) string { return filepath.Join(fs.Root, filepath.FromSlash(f.Path)) }

// searchRule says which files under which paths are of a kind.
type searchRule struct {
	kind  FileKind
	paths []string
	exts  []string
}

func sqlExts(base string) []string {
	return []string{base, base + ".j2", base + ".jinja2", base + ".jinja"}
}

func (p *Project) searchRules() []searchRule {
	return []searchRule{
		{MacroFile, p.MacroPaths, sqlExts(".sql")},
		{ModelFile, p.ModelPaths, append([]string{".py"}, sqlExts(".sql")...)},
		{SnapshotFile, p.SnapshotPaths, sqlExts(".sql")},
		{AnalysisFile, p.AnalysisPaths, sqlExts(".sql")},
		{SingularTestFile, p.TestPaths, sqlExts(".sql")},
		{GenericTestFile, p.GenericTestPaths(), sqlExts(".sql")},
		{SeedFile, p.SeedPaths, []string{".csv"}},
		{DocFile, p.DocsPaths, sqlExts(".md")},
		{SchemaFile, p.AllSourcePaths(), []string{".yml", ".yaml"}},
		{FixtureFile, p.FixturePaths(), append([]string{".csv"}, sqlExts(".sql")...)},
		{FunctionFile, p.FunctionPaths, append([]string{".py", ".js"}, sqlExts(".sql")...)},
	}
}

// cleanRel normalizes a resource path to a slash path relative to the root.
func cleanRel(s string) string {
	s = path.Clean(filepath.ToSlash(s))
	return strings.TrimPrefix(s, "./")
}

// Discover lists the project's files the way dbt's file search does: each
// resource path recursively, files whose names do not start with ".", "#"
// or "~" and end in one of the kind's extensions (case-insensitively),
// minus .dbtignore matches. Every directory is read once, in parallel,
// whatever the number of kinds searching it.
func (p *Project) Discover(ctx context.Context) (*Files, error) {
	ign, err := loadIgnore(filepath.Join(p.Root, IgnoreFile))
	if err != nil {
		return nil, err
	}
	rules := p.searchRules()
	for i := range rules {
		for j, s := range rules[i].paths {
			rules[i].paths[j] = cleanRel(s)
		}
	}
	// The directories to walk: every search path not inside another one.
	var roots []string
	seen := map[string]bool{}
	for _, r := range rules {
		for _, s := range r.paths {
			if !seen[s] && !filepath.IsAbs(s) && s != ".." && !strings.HasPrefix(s, "../") {
				seen[s] = true
				roots = append(roots, s)
			}
		}
	}
	sort.Strings(roots)
	var top []string
	for _, r := range roots {
		if len(top) > 0 && (top[len(top)-1] == "." || strings.HasPrefix(r, top[len(top)-1]+"/")) {
			continue
		}
		top = append(top, r)
	}
	files, err := walkParallel(ctx, p.Root, top)
	if err != nil {
		return nil, err
	}
	out := &Files{Root: p.Root, Project: p.Name}
	for _, rel := range files {
		base := path.Base(rel)
		if base == "" || base[0] == '.' || base[0] == '#' || base[0] == '~' {
			continue
		}
		if ign != nil && ign.match(rel) {
			continue
		}
		lower := strings.ToLower(base)
		for _, r := range rules {
			if !hasExt(lower, r.exts) {
				continue
			}
			for _, sp := range r.paths {
				if !under(rel, sp) {
					continue
				}
				if r.kind == SingularTestFile {
					inner := strings.TrimPrefix(rel, sp+"/")
					if sp == "." {
						inner = rel
					}
					first, _, _ := strings.Cut(inner, "/")
					if first == "generic" || first == "fixtures" {
						continue
					}
				}
				out.ByKind[r.kind] = append(out.ByKind[r.kind], SourceFile{Path: rel, SearchPath: sp, Kind: r.kind})
			}
		}
	}
	for k := range out.ByKind {
		l := out.ByKind[k]
		sort.SliceStable(l, func(i, j int) bool { return l[i].Path < l[j].Path })
	}
	return out, nil
}

func hasExt(lowerName string, exts []string) bool {
	for _, e := range exts {
		if strings.HasSuffix(lowerName, e) && len(lowerName) > len(e) {
			return true
		}
	}
	return false
}

func under(rel, dir string) bool {
	return dir == "." || strings.HasPrefix(rel, dir+"/")
}

// walkParallel lists the regular files under each root (relative to base,
// slash-separated). Directories are read concurrently; symlinked
// directories below a root are not followed, as os.walk does not.
func walkParallel(ctx context.Context, base string, roots []string) ([]string, error) {
	var (
		mu      sync.Mutex
		files   []string
		firstEr error
		wg      sync.WaitGroup
	)
	workers := runtime.GOMAXPROCS(0) * 4
	sem := make(chan struct{}, workers)
	var visit func(rel string)
	visit = func(rel string) {
		defer wg.Done()
		if ctx.Err() != nil {
			return
		}
		sem <- struct{}{}
		entries, err := os.ReadDir(filepath.Join(base, filepath.FromSlash(rel)))
		<-sem
		if err != nil {
			if !os.IsNotExist(err) {
				mu.Lock()
				if firstEr == nil {
					firstEr = err
				}
				mu.Unlock()
			}
			return
		}
		local := make([]string, 0, len(entries))
		for _, e := range entries {
			child := e.Name()
			if rel != "." {
				child = rel + "/" + e.Name()
			}
			switch {
			case e.IsDir():
				wg.Add(1)
				go visit(child)
			case e.Type()&os.ModeSymlink != 0:
				// A symlink to a file counts; to a directory it is not walked.
				if st, err := os.Stat(filepath.Join(base, filepath.FromSlash(child))); err == nil && !st.IsDir() {
					local = append(local, child)
				}
			case e.Type().IsRegular():
				local = append(local, child)
			}
		}
		mu.Lock()
		files = append(files, local...)
		mu.Unlock()
	}
	for _, r := range roots {
		wg.Add(1)
		go visit(r)
	}
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

// ReadFiles reads files concurrently and calls fn for each (fn may run on
// several goroutines at once). It stops at the first error.
func (fs *Files) ReadFiles(ctx context.Context, files []SourceFile, fn func(f SourceFile, data []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		once.Do(func() { first = err; cancel() })
	}
	work := make(chan SourceFile)
	// Reads from the page cache are CPU-bound: more workers than CPUs only
	// add scheduling (measured on 2 cores).
	n := runtime.GOMAXPROCS(0)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				data, err := os.ReadFile(fs.Abs(f))
				if err == nil {
					err = fn(f, data)
				}
				if err != nil {
					fail(err)
				}
			}
		}()
	}
loop:
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			break loop
		}
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return nil
}

// ReadAll reads files concurrently and returns their contents in order.
func (fs *Files) ReadAll(ctx context.Context, files []SourceFile) ([][]byte, error) {
	out := make([][]byte, len(files))
	idx := make(map[string]int, len(files))
	for i, f := range files {
		idx[f.Path+"\x00"+f.SearchPath+"\x00"+f.Kind.String()] = i
	}
	err := fs.ReadFiles(ctx, files, func(f SourceFile, data []byte) error {
		out[idx[f.Path+"\x00"+f.SearchPath+"\x00"+f.Kind.String()]] = data
		return nil
	})
	return out, err
}
