package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/source"
	"gopkg.in/yaml.v3"
)

// PackageKind says where a package comes from.
type PackageKind string

const (
	LocalPackage   PackageKind = "local"
	GitPackage     PackageKind = "git"
	HubPackage     PackageKind = "hub"
	TarballPackage PackageKind = "tarball"
	PrivatePackage PackageKind = "private"
)

// Package is one entry of packages.yml or dependencies.yml.
type Package struct {
	Kind         PackageKind
	Local        string   `json:",omitempty"` // local: path as written
	Git          string   `json:",omitempty"` // git: or private: URL/name
	Revision     string   `json:",omitempty"`
	Subdirectory string   `json:",omitempty"`
	Package      string   `json:",omitempty"` // hub package (org/name)
	Version      []string `json:",omitempty"` // hub version ranges
	Tarball      string   `json:",omitempty"`
	Name         string   `json:",omitempty"`
	Pos          source.Position
}

// String names the package in messages.
func (pk Package) String() string {
	switch pk.Kind {
	case LocalPackage:
		return pk.Local
	case HubPackage:
		return pk.Package
	case TarballPackage:
		return pk.Tarball
	}
	return pk.Git
}

// loadPackagesFile reads packages.yml or dependencies.yml. packages.yml is
// rendered with env_var (secrets allowed, for git URLs) and vars;
// dependencies.yml is not rendered, as in dbt.
func (l *loader) loadPackagesFile(p *Project, vars *Value) error {
	pkgPath := filepath.Join(p.Root, PackagesFile)
	depPath := filepath.Join(p.Root, DependenciesFile)
	pk, pkOK, err := readYAMLFile(pkgPath, l.display(pkgPath))
	if err != nil {
		return err
	}
	dp, dpOK, err := readYAMLFile(depPath, l.display(depPath))
	if err != nil {
		return err
	}
	if pkOK && pk != nil && pk.Kind != Map {
		return errAt(pk.Pos, ErrPackage, fmt.Sprintf("expected a mapping in %s, found %s", PackagesFile, pk.Kind))
	}
	if dpOK && dp != nil && dp.Kind != Map {
		return errAt(dp.Pos, ErrPackage, fmt.Sprintf("expected a mapping in %s, found %s", DependenciesFile, dp.Kind))
	}
	if pk.Has("packages") && dp.Has("packages") {
		return errAt(dp.Get("packages").Pos, ErrPackage, "The 'packages' key cannot be specified in both packages.yml and dependencies.yml")
	}
	if v := pk.Get("projects"); v != nil {
		return errAt(v.Pos, ErrPackage, "The 'projects' key cannot be specified in packages.yml")
	}
	var list *Value
	switch {
	case dp.Has("packages"):
		p.PackagesFile = DependenciesFile
		list = dp.Get("packages")
	case pkOK && pk != nil:
		p.PackagesFile = PackagesFile
		r := &renderer{env: l.env, getenv: l.getenv, secret: true, vars: vars, secrets: l.secrets, envUsed: map[string]string{}}
		rendered, err := r.renderTree(pk, nil)
		if err != nil {
			return err
		}
		for _, e := range rendered.Entries {
			if e.Key != "packages" && e.Key != "sha1_hash" {
				return errAt(e.KeyPos, ErrPackage, fmt.Sprintf("unexpected key '%s' in %s: expected 'packages'", e.Key, PackagesFile))
			}
		}
		list = rendered.Get("packages")
	}
	if list.IsNull() {
		return nil
	}
	if list.Kind != List {
		return errAt(list.Pos, ErrPackage, fmt.Sprintf("expected a list for 'packages', found %s", describe(list)))
	}
	for _, it := range list.Items {
		pkg, err := parsePackage(it)
		if err != nil {
			return err
		}
		p.Packages = append(p.Packages, pkg)
	}
	return nil
}

func parsePackage(v *Value) (Package, error) {
	if v.Kind != Map {
		return Package{}, errAt(v.Pos, ErrPackage, fmt.Sprintf("expected a mapping for a package entry, found %s", describe(v)))
	}
	pkg := Package{Pos: v.Pos}
	str := func(key string) (string, error) {
		x := v.Get(key)
		if x.IsNull() {
			return "", nil
		}
		switch x.Kind {
		case String:
			return x.Scalar.(string), nil
		case Int, Float:
			return jinja.ToString(x.Scalar), nil
		}
		return "", errAt(x.Pos, ErrPackage, fmt.Sprintf("expected a string for '%s', found %s", key, describe(x)))
	}
	var err error
	set := func(dst *string, key string) {
		if err == nil {
			*dst, err = str(key)
		}
	}
	set(&pkg.Name, "name")
	switch {
	case v.Has("local"):
		pkg.Kind = LocalPackage
		set(&pkg.Local, "local")
	case v.Has("git"):
		pkg.Kind = GitPackage
		set(&pkg.Git, "git")
		set(&pkg.Revision, "revision")
		set(&pkg.Subdirectory, "subdirectory")
	case v.Has("private"):
		pkg.Kind = PrivatePackage
		set(&pkg.Git, "private")
		set(&pkg.Revision, "revision")
		set(&pkg.Subdirectory, "subdirectory")
	case v.Has("package"):
		pkg.Kind = HubPackage
		set(&pkg.Package, "package")
		ver := v.Get("version")
		if ver.IsNull() {
			return pkg, errAt(v.Pos, ErrPackage, fmt.Sprintf("package '%s' needs a 'version'", pkg.Package))
		}
		if ver.Kind == List {
			for _, x := range ver.Items {
				pkg.Version = append(pkg.Version, jinja.ToString(x.Scalar))
			}
		} else {
			pkg.Version = []string{jinja.ToString(ver.Scalar)}
		}
	case v.Has("tarball"):
		pkg.Kind = TarballPackage
		set(&pkg.Tarball, "tarball")
	default:
		return pkg, errAt(v.Pos, ErrPackage, "expected a package entry with one of 'local', 'git', 'package', 'tarball' or 'private'")
	}
	return pkg, err
}

func (l *loader) loadSelectors(p *Project) error {
	path := filepath.Join(p.Root, SelectorsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlError(l.display(path), data, err)
	}
	if doc.Kind != 0 {
		p.Selectors = &doc
	}
	return nil
}

// installDir is where packages are installed for p.
func (p *Project) installDir() string {
	if filepath.IsAbs(p.PackagesInstallPath) {
		return p.PackagesInstallPath
	}
	return filepath.Join(p.Root, p.PackagesInstallPath)
}

// resolveLocal resolves a local: path. dbt resolves every local package,
// transitive ones included, against the root project.
func (p *Project) resolveLocal(local string) string {
	if strings.HasPrefix(local, "~") {
		if home, err := os.UserHomeDir(); err == nil {
			local = filepath.Join(home, local[1:])
		}
	}
	if filepath.IsAbs(local) {
		return filepath.Clean(local)
	}
	return filepath.Join(p.Root0().Root, local)
}

// loadDeps loads the installed packages (every directory under
// packages-install-path not starting with "__", as dbt does) and, beyond
// dbt, local packages that were not installed yet, from their own paths.
func (l *loader) loadDeps(root *Project, target *jinja.Dict) error {
	byName := map[string]*Project{root.Name: root}
	add := func(d *Project, where source.Position) error {
		if _, dup := byName[d.Name]; dup {
			return errAt(where, ErrPackage, fmt.Sprintf("dbt found more than one package with the name \"%s\" included in this project. Package names must be unique in a project. Please rename one of these packages.", d.Name))
		}
		byName[d.Name] = d
		root.Deps = append(root.Deps, d)
		return nil
	}
	dir := root.installDir()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	var installed []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "__") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if st, err := os.Stat(path); err != nil || !st.IsDir() {
			continue
		}
		d, err := l.loadPackageProject(root, path, target)
		if err != nil {
			return err
		}
		installed = append(installed, d.Name)
		if err := add(d, source.Position{File: l.display(filepath.Join(path, ProjectFile))}); err != nil {
			return err
		}
	}

	// Local packages not installed yet, followed through their own
	// packages.yml local entries.
	queue := append([]Package(nil), root.Packages...)
	seen := map[string]bool{}
	localNames := map[string]bool{}
	remote := 0
	var firstRemote source.Position
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if pkg.Kind != LocalPackage {
			if remote == 0 {
				firstRemote = pkg.Pos
			}
			remote++
			continue
		}
		path := root.resolveLocal(pkg.Local)
		if seen[path] {
			continue
		}
		seen[path] = true
		raw, err := l.readProjectFile(path)
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) && errors.Is(err, ErrNotFound) {
				return errAt(pkg.Pos, ErrPackage, fmt.Sprintf("local package '%s' has no %s (looked in %s)", pkg.Local, ProjectFile, path))
			}
			return err
		}
		name, _ := raw.Get("name").Str()
		localNames[name] = true
		if existing := byName[name]; existing != nil {
			if existing != root {
				continue // installed already
			}
		}
		d, err := l.loadPackageProject(root, path, target)
		if err != nil {
			return err
		}
		if err := add(d, pkg.Pos); err != nil {
			return err
		}
		queue = append(queue, d.Packages...)
	}
	installedRemote := 0
	for _, n := range installed {
		if !localNames[n] {
			installedRemote++
		}
	}
	if remote > installedRemote {
		return &Error{Pos: firstRemote, Err: ErrPackage, Msg: fmt.Sprintf(
			"dbt expects %d package(s) based on packages specified in %s, but found only %d package(s) installed in %s. Run \"dbt deps\" to install package dependencies.",
			remote, root.PackagesFile, installedRemote, root.PackagesInstallPath)}
	}
	sort.Slice(root.Deps, func(i, j int) bool { return root.Deps[i].Name < root.Deps[j].Name })
	return nil
}

// loadPackageProject loads a package's dbt_project.yml. As in dbt, it sees
// target but not --vars, and its vars.yml is not read.
func (l *loader) loadPackageProject(root *Project, dir string, target *jinja.Dict) (*Project, error) {
	raw, err := l.readProjectFile(dir)
	if err != nil {
		return nil, err
	}
	d, err := l.buildProject(dir, raw, &Value{Kind: Map}, target)
	if err != nil {
		return nil, err
	}
	d.root = root
	d.cliVars = root.cliVars
	if err := l.loadPackagesFile(d, &Value{Kind: Map}); err != nil {
		return nil, err
	}
	return d, nil
}

// DepsResult says what Deps did.
type DepsResult struct {
	Installed []string // package names linked or copied into packages-install-path
}

// Deps installs the root project's local packages into packages-install-path
// (a symlink to the package, or a copy where symlinks fail, as dbt does).
// Git, hub, tarball and private packages need the network; they are
// reported in one ErrNetwork error after the local ones are installed.
func Deps(ctx context.Context, p *Project) (*DepsResult, error) {
	root := p.Root0()
	dir := root.installDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	res := &DepsResult{}
	l, err := newLoader(Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		return nil, err
	}
	l.root = root.Root
	var remote []string
	queue := append([]Package(nil), root.Packages...)
	seen := map[string]bool{}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		pkg := queue[0]
		queue = queue[1:]
		if pkg.Kind != LocalPackage {
			remote = append(remote, fmt.Sprintf("%s (%s)", pkg, pkg.Kind))
			continue
		}
		src := root.resolveLocal(pkg.Local)
		if seen[src] {
			continue
		}
		seen[src] = true
		raw, err := l.readProjectFile(src)
		if err != nil {
			return res, errAt(pkg.Pos, ErrPackage, fmt.Sprintf("local package '%s': %v", pkg.Local, err))
		}
		name, ok := raw.Get("name").Str()
		if !ok || !nameRe.MatchString(name) {
			return res, errAt(pkg.Pos, ErrPackage, fmt.Sprintf("Package defined in %s must have a name!", ProjectFile))
		}
		dest := filepath.Join(dir, name)
		if st, err := os.Lstat(dest); err == nil {
			if st.Mode()&os.ModeSymlink != 0 {
				err = os.Remove(dest)
			} else {
				err = os.RemoveAll(dest)
			}
			if err != nil {
				return res, err
			}
		}
		if err := os.Symlink(src, dest); err != nil {
			if err := copyTree(src, dest); err != nil {
				return res, err
			}
		}
		res.Installed = append(res.Installed, name)
		// A local package's own local packages are installed too.
		if d := p.Dependency(name); d != nil {
			queue = append(queue, d.Packages...)
		} else {
			tmp := &Project{Root: src}
			if l.loadPackagesFile(tmp, &Value{Kind: Map}) == nil {
				queue = append(queue, tmp.Packages...)
			}
		}
	}
	if len(remote) > 0 {
		return res, &Error{Pos: source.Position{File: root.PackagesFile}, Err: ErrNetwork, Msg: fmt.Sprintf(
			"cannot install %s: network access is needed and gdbt deps installs only local packages; install them with dbt deps (into %s)",
			strings.Join(remote, ", "), root.PackagesInstallPath)}
	}
	return res, nil
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// Clean removes the project's clean-targets. Like dbt, it refuses to remove
// resource paths and anything outside the project directory.
func Clean(p *Project) ([]string, error) {
	root := p.Root0()
	resolve := func(s string) string {
		if filepath.IsAbs(s) {
			return filepath.Clean(s)
		}
		return filepath.Join(root.Root, s)
	}
	sources := map[string]bool{}
	for _, s := range append(root.AllSourcePaths(), root.TestPaths...) {
		sources[resolve(s)] = true
	}
	var protected, outside, paths []string
	seen := map[string]bool{}
	for _, t := range root.CleanTargets {
		abs := resolve(t)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if sources[abs] {
			protected = append(protected, abs)
			continue
		}
		rel, err := filepath.Rel(root.Root, abs)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			outside = append(outside, abs)
			continue
		}
		paths = append(paths, abs)
	}
	if len(protected) > 0 {
		return nil, &Error{Msg: fmt.Sprintf("dbt will not clean the following source paths: %s", pyList(protected)), Err: ErrClean}
	}
	if len(outside) > 0 {
		return nil, &Error{Msg: fmt.Sprintf("dbt will not clean the following directories outside the project: %s", pyList(outside)), Err: ErrClean}
	}
	sortStrings(paths)
	for _, path := range paths {
		if err := os.RemoveAll(path); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func pyList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func sortStrings(xs []string) { sort.Strings(xs) }

// ---------------------------------------------------------------------------
// require-dbt-version

type semver struct {
	major, minor, patch int
	pre                 string
}

func parseSemver(s string) (semver, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	var v semver
	main, pre, _ := strings.Cut(s, "-")
	main, _, _ = strings.Cut(main, "+")
	v.pre = pre
	parts := strings.Split(main, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return v, false
	}
	nums := []*int{&v.major, &v.minor, &v.patch}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		*nums[i] = n
	}
	return v, true
}

func (a semver) cmp(b semver) int {
	for _, d := range []int{a.major - b.major, a.minor - b.minor, a.patch - b.patch} {
		if d != 0 {
			return d
		}
	}
	switch {
	case a.pre == b.pre:
		return 0
	case a.pre == "":
		return 1
	case b.pre == "":
		return -1
	}
	return strings.Compare(a.pre, b.pre)
}

// checkVersion checks DBTVersion against require-dbt-version specs such as
// ">=1.5.0", "<2.0.0" or "1.12.6".
func checkVersion(project string, specs []string, pos source.Position) error {
	installed, _ := parseSemver(DBTVersion)
	for _, spec := range specs {
		s := strings.TrimSpace(spec)
		op := ""
		for _, o := range []string{">=", "<=", ">", "<", "="} {
			if strings.HasPrefix(s, o) {
				op, s = o, strings.TrimSpace(s[len(o):])
				break
			}
		}
		want, ok := parseSemver(s)
		if !ok {
			return errAt(pos, ErrProject, fmt.Sprintf("Invalid version string %q in require-dbt-version", spec))
		}
		c := installed.cmp(want)
		okv := map[string]bool{">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0, "=": c == 0, "": c == 0}[op]
		if !okv {
			return errAt(pos, ErrProject, fmt.Sprintf(
				"This version of dbt is not supported with the '%s' package.\n  Installed version of dbt: =%s\n  Required version of dbt for '%s': %s\nCheck for a different version of the '%s' package, or run dbt again with --no-version-check",
				project, DBTVersion, project, pyList(specs), project))
		}
	}
	return nil
}
