package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/gdbt/gdbt/compiler/project"
	"github.com/gdbt/gdbt/runtime/adapter/postgres"
	"github.com/gdbt/gdbt/runtime/artifacts"
)

func init() {
	runCommands["run-operation"] = func(ctx context.Context, a *app) int { return a.runOperation(ctx) }
}

// runOperation runs `gdbt run-operation [package.]macro --args '{k: v}'`:
// the macro is called with the run-time context against the warehouse,
// its log(info=True) lines printed, and run_results.json written with one
// operation result, as dbt does.
func (a *app) runOperation(ctx context.Context) int {
	if len(a.args) == 0 {
		a.printError(errors.New("Runtime Error\n  Either a macro name or --sql must be passed to run-operation"))
		return exitCrash
	}
	full := a.args[0]
	kwargs, err := parseOperationArgs(a.f.Args)
	if err != nil {
		fmt.Fprintf(a.stderr, "%s  [%s]: The YAML provided in the --args argument is not valid.\nUsage: gdbt run-operation [OPTIONS] [MACRO]\n\nError: Invalid value for '--args': %s\n",
			time.Now().Format("15:04:05"), "ERROR", err)
		return exitCrash
	}
	if err := a.parseProject(); err != nil {
		a.printError(err)
		return exitCrash
	}
	if err := a.writeManifest(); err != nil {
		a.printError(err)
		return exitCrash
	}
	compileStart := time.Now()
	pkg, name := "", full
	if i := strings.IndexByte(full, '.'); i >= 0 {
		pkg, name = full[:i], full[i+1:]
	}
	ref, found := a.findMacro(pkg, name)
	compileEnd := time.Now()

	wh, err := a.openWarehouse(ctx, "run-operation")
	if err != nil {
		a.printError(err)
		return exitCrash
	}
	defer wh.Close()
	env := a.res.Env
	env.Warehouse = wh
	env.Manifest = a.res.Manifest
	env.Log = func(msg string, info bool) {
		if info {
			a.logf("%s", msg)
		}
	}
	execStart := time.Now()
	var runErr error
	if !found {
		runErr = fmt.Errorf("Runtime Error\n  dbt could not find a macro with the name \"%s\" in any package", name)
	} else {
		args := &jinja.Args{Kw: kwargs}
		_, err := env.Jinja.CallMacro(env.NewNodeContext(nil, dbtctx.Execute), nil, ref.Macro, args)
		if err != nil {
			runErr = errors.New(a.operationError(ref, err))
		}
	}
	execEnd := time.Now()
	if runErr != nil {
		a.logf("%s", "["+paintIf(isTerminal(a.stdout), "31", "ERROR")+"]: Encountered an error while running operation: "+runErr.Error())
	}
	if !found {
		a.printError(fmt.Errorf("Compilation Error\n  dbt could not find a macro with the name '%s' in any package. This can happen when calling a macro that does not exist. Check for typos and/or install package dependencies with \"dbt deps\".", name))
		return exitCrash
	}
	elapsed := execEnd.Sub(compileStart).Seconds()
	res := artifacts.Result{
		Status: "success", ThreadID: "MainThread", ExecutionTime: elapsed, UniqueID: ref.UniqueID(),
		Timing: []artifacts.Timing{{Name: "compile", StartedAt: compileStart, CompletedAt: compileEnd},
			{Name: "execute", StartedAt: execStart, CompletedAt: execEnd}},
	}
	fails := int64(0)
	if runErr != nil {
		res.Status = "error"
		msg := runErr.Error()
		res.Message = &msg
		fails = 1
	}
	res.Failures = &fails
	compiled := false
	res.Compiled = &compiled
	args := a.runArgs("run-operation")
	args["macro"] = full
	if len(kwargs) > 0 {
		m := map[string]any{}
		for _, kv := range kwargs {
			m[kv.Name] = plain(kv.Value)
		}
		args["args"] = m
	}
	rr := &artifacts.RunResults{
		Metadata:    artifacts.NewMetadata(env.InvocationID, a.start, execEnd, os.Environ()),
		Results:     []artifacts.Result{res},
		ElapsedTime: elapsed,
		Args:        args,
	}
	if err := rr.Write(a.targetDir()); err != nil {
		a.printError(err)
		return exitCrash
	}
	if runErr != nil {
		return exitFailure
	}
	return exitOK
}

// findMacro resolves [package.]name as dbt's find_macro_by_name does: the
// root project, then installed packages, then the built-ins.
func (a *app) findMacro(pkg, name string) (dbtctx.MacroRef, bool) {
	macros := a.res.Env.Macros
	if pkg != "" {
		p := pkg
		if p == "dbt" {
			p = dbtctx.PkgDBT
		}
		if m, ok := macros.Get(p, name); ok {
			return dbtctx.MacroRef{Package: p, Macro: m}, true
		}
		if pkg == "dbt" {
			if m, ok := macros.Get(dbtctx.PkgPostgres, name); ok {
				return dbtctx.MacroRef{Package: dbtctx.PkgPostgres, Macro: m}, true
			}
		}
		return dbtctx.MacroRef{}, false
	}
	if m, ok := macros.Get(macros.Root, name); ok {
		return dbtctx.MacroRef{Package: macros.Root, Macro: m}, true
	}
	var pkgs []string
	for _, d := range a.res.Manifest.Macros {
		if d.Name == name && d.Package != macros.Root && !macros.IsInternal(d.Package) {
			pkgs = append(pkgs, d.Package)
		}
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		if m, ok := macros.Get(p, name); ok {
			return dbtctx.MacroRef{Package: p, Macro: m}, true
		}
	}
	return macros.Lookup(macros.Root, name)
}

// operationError words a failed macro call as dbt does.
func (a *app) operationError(ref dbtctx.MacroRef, err error) string {
	var pe *postgres.Error
	if errors.As(err, &pe) {
		return "Database Error\n  " + strings.ReplaceAll(strings.TrimRight(pe.Error(), "\n"), "\n", "\n  ")
	}
	path := ref.Macro.Name()
	if d := a.res.Manifest.Macros[ref.UniqueID()]; d != nil {
		path = d.OriginalFilePath
	}
	msg := err.Error()
	var ce *dbtctx.CompilationError
	if errors.As(err, &ce) {
		msg = ce.Msg
	}
	where := fmt.Sprintf("macro %s (%s)", ref.Macro.Name(), path)
	return fmt.Sprintf("Compilation Error in %s\n  %s\n  \n  > in %s\n  > called by %s", where, strings.ReplaceAll(msg, "\n", "\n  "), where, where)
}

// parseOperationArgs reads --args: a YAML mapping (dbt rejects anything
// else).
func parseOperationArgs(s string) ([]jinja.KV, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := project.ParseYAML("--args", []byte(s))
	if err != nil || (v.Kind != project.Map && !v.IsNull()) {
		return nil, fmt.Errorf("String '%s' is not valid YAML", s)
	}
	if v.IsNull() {
		return nil, nil
	}
	out := make([]jinja.KV, 0, len(v.Entries))
	for _, e := range v.Entries {
		out = append(out, jinja.KV{Name: e.Key, Value: e.Value.ToJinja()})
	}
	return out, nil
}

// plain turns template values back into JSON-able Go values (run_results
// args).
func plain(v any) any {
	switch x := v.(type) {
	case *jinja.Dict:
		m := map[string]any{}
		for i, k := range x.Keys() {
			m[jinja.ToString(k)] = plain(x.Values()[i])
		}
		return m
	case *jinja.List:
		out := make([]any, len(x.Items))
		for i, it := range x.Items {
			out[i] = plain(it)
		}
		return out
	}
	return v
}

func paintIf(color bool, code, s string) string {
	if !color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
