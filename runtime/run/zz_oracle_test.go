package run

import (
	"os"
	"strings"
	"testing"
)

// Ad hoc (not committed): run $RT_CMD into $RT_ORACLE_DB for comparison with dbt.
func TestZZOracleSideBySide(t *testing.T) {
	db := os.Getenv("RT_ORACLE_DB")
	if db == "" {
		return
	}
	f := &fixture{t: t, dir: fixtureDir(os.Getenv("RT_FIXTURE")), url: "postgres://postgres@127.0.0.1:54321/" + db, target: os.Getenv("RT_TARGET"), env: map[string]string{
		"RT_PG_HOST": "127.0.0.1", "RT_PG_PORT": "54321", "RT_PG_USER": "postgres", "RT_PG_DBNAME": db, "RT_PG_SCHEMA": "rt"}}
	cmds := map[string]invoke{"seed": Seed, "build": Build, "run": Run, "test": Test, "snapshot": Snapshot}
	args := strings.Fields(os.Getenv("RT_CMD"))
	fr := false
	for _, a := range args[1:] {
		if a == "--full-refresh" {
			fr = true
		}
	}
	code, out := f.run(cmds[args[0]], os.Getenv("RT_VARS"), func(o *Options) { o.Threads = 1; o.FullRefresh = fr })
	os.WriteFile(os.Getenv("RT_OUT"), []byte(out), 0o644)
	_ = code
}

func TestZZDebugSnap(t *testing.T) {
	if os.Getenv("RT_DEBUG") == "" {
		return
	}
	f := &fixture{t: t, dir: fixtureDir("rt_basic"), url: "postgres://postgres@127.0.0.1:54321/rt_g", target: t.TempDir(), env: map[string]string{
		"RT_PG_HOST": "127.0.0.1", "RT_PG_PORT": "54321", "RT_PG_USER": "postgres", "RT_PG_DBNAME": "rt_g", "RT_PG_SCHEMA": "rt"}}
	res := f.parse("")
	n := res.Manifest.Nodes["snapshot.rt_basic.snap_check"]
	t.Logf("%#v %T", n.Config["check_cols"], n.Config["check_cols"])
	t.Logf("%q", n.RawCode)
}
